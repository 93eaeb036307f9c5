"""The content library: creating and editing assets (uploads validated, stored privately), visibility by partner
type and tier, search and filters, view counts."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from enablement import selectors, services
from enablement.models import Asset, AssetView, Visibility
from partners.models import Partner, PartnerMembership, Tier
from prm.models import AuditEvent
from tests.enablement.factories import AssetFactory, learner
from tests.factories import MembershipFactory, PartnerFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_asset_create_with_a_link(channel_manager):
    asset = services.asset_create(
        actor=channel_manager,
        title="  Competitive battlecard: Contoso  ",
        kind=Asset.Kind.BATTLECARD,
        url="https://docs.example.com/battlecard",
        roles=["technical", "sales"],
        product="Platform",
    )
    assert asset.title == "Competitive battlecard: Contoso"
    assert asset.roles == ["sales", "technical"]  # in the canonical order
    assert asset.created_by == channel_manager
    assert asset.is_link
    assert AuditEvent.objects.filter(verb="enablement.asset_created").exists()


def test_asset_create_with_an_upload_is_stored_privately(channel_manager):
    upload = SimpleUploadedFile("Pricing guide.pdf", PDF, content_type="application/pdf")
    asset = services.asset_create(actor=channel_manager, title="Pricing guide", kind="document", file=upload)
    assert asset.file.name.startswith("enablement/assets/")
    assert asset.file.name.endswith("/Pricing-guide.pdf")
    assert asset.file.storage.exists(asset.file.name)
    assert asset.file_name == "Pricing-guide.pdf"
    from django.conf import settings

    assert asset.file.storage.location == settings.PRIVATE_MEDIA_ROOT


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "not a type we accept"),
        ("fake.pdf", b"MZ\x90\x00binary", "its content is not"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_uploads_get_a_clear_message(channel_manager, name, content, message):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError, match=message):
        services.asset_create(actor=channel_manager, title="Bad", kind="document", file=upload)
    assert not Asset.objects.exists()


def test_oversized_upload_is_refused(channel_manager, settings):
    settings.PRM_MAX_UPLOAD_MB = 1
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError, match=r"files can be up to 1\.0 MB"):
        services.asset_create(actor=channel_manager, title="Big", kind="document", file=upload)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "", "kind": "video", "url": "https://v.example.com"}, "Give a title"),
        ({"title": "X", "kind": "nonsense", "url": "https://v.example.com"}, "what kind"),
        ({"title": "X", "kind": "video"}, "link or upload a file"),
        ({"title": "X", "kind": "video", "url": "javascript:alert(1)"}, "full web address"),
        ({"title": "X", "kind": "video", "url": "https://v.example.com", "roles": ["finance"]}, "Roles can be"),
        ({"title": "X", "kind": "video", "url": "https://v.example.com", "visibility": "types"}, "partner type"),
        ({"title": "X", "kind": "video", "url": "https://v.example.com", "visibility": "tiers"}, "at least one tier"),
        (
            {"title": "X", "kind": "video", "url": "https://v.example.com", "visibility": "types"}
            | {"partner_types": ["x"]},
            "Unknown partner type",
        ),
    ],
)
def test_asset_validation(channel_manager, fields, message):
    with pytest.raises(ValidationError, match=message):
        services.asset_create(actor=channel_manager, **fields)


def test_only_channel_managers_manage_assets(partner_a_admin):
    with pytest.raises(ValidationError, match="Only channel managers"):
        services.asset_create(actor=partner_a_admin, title="X", kind="video", url="https://v.example.com")


def test_asset_update_replaces_the_file_and_keeps_unchanged_fields(channel_manager, django_capture_on_commit_callbacks):
    asset = services.asset_create(
        actor=channel_manager, title="Guide", kind="document", file=SimpleUploadedFile("a.pdf", PDF), product="Core"
    )
    old_name = asset.file.name
    storage = asset.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.asset_update(actor=channel_manager, asset=asset, file=SimpleUploadedFile("b.pdf", PDF))
    asset.refresh_from_db()
    assert asset.file.name != old_name
    assert asset.file.name.endswith("/b.pdf")
    assert not storage.exists(old_name)
    assert asset.product == "Core"
    assert asset.title == "Guide"
    with pytest.raises(ValidationError, match="link or upload"):
        services.asset_update(actor=channel_manager, asset=asset, file=None)
    services.asset_update(actor=channel_manager, asset=asset, url="https://docs.example.com/guide", is_published=False)
    asset.refresh_from_db()
    assert asset.url
    assert not asset.is_published
    assert AuditEvent.objects.filter(verb="enablement.asset_updated").count() == 2


@pytest.fixture
def library(db):
    gold = Tier.objects.create(name="Gold", rank=3)
    silver = Tier.objects.create(name="Silver", rank=2)
    everyone = AssetFactory(title="Company overview", kind="positioning", roles=[])
    resellers = AssetFactory(
        title="Reseller pricing", kind="playbook", visibility=Visibility.TYPES, partner_types=["var", "reseller"],
        roles=["sales"], product="Platform",
    )  # fmt: skip
    gold_only = AssetFactory(title="Gold roadmap", kind="document", visibility=Visibility.TIERS, roles=["technical"])
    gold_only.tiers.set([gold, silver])
    draft = AssetFactory(title="Draft battlecard", is_published=False)
    return {"gold": gold, "everyone": everyone, "resellers": resellers, "gold_only": gold_only, "draft": draft}


def test_partners_see_only_what_their_type_and_tier_allow(library):
    var_gold = PartnerFactory(type=Partner.Type.VAR, tier=library["gold"])
    msp = PartnerFactory(type=Partner.Type.MSP)
    assert {a.title for a in selectors.assets_for(partner=var_gold)} == {
        "Company overview",
        "Reseller pricing",
        "Gold roadmap",
    }
    assert {a.title for a in selectors.assets_for(partner=msp)} == {"Company overview"}
    assert selectors.access_asset(partner=var_gold, pk=library["gold_only"].pk) == library["gold_only"]
    for hidden in ("gold_only", "resellers", "draft"):
        with pytest.raises(Http404):
            selectors.access_asset(partner=msp, pk=library[hidden].pk)
    assert library["resellers"].is_visible_to(var_gold)
    assert not library["resellers"].is_visible_to(msp)
    assert library["gold_only"].visibility_label() in ("Gold, Silver", "Silver, Gold")


def test_search_and_filters(library):
    partner = PartnerFactory(type=Partner.Type.VAR, tier=library["gold"])
    assert [a.title for a in selectors.assets_for(partner=partner, q="pricing")] == ["Reseller pricing"]
    assert [a.title for a in selectors.assets_for(partner=partner, kind="document")] == ["Gold roadmap"]
    assert {a.title for a in selectors.assets_for(partner=partner, role="sales")} == {
        "Reseller pricing",
        "Company overview",  # for everyone
    }
    assert [a.title for a in selectors.assets_for(partner=partner, product="platform")] == ["Reseller pricing"]
    assert selectors.asset_products(partner=partner) == ["Platform"]
    membership = MembershipFactory(partner=partner, role=PartnerMembership.Role.TECHNICAL)
    ordered = [a.title for a in selectors.assets_for(partner=partner, membership=membership)]
    assert ordered[0] == "Gold roadmap"  # tagged for the viewer's role first


def test_views_are_counted_once_per_person_per_half_hour(library, django_assert_max_num_queries):
    partner = PartnerFactory(type=Partner.Type.VAR)
    asset = library["everyone"]
    anna, sam = learner(partner), learner(partner)
    services.asset_record_view(asset=asset, user=anna, partner=partner)
    services.asset_record_view(asset=asset, user=anna, partner=partner)
    services.asset_record_view(asset=asset, user=sam, partner=partner)
    AssetView.objects.filter(user=anna).update(viewed_at=timezone.now() - timedelta(hours=1))
    services.asset_record_view(asset=asset, user=anna, partner=partner)
    counted = {a.pk: a for a in selectors.assets_manage()}
    assert counted[asset.pk].view_count == 3
    assert counted[asset.pk].viewers == 2
    with django_assert_max_num_queries(3):
        rows = list(selectors.assets_manage())
        [(a.view_count, a.visibility_label()) for a in rows]
    assert {a.pk: a.view_count for a in selectors.assets_for(partner=partner)}[asset.pk] == 3


def test_asset_delete_removes_the_file(channel_manager, django_capture_on_commit_callbacks):
    asset = services.asset_create(
        actor=channel_manager, title="Guide", kind="document", file=SimpleUploadedFile("a.pdf", PDF)
    )
    name, storage = asset.file.name, asset.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.asset_delete(actor=channel_manager, asset=asset)
    assert not Asset.objects.exists()
    assert not storage.exists(name)
