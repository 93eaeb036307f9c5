"""The partner admin's public profile page (/portal/profile/public/): edit, logo upload checks, preview, audit,
the channel manager told when the listing changes; the rest of the company sees it read-only."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import Partner, PublicProfile
from prm.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db

URL = "/portal/profile/public/"


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0f\x76\x6e")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


FORM = {
    "listed": "on",
    "headline": "Retail rollouts in DACH",
    "description": "We implement and run the platform for retailers.",
    "services": "Implementation\n\nTraining\n- Managed service\nTraining",
    "public_website": "https://northwind.example.com",
}


def test_the_admin_lists_the_company_and_the_owner_is_told(admin_client_a, partner_a, partner_a_admin, channel_manager):
    Partner.objects.filter(pk=partner_a.pk).update(owner=channel_manager)
    response = admin_client_a.post(URL, {**FORM, "logo": SimpleUploadedFile("logo.png", png_bytes())})
    assert response.status_code == 302
    profile = PublicProfile.objects.get(partner=partner_a)
    assert profile.listed
    assert profile.slug == "northwind-solutions"
    assert profile.services == ["Implementation", "Training", "Managed service"]
    assert profile.logo.name.startswith("locator/logos/")
    assert profile.updated_by == partner_a_admin
    event = AuditEvent.objects.get(verb="locator.profile_updated")
    assert event.actor_id == partner_a_admin.pk
    assert event.before["listed"] is False
    assert event.after["listed"] is True
    assert event.after["logo"] is True
    told = Notification.objects.get(template="locator_profile_listed")
    assert told.recipient == channel_manager
    assert "Northwind Solutions is now in the partner locator" in told.subject

    page = admin_client_a.get(URL).content.decode()
    assert "Shown in the partner locator" in page
    assert reverse("locator_profile", args=["northwind-solutions"]) in page
    assert "Retail rollouts in DACH" in page  # the preview card
    # The logo: the preview's own copy, and the public one, served as an inert image.
    own = admin_client_a.get(reverse("portal:public_profile_logo"))
    assert own.status_code == 200
    assert own["Content-Type"] == "image/png"
    assert own["X-Content-Type-Options"] == "nosniff"
    public = admin_client_a.get(reverse("locator_logo", args=["northwind-solutions"]))
    assert b"".join(public.streaming_content) == png_bytes()
    assert "sandbox" in public["Content-Security-Policy"]
    assert public["Cache-Control"] == "public, max-age=86400"


def test_saving_the_same_values_records_nothing(admin_client_a, partner_a):
    admin_client_a.post(URL, FORM)
    admin_client_a.post(URL, FORM)
    assert AuditEvent.objects.filter(verb="locator.profile_updated").count() == 1


def test_a_partner_not_active_yet_is_told_it_shows_later(admin_client_a, partner_a):
    Partner.objects.filter(pk=partner_a.pk).update(status=Partner.Status.ONBOARDING)
    response = admin_client_a.post(URL, FORM, follow=True)
    assert "appears in the partner locator once your partnership is active" in response.content.decode()
    assert admin_client_a.get(reverse("locator_profile", args=["northwind-solutions"])).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>', "not a type we accept"),
        ("logo.png", b"MZ\x90\x00 this is an exe renamed", "its content is not"),
        ("logo.png", b"", "is empty"),
        ("logo.png", png_bytes() + b"\x00" * (1024 * 1024), "a logo can be up to 1 MB"),
    ],
)
def test_bad_logos_are_refused_and_nothing_is_saved(admin_client_a, partner_a, name, content, message):
    response = admin_client_a.post(URL, {**FORM, "logo": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Retail rollouts in DACH"' in html  # what was typed is kept
    assert not PublicProfile.objects.filter(partner=partner_a).exists()


def test_replacing_and_removing_the_logo_deletes_the_old_file(
    admin_client_a, partner_a, django_capture_on_commit_callbacks
):
    admin_client_a.post(URL, {**FORM, "logo": SimpleUploadedFile("logo.png", png_bytes())})
    profile = PublicProfile.objects.get(partner=partner_a)
    storage, first = profile.logo.storage, profile.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_a.post(URL, {**FORM, "logo": SimpleUploadedFile("new.png", png_bytes())})
    profile.refresh_from_db()
    second = profile.logo.name
    assert second != first
    assert not storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_a.post(URL, {**FORM, "remove_logo": "on"})
    profile.refresh_from_db()
    assert not profile.logo
    assert not storage.exists(second)
    assert admin_client_a.get(reverse("locator_logo", args=["northwind-solutions"])).status_code == 404
    assert "Remove the current logo" not in admin_client_a.get(URL).content.decode()


def test_too_long_values_are_explained(admin_client_a, partner_a):
    services = "\n".join(f"Service {n}" for n in range(14))
    response = admin_client_a.post(URL, {**FORM, "headline": "x" * 200, "services": services})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Keep it under 160 characters" in html
    assert "List at most 12 services" in html


def test_colleagues_see_it_read_only_and_cannot_change_it(seller_client_a, admin_client_a, partner_a):
    admin_client_a.post(URL, FORM)
    page = seller_client_a.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Retail rollouts in DACH" in html
    assert "<form" not in html.split("<main", 1)[1].split("Preview")[0]
    assert seller_client_a.post(URL, {**FORM, "headline": "Hijacked"}).status_code == 403
    assert PublicProfile.objects.get(partner=partner_a).headline == "Retail rollouts in DACH"


def test_each_company_edits_only_its_own_profile(admin_client_a, outsider_client, partner_a, partner_b):
    admin_client_a.post(URL, FORM)
    outsider_client.post(URL, {**FORM, "headline": "Contoso's own"})
    assert PublicProfile.objects.get(partner=partner_a).headline == "Retail rollouts in DACH"
    assert PublicProfile.objects.get(partner=partner_b).headline == "Contoso's own"
    assert "Retail rollouts" not in outsider_client.get(URL).content.decode()
    # Each sees only its own logo through the portal.
    admin_client_a.post(URL, {**FORM, "logo": SimpleUploadedFile("logo.png", png_bytes())})
    assert outsider_client.get(reverse("portal:public_profile_logo")).status_code == 404


def test_slugs_stay_unique_and_avoid_reserved_words(partner_a_admin, partner_a):
    from partners.services.locator import public_profile_update
    from tests.factories import MembershipFactory, PartnerFactory

    twin = PartnerFactory(name="Northwind-Solutions")
    twin_admin = MembershipFactory(partner=twin, role="admin").user
    confirm = PartnerFactory(name="Confirm")
    confirm_admin = MembershipFactory(partner=confirm, role="admin").user
    assert public_profile_update(actor=partner_a_admin, partner=partner_a, data={"listed": True}).slug == (
        "northwind-solutions"
    )
    assert public_profile_update(actor=twin_admin, partner=twin, data={"listed": True}).slug == "northwind-solutions-2"
    assert public_profile_update(actor=confirm_admin, partner=confirm, data={"listed": True}).slug == (
        f"confirm-{confirm.pk}"
    )


def test_the_company_page_links_to_the_public_profile(admin_client_a):
    assert URL in admin_client_a.get(reverse("portal:company")).content.decode()


def test_the_content_decides_the_type_not_the_name(admin_client_a, partner_a):
    # A PNG named .jpg is refused (it is not a JPEG): the served type always matches the file.
    response = admin_client_a.post(URL, {**FORM, "logo": SimpleUploadedFile("logo.jpg", png_bytes())})
    assert response.status_code == 400
    assert "named like a JPEG file but its content is not" in response.content.decode()
