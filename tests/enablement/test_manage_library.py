"""The content library in the manager app: adding a link or a document (type and size checked, stored privately),
bad input said next to the field with everything else kept, changing and removing a file, the private download,
and deleting an asset. Every change is audited (through the services)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from enablement.models import Asset
from prm.models import AuditEvent
from tests.enablement.factories import AssetFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def body(response) -> str:
    return response.content.decode()


def form_data(**overrides):
    data = {
        "title": "Pricing playbook",
        "kind": "playbook",
        "description": "How to price the platform for a mid-market deal.",
        "url": "",
        "product": "Platform",
        "visibility": "all",
        "roles": ["sales"],
        "is_published": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_add_a_document(manager_client, channel_manager):
    upload = SimpleUploadedFile("pricing.pdf", PDF, content_type="application/pdf")
    response = manager_client.post(reverse("manage:enablement_asset_new"), form_data(file=upload))
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert asset.file_name == "pricing.pdf"
    assert asset.roles == ["sales"]
    assert asset.created_by == channel_manager
    assert AuditEvent.objects.filter(verb="enablement.asset_created", target_id=str(asset.pk)).exists()
    download = manager_client.get(reverse("manage:enablement_asset_file", args=[asset.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]


def test_add_a_link_visible_to_some_partner_types(manager_client):
    data = form_data(url="https://videos.example.com/demo", visibility="types", partner_types=["msp", "var"])
    assert manager_client.post(reverse("manage:enablement_asset_new"), data).status_code == 302
    asset = Asset.objects.get()
    assert (asset.url, asset.visibility, sorted(asset.partner_types)) == (
        "https://videos.example.com/demo",
        "types",
        ["msp", "var"],
    )


def test_a_bad_file_type_is_refused_next_to_the_field_and_the_rest_is_kept(manager_client):
    upload = SimpleUploadedFile("tool.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")
    response = manager_client.post(reverse("manage:enablement_asset_new"), form_data(file=upload))
    assert response.status_code == 400
    text = body(response)
    assert "“tool.exe” is not a type we accept" in text
    assert "The file was not kept: choose it again" in text
    assert 'value="Pricing playbook"' in text
    assert "How to price the platform" in text
    assert not Asset.objects.exists()


def test_a_renamed_file_is_refused(manager_client):
    upload = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    response = manager_client.post(reverse("manage:enablement_asset_new"), form_data(file=upload))
    assert response.status_code == 400
    assert "its content is not" in body(response)
    assert not Asset.objects.exists()


@override_settings(PRM_MAX_UPLOAD_MB=1)
def test_an_oversized_file_is_refused(manager_client):
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    response = manager_client.post(
        reverse("manage:enablement_asset_new"), form_data(file=upload), HTTP_REFERER="http://testserver/manage/x/"
    )
    # Refused while the body streams (prm.uploads.LimitedUploadHandler), before the view: nothing saved.
    assert response.status_code == 413
    assert "larger than the 1 MB limit" in body(response)
    assert 'href="http://testserver/manage/x/"' in body(response)
    assert not Asset.objects.exists()


def test_an_asset_needs_a_link_or_a_file(manager_client):
    response = manager_client.post(reverse("manage:enablement_asset_new"), form_data(title=""))
    assert response.status_code == 400
    text = body(response)
    assert "Give a title." in text
    assert "Add a link or upload a file" in text
    response = manager_client.post(reverse("manage:enablement_asset_new"), form_data(url="javascript:alert(1)"))
    assert response.status_code == 400
    assert "Give a full web address" in body(response)
    response = manager_client.post(reverse("manage:enablement_asset_new"), form_data(url="x", visibility="tiers"))
    assert "Choose at least one tier" in body(response)
    assert not Asset.objects.exists()


def test_edit_replaces_then_removes_the_file_without_losing_it_on_error(manager_client):
    asset = AssetFactory(title="Old title", url="https://docs.example.com/x")
    url = reverse("manage:enablement_asset_edit", args=[asset.pk])
    upload = SimpleUploadedFile("deck.pdf", PDF, content_type="application/pdf")
    assert manager_client.post(url, form_data(url="", file=upload, title="Deck")).status_code == 302
    asset.refresh_from_db()
    assert (asset.title, asset.file_name, asset.url) == ("Deck", "deck.pdf", "")
    # Removing the only content is refused; the current file stays.
    response = manager_client.post(url, form_data(url="", remove_file="on", title="Deck"))
    assert response.status_code == 400
    assert "Add a link or upload a file" in body(response)
    asset.refresh_from_db()
    assert asset.file_name == "deck.pdf"
    # With a link it may go.
    data = form_data(url="https://docs.example.com/deck", remove_file="on", title="Deck")
    assert manager_client.post(url, data).status_code == 302
    asset.refresh_from_db()
    assert not asset.file
    assert AuditEvent.objects.filter(verb="enablement.asset_updated", target_id=str(asset.pk)).count() == 2


def test_unpublish_and_delete(manager_client):
    asset = AssetFactory(title="Retired battlecard")
    url = reverse("manage:enablement_asset_edit", args=[asset.pk])
    data = form_data(title="Retired battlecard", kind="battlecard", url=asset.url, is_published=None)
    assert manager_client.post(url, data).status_code == 302
    asset.refresh_from_db()
    assert not asset.is_published
    assert manager_client.get(reverse("manage:enablement_asset_delete", args=[asset.pk])).status_code == 405
    response = manager_client.post(reverse("manage:enablement_asset_delete", args=[asset.pk]))
    assert response.status_code == 302
    assert not Asset.objects.exists()
    assert AuditEvent.objects.filter(verb="enablement.asset_deleted").exists()


def test_a_link_asset_has_no_file_to_download(manager_client):
    asset = AssetFactory()
    assert manager_client.get(reverse("manage:enablement_asset_file", args=[asset.pk])).status_code == 404


def test_a_missing_stored_file_is_a_message_not_a_500(manager_client):
    upload = SimpleUploadedFile("gone.pdf", PDF, content_type="application/pdf")
    manager_client.post(reverse("manage:enablement_asset_new"), form_data(file=upload))
    asset = Asset.objects.get()
    asset.file.storage.delete(asset.file.name)
    response = manager_client.get(reverse("manage:enablement_asset_file", args=[asset.pk]), follow=True)
    assert response.status_code == 200
    assert "The file is missing from storage" in body(response)
