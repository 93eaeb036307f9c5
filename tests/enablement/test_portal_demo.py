"""Every enablement page renders with the demo's realistic data (people at every status, both paths, every asset
kind) for every demo partner user: a smoke test of the templates against what `make run` shows."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from enablement import selectors
from enablement.demo import seed_enablement
from enablement.models import CertificationAward, Enrollment
from partners.models import PartnerMembership

pytestmark = pytest.mark.django_db


def test_every_portal_and_public_page_renders_with_the_demo_data():
    call_command("seed_demo", stdout=io.StringIO())
    seed_enablement(stdout=io.StringIO())
    learners = set(Enrollment.objects.values_list("user_id", flat=True))
    memberships = PartnerMembership.objects.filter(is_active=True, user_id__in=learners).select_related("user")
    assert memberships
    for membership in memberships:
        client = Client()
        client.force_login(membership.user)
        partner = membership.partner
        urls = [reverse("portal:training"), reverse("portal:training_catalogue"), reverse("portal:training_library")]
        for course in selectors.courses_for(partner=partner):
            urls.append(reverse("portal:training_course", args=[course.slug]))
            urls.append(reverse("portal:training_assessment", args=[course.slug]))
            for lesson in course.lessons.all():
                urls.append(reverse("portal:training_lesson", args=[course.slug, lesson.pk]))
        urls += [reverse("portal:training_asset", args=[a.pk]) for a in selectors.assets_for(partner=partner)]
        for award in CertificationAward.objects.filter(user=membership.user):
            urls.append(reverse("portal:training_award", args=[award.pk]))
        if membership.is_admin:
            urls.append(reverse("portal:training_team"))
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 302), (membership.user.email, url, response.status_code)
    anonymous = Client()
    for award in CertificationAward.objects.all():
        page = anonymous.get(reverse("verify", args=[award.code]))
        expected = 404 if award.revoked_at or not award.public else 200
        assert page.status_code == expected, award.code
        assert anonymous.get(reverse("verify_badge", args=[award.code])).status_code in (200, 404)
