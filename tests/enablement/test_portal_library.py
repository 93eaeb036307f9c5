"""The content library in the portal: search and filters (type, role, product), what a partner's type or tier may
see, an asset's page counting views, and documents streamed privately to allowed people only."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from enablement.models import Asset, AssetView, Visibility
from partners.models import Tier
from tests.enablement.factories import AssetFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def body(response) -> str:
    return response.content.decode()


def document(**fields) -> Asset:
    asset = AssetFactory(kind=Asset.Kind.DOCUMENT, url="", **fields)
    asset.file.save("price-list.pdf", ContentFile(PDF))
    return asset


def test_empty_library_says_what_happens_next(seller_client_a):
    response = seller_client_a.get(reverse("portal:training_library"))
    assert response.status_code == 200
    assert "The library is empty for now" in body(response)
    assert reverse("portal:training_catalogue") in body(response)


def test_search_and_filters(seller_client_a):
    AssetFactory(title="Battlecard vs Globex", kind="battlecard", roles=["sales"], product="Platform")
    AssetFactory(title="Install guide", kind="document", roles=["technical"], product="Agent", description="Helm")
    AssetFactory(title="Brand kit", kind="other", roles=[])
    AssetFactory(title="Unpublished secret", is_published=False)
    url = reverse("portal:training_library")
    text = body(seller_client_a.get(url))
    assert "Battlecard vs Globex" in text
    assert "Install guide" in text
    assert "Brand kit" in text
    assert "Unpublished secret" not in text
    # The seller's own role comes first, flagged.
    assert text.index("Battlecard vs Globex") < text.index("Brand kit")
    assert "for your role" in text
    assert "Install guide" in body(seller_client_a.get(url, {"q": "helm"}))
    assert "Battlecard vs Globex" not in body(seller_client_a.get(url, {"q": "helm"}))
    by_role = body(seller_client_a.get(url, {"role": "technical"}))
    assert "Install guide" in by_role
    assert "Brand kit" in by_role
    assert "Battlecard vs Globex" not in by_role
    assert "Install guide" not in body(seller_client_a.get(url, {"product": "Platform"}))
    assert "Install guide" not in body(seller_client_a.get(url, {"kind": "battlecard"}))
    nothing = seller_client_a.get(url, {"q": "zebra"})
    assert "Nothing matches this search" in body(nothing)
    # Stale or forged filters are ignored, and a very long search is cut, never a 500.
    assert seller_client_a.get(url, {"kind": "nope", "role": "ceo", "product": "x", "page": "abc"}).status_code == 200
    assert seller_client_a.get(url, {"q": "x" * 5000}).status_code == 200


def test_htmx_filtering_returns_only_the_results(seller_client_a):
    AssetFactory(title="Battlecard vs Globex")
    response = seller_client_a.get(
        reverse("portal:training_library"), {"q": "globex"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="library-results"
    )
    text = body(response)
    assert text.lstrip().startswith('<div id="library-results"')
    assert "Battlecard vs Globex" in text
    assert "<html" not in text


def test_library_queries_are_bounded(seller_client_a, django_assert_max_num_queries):
    for n in range(25):
        AssetFactory(title=f"Asset {n}", product=f"P{n % 3}")
    with django_assert_max_num_queries(9):
        assert seller_client_a.get(reverse("portal:training_library")).status_code == 200


def test_assets_for_other_types_or_tiers_are_hidden_and_404(seller_client_a, outsider_client, partner_a, partner_b):
    gold = Tier.objects.create(name="Gold", rank=3)
    partner_a.tier = gold
    partner_a.save(update_fields=["tier"])
    partner_b.type = "msp"
    partner_b.save(update_fields=["type"])
    for_vars = AssetFactory(title="VAR margin sheet", visibility=Visibility.TYPES, partner_types=["var"])
    for_gold = AssetFactory(title="Gold roadmap", visibility=Visibility.TIERS)
    for_gold.tiers.set([gold])
    assert "VAR margin sheet" in body(seller_client_a.get(reverse("portal:training_library")))
    assert seller_client_a.get(reverse("portal:training_asset", args=[for_gold.pk])).status_code == 200
    listing = body(outsider_client.get(reverse("portal:training_library")))
    assert "VAR margin sheet" not in listing
    assert "Gold roadmap" not in listing
    for asset in (for_vars, for_gold):
        assert outsider_client.get(reverse("portal:training_asset", args=[asset.pk])).status_code == 404
    assert not AssetView.objects.filter(partner=partner_b).exists()


def test_opening_an_asset_counts_one_view_per_half_hour(seller_client_a, partner_a, partner_a_seller):
    asset = AssetFactory(title="Demo environment", kind="demo", url="https://demo.example.com/")
    url = reverse("portal:training_asset", args=[asset.pk])
    response = seller_client_a.get(url)
    assert response.status_code == 200
    assert 'href="https://demo.example.com/"' in body(response)
    assert "Open the demo environment" in body(response)
    seller_client_a.get(url)
    view = AssetView.objects.get()
    assert (view.asset, view.user, view.partner) == (asset, partner_a_seller, partner_a)
    # A link has nothing to download.
    assert seller_client_a.get(reverse("portal:training_asset_download", args=[asset.pk])).status_code == 404


def test_documents_download_privately_to_allowed_people_only(seller_client_a, outsider_client, partner_b):
    asset = document(title="Price list", visibility=Visibility.TYPES, partner_types=["var"])
    page = body(seller_client_a.get(reverse("portal:training_asset", args=[asset.pk])))
    download = reverse("portal:training_asset_download", args=[asset.pk])
    assert download in page
    assert "price-list.pdf" in page
    assert "/media/" not in page
    response = seller_client_a.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"

    partner_b.type = "msp"
    partner_b.save(update_fields=["type"])
    assert outsider_client.get(download).status_code == 404


def test_a_missing_file_is_explained_not_a_500(seller_client_a):
    asset = document(title="Lost file")
    asset.file.storage.delete(asset.file.name)
    response = seller_client_a.get(reverse("portal:training_asset_download", args=[asset.pk]), follow=True)
    assert response.status_code == 200
    assert "This file cannot be found right now" in body(response)


def test_unpublished_assets_are_404(seller_client_a):
    asset = document(title="Work in progress", is_published=False)
    assert seller_client_a.get(reverse("portal:training_asset", args=[asset.pk])).status_code == 404
    assert seller_client_a.get(reverse("portal:training_asset_download", args=[asset.pk])).status_code == 404
