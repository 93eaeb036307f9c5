"""Enablement in Django's admin: every list and page renders, lists filter and search, publishing and activating
go through the services (audited, and a course without lessons is refused), learning records and awards are
read-only, and awards export to CSV."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enablement.models import AssetView, Attempt, CertificationAward, Course
from prm.models import AuditEvent
from tests.enablement.factories import (
    AssetFactory,
    AwardFactory,
    CertificationFactory,
    CourseFactory,
    EnrollmentFactory,
    course_with_assessment,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="root@startup.example.com"))
    return client


@pytest.fixture
def world(partner_a, partner_a_seller):
    course, questions = course_with_assessment(title="Selling the platform", slug="selling-the-platform")
    certification = CertificationFactory(name="Certified Seller", courses=[course])
    enrollment = EnrollmentFactory(course=course, partner=partner_a, user=partner_a_seller)
    asset = AssetFactory(title="Competitive battlecard")
    return {
        "asset": asset,
        "assetview": AssetView.objects.create(asset=asset, user=partner_a_seller, partner=partner_a),
        "course": course,
        "lesson": course.lessons.first(),
        "assessment": course.assessment,
        "question": questions[0][0],
        "enrollment": enrollment,
        "attempt": Attempt.objects.create(enrollment=enrollment, number=1, score=33, passed=False),
        "certification": certification,
        "certificationaward": AwardFactory(certification=certification, partner=partner_a, user=partner_a_seller),
    }


def test_every_enablement_admin_page_renders(superuser_client, world):
    for model, obj in world.items():
        assert superuser_client.get(reverse(f"admin:enablement_{model}_changelist")).status_code == 200, model
        assert superuser_client.get(reverse(f"admin:enablement_{model}_change", args=[obj.pk])).status_code == 200, (
            model
        )


def test_lists_search_and_filter(superuser_client, world):
    def count(model, **params):
        return superuser_client.get(reverse(f"admin:enablement_{model}_changelist"), params).context["cl"].result_count

    assert count("course", q="Selling") == 1
    assert count("course", q="nothing") == 0
    assert count("course", is_published__exact="1") == 1
    assert count("asset", q="battlecard") == 1
    assert count("enrollment", q="Northwind") == 1
    assert count("certificationaward", q=world["certificationaward"].code) == 1
    assert count("certificationaward", status="active") == 1
    assert count("certificationaward", status="expired") == 0
    assert count("attempt", passed__exact="0") == 1


def test_list_query_counts_stay_bounded(superuser_client, world, partner_a, django_assert_max_num_queries):
    for n in range(5):
        AwardFactory(
            certification=world["certification"], partner=partner_a, expires_at=timezone.localdate() + timedelta(days=n)
        )
        CourseFactory()
        AssetFactory()
    for model in ("certificationaward", "course", "asset", "certification", "enrollment"):
        with django_assert_max_num_queries(14):
            assert superuser_client.get(reverse(f"admin:enablement_{model}_changelist")).status_code == 200


def test_publish_action_goes_through_the_service(superuser_client, world):
    draft = CourseFactory(title="Empty draft", is_published=False)
    ready = CourseFactory(title="Ready draft", is_published=False)
    ready.lessons.create(title="One", body="Text", position=1)
    url = reverse("admin:enablement_course_changelist")
    response = superuser_client.post(url, {"action": "publish", "_selected_action": [draft.pk, ready.pk]}, follow=True)
    text = response.content.decode()
    assert "Add at least one lesson before publishing the course." in text
    assert "1 course(s) published." in text
    assert set(Course.objects.filter(is_published=True).values_list("title", flat=True)) == {
        "Selling the platform",
        "Ready draft",
    }
    assert AuditEvent.objects.filter(verb="enablement.course_updated", target_id=str(ready.pk)).exists()


def test_asset_and_certification_actions(superuser_client, world):
    asset, certification = world["asset"], world["certification"]
    superuser_client.post(
        reverse("admin:enablement_asset_changelist"), {"action": "unpublish", "_selected_action": [asset.pk]}
    )
    asset.refresh_from_db()
    assert not asset.is_published
    superuser_client.post(
        reverse("admin:enablement_certification_changelist"),
        {"action": "deactivate", "_selected_action": [certification.pk]},
    )
    certification.refresh_from_db()
    assert not certification.is_active
    assert AuditEvent.objects.filter(verb="enablement.certification_updated").exists()


def test_awards_and_learning_records_are_read_only(superuser_client, world):
    award = world["certificationaward"]
    for url in (
        reverse("admin:enablement_certificationaward_add"),
        reverse("admin:enablement_certificationaward_delete", args=[award.pk]),
        reverse("admin:enablement_enrollment_delete", args=[world["enrollment"].pk]),
        reverse("admin:enablement_attempt_add"),
        reverse("admin:enablement_course_add"),
        reverse("admin:enablement_asset_add"),
    ):
        assert superuser_client.get(url).status_code == 403, url
    response = superuser_client.post(
        reverse("admin:enablement_certificationaward_change", args=[award.pk]), {"expires_at": "2099-01-01"}
    )
    assert response.status_code == 403
    award.refresh_from_db()
    assert award.expires_at.year != 2099
    page = superuser_client.get(reverse("admin:enablement_certificationaward_change", args=[award.pk])).content.decode()
    assert reverse("manage:enablement_award", args=[award.pk]) in page


def test_award_export_action(superuser_client, world):
    award = world["certificationaward"]
    response = superuser_client.post(
        reverse("admin:enablement_certificationaward_changelist"),
        {"action": "export_csv", "_selected_action": [award.pk]},
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert award.code in text
    assert "Certified Seller" in text
    assert CertificationAward.objects.count() == 1
