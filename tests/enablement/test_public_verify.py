"""The public verification page and badge, for anyone with the code (no sign-in): valid, expiring, expired,
renewed, revoked, hidden and unknown codes; the badge is an SVG image that runs nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enablement import services
from enablement.models import CertificationAward
from tests.enablement.factories import AwardFactory, CertificationFactory
from tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def main(response) -> str:
    text = body(response)
    return text[text.index("<main") : text.index("</main>")]


@pytest.fixture
def award(db):
    partner = PartnerFactory(name="Northwind Solutions")
    user = MembershipFactory(
        partner=partner,
        user__email="sam.seller@northwind.example.com",
        user__first_name="Sam",
        user__last_name="Seller",
    ).user
    return AwardFactory(
        user=user,
        partner=partner,
        certification=CertificationFactory(name="Certified Platform Seller", description="Sells the platform well."),
        expires_at=timezone.localdate() + timedelta(days=200),
    )


def test_a_valid_certification(client, award):
    response = client.get(reverse("verify", args=[award.code]))
    assert response.status_code == 200
    text = body(response)
    assert "Valid today" in text
    assert "Sam Seller" in text
    assert "Northwind Solutions" in text
    assert "Certified Platform Seller" in text
    assert "sam.seller@northwind.example.com" not in text  # never the email address
    assert award.expires_at.strftime("%Y") in text
    assert reverse("verify_badge", args=[award.code]) in text


def test_the_code_is_read_in_any_case(client, award):
    assert client.get(reverse("verify", args=[award.code.lower()])).status_code == 200


def test_an_expiring_certification_is_still_valid(client, award):
    CertificationAward.objects.filter(pk=award.pk).update(expires_at=timezone.localdate() + timedelta(days=3))
    text = body(client.get(reverse("verify", args=[award.code])))
    assert "Valid today" in text
    assert "due for renewal" in text


def test_an_expired_certification_is_not_valid(client, award):
    CertificationAward.objects.filter(pk=award.pk).update(expires_at=timezone.localdate() - timedelta(days=1))
    response = client.get(reverse("verify", args=[award.code]))
    assert response.status_code == 200
    text = body(response)
    assert "Not valid today: expired" in text
    assert "Valid today" not in text
    assert "Sam Seller" in text


def test_a_renewed_certification_shows_the_new_expiry(client, award):
    new = AwardFactory(
        user=award.user,
        partner=award.partner,
        certification=award.certification,
        renewal_of=award,
        expires_at=timezone.localdate() + timedelta(days=500),
    )
    CertificationAward.objects.filter(pk=award.pk).update(
        renewed_by=new, expires_at=timezone.localdate() - timedelta(days=2)
    )
    text = body(client.get(reverse("verify", args=[award.code])))
    assert "Valid today" in text
    assert "Renewed: valid until" in text


def test_a_revoked_certification_says_so_with_a_404(client, award, channel_manager):
    services.award_revoke(actor=channel_manager, award=award, reason="Private reason for the holder.")
    response = client.get(reverse("verify", args=[award.code]))
    assert response.status_code == 404
    text = body(response)
    assert "Not valid: revoked" in text
    assert "Certified Platform Seller" in text
    assert "Private reason" not in text
    assert "Valid today" not in text
    badge = client.get(reverse("verify_badge", args=[award.code]))
    assert badge.status_code == 200
    assert "Revoked" in body(badge)


def test_a_hidden_certification_looks_like_an_unknown_code(client, award):
    services.award_set_public(user=award.user, award=award, public=False)
    hidden = client.get(reverse("verify", args=[award.code]))
    unknown = client.get(reverse("verify", args=["ABCDEFGHJKMNPQRS"]))
    assert hidden.status_code == unknown.status_code == 404
    assert "No certification found for this code" in body(hidden)
    assert "Sam Seller" not in body(hidden)
    assert "Certified Platform Seller" not in body(hidden)
    assert main(hidden).replace(award.code, "CODE") == main(unknown).replace("ABCDEFGHJKMNPQRS", "CODE")
    assert client.get(reverse("verify_badge", args=[award.code])).status_code == 404


def test_the_holder_still_sees_their_hidden_page(client, award):
    services.award_set_public(user=award.user, award=award, public=False)
    client.force_login(award.user)
    response = client.get(reverse("verify", args=[award.code]))
    assert response.status_code == 200
    assert "Only you can see this page" in body(response)
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(reverse("verify_badge", args=[award.code])).status_code == 200


def test_unknown_and_odd_codes_get_a_helpful_404(client):
    for code in ("NOPE", "x" * 200, "<script>alert(1)<script>", "%00", "A%20B"):
        response = client.get(f"/verify/{code}/")
        assert response.status_code == 404
        assert "No certification found for this code" in body(response)
        assert "<script>alert" not in body(response)


def test_the_badge_is_an_svg_image_that_runs_nothing(client, award):
    response = client.get(reverse("verify_badge", args=[award.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "public" in response["Cache-Control"]
    svg = body(response)
    assert svg.startswith("<svg")
    assert "Sam Seller" in svg
    assert "Certified Platform Seller" in svg
    assert "<script" not in svg
    missing = client.get(reverse("verify_badge", args=["ABCDEFGHJKMNPQRS"]))
    assert missing.status_code == 404
    assert missing["Content-Type"] == "image/svg+xml"


def test_names_are_escaped_in_the_page_and_the_badge(client, award):
    award.user.first_name = '<img src=x onerror="alert(1)">'
    award.user.save(update_fields=["first_name"])
    assert "<img src=x" not in body(client.get(reverse("verify", args=[award.code])))
    assert "<img src=x" not in body(client.get(reverse("verify_badge", args=[award.code])))


def test_public_pages_make_few_queries(client, award, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get(reverse("verify", args=[award.code]))
    with django_assert_max_num_queries(2):
        client.get(reverse("verify_badge", args=[award.code]))
