"""A learner's certification page (badge, sharing, hide/show the public page, renewal) and the partner admins'
"Team certifications"; someone else's award is a 404, and sellers do not see the team page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enablement.models import CertificationAward
from prm.models import AuditEvent
from tests.enablement.factories import AwardFactory, CertificationFactory, CourseFactory, EnrollmentFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def seller_award(partner_a, partner_a_seller):
    certification = CertificationFactory(name="Certified Seller", courses=[CourseFactory(title="Selling 101")])
    return AwardFactory(user=partner_a_seller, partner=partner_a, certification=certification)


def test_the_award_page_shows_the_badge_and_how_to_share_it(seller_client_a, seller_award):
    response = seller_client_a.get(reverse("portal:training_award", args=[seller_award.pk]))
    assert response.status_code == 200
    text = body(response)
    assert "Certified Seller" in text
    assert "Active" in text
    assert f"/verify/{seller_award.code}/" in text
    assert f"/verify/{seller_award.code}/badge.svg" in text
    assert "Hide my public page" in text
    assert "Renewal opens on" in text


def test_someone_elses_award_is_a_404(seller_client_a, admin_client_a, outsider_client, seller_award):
    url = reverse("portal:training_award", args=[seller_award.pk])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, {"public": "0"}).status_code == 404
    # Even a colleague (the partner admin) cannot change it.
    assert admin_client_a.post(url, {"public": "0"}).status_code == 404
    seller_award.refresh_from_db()
    assert seller_award.public


def test_the_holder_hides_and_shows_the_public_page(seller_client_a, client, seller_award):
    url = reverse("portal:training_award", args=[seller_award.pk])
    response = seller_client_a.post(url, {"public": "0"}, follow=True)
    assert "Your public page is hidden" in body(response)
    seller_award.refresh_from_db()
    assert not seller_award.public
    assert AuditEvent.objects.filter(verb="enablement.award_hidden").exists()
    assert client.get(reverse("verify", args=[seller_award.code])).status_code == 404

    response = seller_client_a.post(url, {"public": "1"}, HTTP_HX_REQUEST="true")
    text = body(response)
    assert text.lstrip().startswith('<article id="award-visibility"')
    assert "Your public page is visible again" in text
    assert "Hide my public page" in text
    seller_award.refresh_from_db()
    assert seller_award.public
    assert client.get(reverse("verify", args=[seller_award.code])).status_code == 200


def test_a_bad_visibility_post_is_a_message_not_a_500(seller_client_a, seller_award):
    response = seller_client_a.post(
        reverse("portal:training_award", args=[seller_award.pk]), {"public": "maybe"}, follow=True
    )
    assert response.status_code == 200
    assert "Choose whether to show or hide the public page" in body(response)


def test_an_expiring_award_points_to_its_renewal_course(seller_client_a, partner_a, partner_a_seller):
    renewal = CourseFactory(title="Seller refresher", is_renewal=True)
    certification = CertificationFactory(name="Certified Seller", renewal_course=renewal)
    award = AwardFactory(
        user=partner_a_seller,
        partner=partner_a,
        certification=certification,
        expires_at=timezone.localdate() + timedelta(days=10),
    )
    text = body(seller_client_a.get(reverse("portal:training_award", args=[award.pk])))
    assert "Expiring soon" in text
    assert "10 days left" in text
    assert reverse("portal:training_course", args=[renewal.slug]) in text
    mine = body(seller_client_a.get(reverse("portal:training")))
    assert "Renew: Seller refresher" in mine


def test_an_expired_award_without_renewal_course_lists_the_path(seller_client_a, partner_a, partner_a_seller):
    course = CourseFactory(title="Selling 101")
    certification = CertificationFactory(name="Certified Seller", courses=[course])
    award = AwardFactory(
        user=partner_a_seller,
        partner=partner_a,
        certification=certification,
        awarded_at=timezone.now() - timedelta(days=400),
        expires_at=timezone.localdate() - timedelta(days=5),
    )
    text = body(seller_client_a.get(reverse("portal:training_award", args=[award.pk])))
    assert "Expired on" in text
    assert "completing its courses again" in text
    assert reverse("portal:training_course", args=[course.slug]) in text


def test_a_revoked_award_shows_the_reason_and_no_badge(seller_client_a, seller_award, channel_manager):
    from enablement import services

    services.award_revoke(actor=channel_manager, award=seller_award, reason="Exam taken by someone else.")
    text = body(seller_client_a.get(reverse("portal:training_award", args=[seller_award.pk])))
    assert "Revoked" in text
    assert "Exam taken by someone else." in text
    assert "badge.svg" not in text
    assert "To earn it back" in text


def test_the_award_history_lists_renewed_awards(seller_client_a, partner_a, partner_a_seller):
    certification = CertificationFactory(name="Certified Seller")
    old = AwardFactory(
        user=partner_a_seller,
        partner=partner_a,
        certification=certification,
        awarded_at=timezone.now() - timedelta(days=380),
        expires_at=timezone.localdate() + timedelta(days=10),
    )
    new = AwardFactory(user=partner_a_seller, partner=partner_a, certification=certification, renewal_of=old)
    CertificationAward.objects.filter(pk=old.pk).update(renewed_by=new)
    text = body(seller_client_a.get(reverse("portal:training_award", args=[new.pk])))
    assert "(a renewal)" in text
    assert "History" in text
    assert "Renewed" in text


# --- Team certifications (partner admins) ------------------------------------------------------------------------


def test_team_page_is_for_partner_admins_only(seller_client_a, outsider_client, admin_client_a):
    assert seller_client_a.get(reverse("portal:training_team")).status_code == 403
    assert admin_client_a.get(reverse("portal:training_team")).status_code == 200
    assert "Team certifications" in body(admin_client_a.get(reverse("portal:training")))
    assert "Team certifications" not in body(seller_client_a.get(reverse("portal:training")))


def test_team_page_empty_state(admin_client_a):
    text = body(admin_client_a.get(reverse("portal:training_team")))
    assert "Nobody has started training yet" in text


def test_team_page_lists_my_company_only(admin_client_a, partner_a, partner_a_seller, partner_b, seller_award):
    colleague = MembershipFactory(partner=partner_a, user__first_name="Tess", user__last_name="Tech").user
    AwardFactory(
        user=colleague,
        partner=partner_a,
        certification=CertificationFactory(name="Certified Engineer"),
        expires_at=timezone.localdate() + timedelta(days=30),
    )
    EnrollmentFactory(user=colleague, partner=partner_a, course=CourseFactory(), seconds_spent=7200)
    stranger = MembershipFactory(partner=partner_b, user__first_name="Olaf", user__last_name="Other").user
    AwardFactory(user=stranger, partner=partner_b, certification=CertificationFactory(name="Stranger Cert"))
    text = body(admin_client_a.get(reverse("portal:training_team")))
    assert "Certified Seller" in text
    assert "Certified Engineer" in text
    assert "Expiring soon" in text
    assert "Tess Tech" in text
    assert "Olaf" not in text
    assert "Stranger Cert" not in text
    assert f"/verify/{seller_award.code}/" in text


def test_team_page_queries_are_bounded(admin_client_a, partner_a, django_assert_max_num_queries):
    for n in range(10):
        user = MembershipFactory(partner=partner_a).user
        AwardFactory(user=user, partner=partner_a, certification=CertificationFactory(name=f"Cert {n}"))
        EnrollmentFactory(user=user, partner=partner_a, course=CourseFactory())
    with django_assert_max_num_queries(10):
        assert admin_client_a.get(reverse("portal:training_team")).status_code == 200
