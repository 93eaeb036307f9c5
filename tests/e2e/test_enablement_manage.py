"""The channel manager's enablement pages in a real browser: the empty overview says where to start; with a
catalogue and certified partners, the overview, the partners × certifications grid and a course page (lessons,
assessment, learners with their attempts) render, and a new course is created from the form. Screenshots go to
var/screenshots/enablement_manage_*.png."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from enablement.models import AssetView, Course
from partners.models import Partner, Tier
from tests.e2e.test_journeys import sign_in
from tests.enablement.factories import (
    AssetFactory,
    AwardFactory,
    CertificationFactory,
    EnrollmentFactory,
    course_with_assessment,
    learner,
)
from tests.factories import PartnerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _catalogue():
    today = timezone.localdate()
    gold = Tier.objects.get_or_create(name="Gold", defaults={"rank": 30})[0]
    course, _ = course_with_assessment(title="Selling the platform", slug="selling-the-platform", role="sales")
    tech, _ = course_with_assessment(title="Deploying the platform", slug="deploying-the-platform", role="technical")
    seller = CertificationFactory(name="Certified Seller", courses=[course])
    engineer = CertificationFactory(name="Certified Engineer", courses=[tech], validity_months=24)
    north = PartnerFactory(name="Northwind Solutions", tier=gold, type=Partner.Type.MSP)
    contoso = PartnerFactory(name="Contoso Partners", type=Partner.Type.SI)
    PartnerFactory(name="Fabrikam Resellers", type=Partner.Type.RESELLER)
    people = [learner(north, first_name=n, last_name="North") for n in ("Anna", "Sam", "Lee")]
    AwardFactory(certification=seller, partner=north, user=people[0], expires_at=today + timedelta(days=12))
    AwardFactory(certification=seller, partner=north, user=people[1])
    AwardFactory(certification=engineer, partner=north, user=people[2])
    olga = learner(contoso, first_name="Olga", last_name="Contoso")
    AwardFactory(certification=seller, partner=contoso, user=olga, expires_at=today + timedelta(days=40))
    stuck = EnrollmentFactory(course=course, partner=contoso, user=learner(contoso, first_name="Ivan", last_name="K"))
    for number in (1, 2, 3):
        stuck.attempts.create(number=number, run=1, score=33 + number * 10, passed=False)
    EnrollmentFactory(course=course, partner=north, user=people[0], seconds_spent=3000)
    asset = AssetFactory(title="Competitive battlecard")
    AssetView.objects.create(asset=asset, user=people[0], partner=north)
    return course


def test_manager_enablement_pages(live_server, new_page, shot, channel_manager, tmp_path):
    base = live_server.url
    page = new_page()
    sign_in(page, base, channel_manager.email)
    page.wait_for_url(f"{base}/manage/")

    # Empty: the overview says where to start.
    page.goto(f"{base}/manage/enablement/")
    assert page.get_by_role("heading", name="Get your partners learning").is_visible()
    shot(page, "enablement_manage_empty")

    course = _catalogue()
    page.goto(f"{base}/manage/enablement/")
    assert page.get_by_role("heading", name="Expiring soon").is_visible()
    assert page.get_by_text("in 12 days").is_visible()
    shot(page, "enablement_manage_overview")

    page.get_by_role("link", name="Partner grid").click()
    page.wait_for_url(re.compile(r"/manage/enablement/grid/$"))
    row = page.get_by_role("row", name=re.compile("Northwind Solutions"))
    assert row.get_by_role("cell").first.inner_text() == "3"
    shot(page, "enablement_manage_grid")
    row.get_by_role("link", name="Northwind Solutions").click()
    page.wait_for_url(re.compile(r"/manage/enablement/partners/\d+/$"))
    assert page.get_by_role("heading", name="Northwind Solutions: competency").is_visible()
    shot(page, "enablement_manage_partner")

    page.goto(f"{base}/manage/enablement/courses/{course.pk}/")
    assert page.get_by_role("heading", name="Learners").is_visible()
    page.get_by_text("Grant another attempt").click()
    page.fill("textarea[name=reason]", "The quiz timed out on a bad connection.")
    shot(page, "enablement_manage_course")
    with page.expect_navigation():
        page.get_by_role("button", name="Grant one more attempt").click()
    assert page.get_by_text("can take the assessment once more").is_visible()

    # A new course from the form: a bad number is said next to the field, then it is created as a draft.
    page.goto(f"{base}/manage/enablement/courses/new/")
    page.fill("input[name=title]", "Marketing with us")
    page.fill("input[name=estimated_minutes]", "0")
    page.get_by_role("button", name="Create the course").click()
    page.get_by_text("The estimated minutes is at least 1.").wait_for()
    assert page.input_value("input[name=title]") == "Marketing with us"
    page.fill("input[name=estimated_minutes]", "20")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the course").click()
    assert page.get_by_text("This draft has no lesson yet").is_visible()
    assert Course.objects.filter(title="Marketing with us", is_published=False).exists()
    shot(page, "enablement_manage_new_course")

    # A file of the wrong type is refused next to the field; what was typed stays.
    page.goto(f"{base}/manage/enablement/library/new/")
    page.fill("input[name=title]", "Partner pricing sheet")
    page.select_option("select[name=kind]", "document")
    bad = tmp_path / "pricing.exe"
    bad.write_bytes(b"MZ\x90\x00not a document")
    page.set_input_files("input[name=file]", str(bad))
    page.get_by_role("button", name="Add to the library").click()
    page.get_by_text("“pricing.exe” is not a type we accept").wait_for()
    assert page.input_value("input[name=title]") == "Partner pricing sheet"
    shot(page, "enablement_manage_asset_error")
