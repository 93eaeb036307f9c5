"""The channel team's enablement pages render for a manager (empty and with data), stay within a bounded number of
queries as lists grow, and say what to do next when empty. Partner users get 404 (the global sweep in
tests/test_url_guards.py checks every route; one direct check here)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enablement.models import AssetView, Enrollment
from tests.enablement.factories import (
    AssetFactory,
    AwardFactory,
    CertificationFactory,
    CourseFactory,
    EnrollmentFactory,
    course_with_assessment,
    learner,
)
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def world(partner_a, partner_a_seller):
    course, questions = course_with_assessment(title="Selling the platform", slug="selling-the-platform")
    certification = CertificationFactory(name="Certified Seller", courses=[course])
    award = AwardFactory(certification=certification, partner=partner_a, user=partner_a_seller)
    enrollment = EnrollmentFactory(course=course, partner=partner_a, user=partner_a_seller)
    asset = AssetFactory(title="Competitive battlecard")
    AssetView.objects.create(asset=asset, user=partner_a_seller, partner=partner_a)
    return {
        "course": course,
        "questions": questions,
        "certification": certification,
        "award": award,
        "enrollment": enrollment,
        "asset": asset,
        "lesson": course.lessons.first(),
        "question": questions[0][0],
    }


def _urls(w, partner) -> list[str]:
    c = w["course"]
    return [
        reverse("manage:enablement"),
        reverse("manage:enablement_assets"),
        reverse("manage:enablement_asset_new"),
        reverse("manage:enablement_asset_edit", args=[w["asset"].pk]),
        reverse("manage:enablement_courses"),
        reverse("manage:enablement_course_new"),
        reverse("manage:enablement_course", args=[c.pk]),
        reverse("manage:enablement_course_edit", args=[c.pk]),
        reverse("manage:enablement_lesson_new", args=[c.pk]),
        reverse("manage:enablement_lesson_edit", args=[c.pk, w["lesson"].pk]),
        reverse("manage:enablement_question_new", args=[c.pk]),
        reverse("manage:enablement_question_edit", args=[c.pk, w["question"].pk]),
        reverse("manage:enablement_certifications"),
        reverse("manage:enablement_certification_new"),
        reverse("manage:enablement_certification_edit", args=[w["certification"].pk]),
        reverse("manage:enablement_grid"),
        reverse("manage:enablement_expiring"),
        reverse("manage:enablement_award", args=[w["award"].pk]),
        reverse("manage:enablement_partner", args=[partner.pk]),
    ]


def test_every_page_renders_for_a_manager(manager_client, world, partner_a):
    for url in _urls(world, partner_a):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert 'aria-label="Enablement section"' in body(response), url


def test_partner_users_get_404(admin_client_a, world, partner_a):
    for url in _urls(world, partner_a):
        assert admin_client_a.get(url).status_code == 404, url


def test_unknown_objects_are_404(manager_client):
    for name in ("enablement_course", "enablement_asset_edit", "enablement_award", "enablement_partner"):
        assert manager_client.get(reverse(f"manage:{name}", args=[987654])).status_code == 404, name
    assert manager_client.get(reverse("manage:enablement_export", args=["nope"])).status_code == 404


def test_empty_pages_say_what_to_do_next(manager_client):
    text = body(manager_client.get(reverse("manage:enablement")))
    assert "Get your partners learning" in text
    assert reverse("manage:enablement_course_new") in text
    assert "Create the first course" in body(manager_client.get(reverse("manage:enablement_courses")))
    assert "Add the first asset" in body(manager_client.get(reverse("manage:enablement_assets")))
    assert "create the first certification" in body(manager_client.get(reverse("manage:enablement_certifications")))
    assert "No active certification" in body(manager_client.get(reverse("manage:enablement_grid")))
    assert "No certification expires" in body(manager_client.get(reverse("manage:enablement_expiring")))


def test_overview_counts_and_expiring_preview(manager_client, world, partner_a):
    soon = AwardFactory(
        certification=world["certification"],
        partner=partner_a,
        expires_at=timezone.localdate() + timedelta(days=10),
    )
    text = body(manager_client.get(reverse("manage:enablement")))
    assert soon.user.display_name in text or soon.holder_name in text
    assert "in 10 days" in text
    assert "Competitive battlecard" in text  # most opened
    assert "1 view by 1 person" in text


def test_asset_list_shows_view_counts(manager_client, world):
    text = body(manager_client.get(reverse("manage:enablement_assets")))
    assert "Competitive battlecard" in text
    response = manager_client.get(reverse("manage:enablement_assets"), {"q": "nothing-like-this"})
    assert "No asset matches these filters" in body(response)
    response = manager_client.get(reverse("manage:enablement_assets"), {"published": "no"})
    assert "Competitive battlecard" not in body(response)


def test_list_pages_keep_their_query_count_bounded(manager_client, world, django_assert_max_num_queries):
    for n in range(6):
        partner = PartnerFactory()
        course = CourseFactory()
        AssetFactory()
        cert = CertificationFactory(courses=[course])
        AwardFactory(certification=cert, partner=partner, expires_at=timezone.localdate() + timedelta(days=n + 1))
        EnrollmentFactory(course=world["course"], partner=partner)
    pages = {
        "manage:enablement": 14,
        "manage:enablement_assets": 10,
        "manage:enablement_courses": 10,
        "manage:enablement_certifications": 10,
        "manage:enablement_grid": 12,
        "manage:enablement_expiring": 10,
    }
    for name, limit in pages.items():
        with django_assert_max_num_queries(limit):
            assert manager_client.get(reverse(name)).status_code == 200, name
    with django_assert_max_num_queries(16):
        assert manager_client.get(reverse("manage:enablement_course", args=[world["course"].pk])).status_code == 200
    with django_assert_max_num_queries(16):
        response = manager_client.get(reverse("manage:enablement_partner", args=[world["enrollment"].partner_id]))
        assert response.status_code == 200


def test_course_page_lists_learners_with_attempts(manager_client, world):
    enrollment = world["enrollment"]
    enrollment.attempts.create(number=1, run=1, score=33, passed=False)
    text = body(manager_client.get(reverse("manage:enablement_course", args=[world["course"].pk])))
    assert enrollment.user.display_name in text
    assert "33%" in text
    assert "1 of 3 used" in text
    assert "Grant another attempt" not in text  # attempts left


def test_partner_page_shows_competency(manager_client, world, partner_a, partner_a_seller):
    Enrollment.objects.filter(pk=world["enrollment"].pk).update(
        status=Enrollment.Status.COMPLETED, completed_at=timezone.now(), seconds_spent=5400
    )
    EnrollmentFactory(course=CourseFactory(title="Demo basics"), partner=partner_a, user=learner(partner_a))
    text = body(manager_client.get(reverse("manage:enablement_partner", args=[partner_a.pk])))
    assert "Northwind Solutions: competency" in text
    assert "1.5" in text  # training hours
    assert "50%" in text  # completion rate: 1 of 2
    assert "Certified Seller" in text
    assert partner_a_seller.email in text
    assert "Demo basics" in text
