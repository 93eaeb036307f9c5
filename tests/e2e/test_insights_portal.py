"""In a real browser: the channel manager's partner page loads the scorecard panel, the scorecard page changes
period; the partner admin's home lists its actions and "My performance" shows its own numbers. Screenshots at
1280 and 390 px wide go to var/screenshots/."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg.models import Registration
from partners.models import Partner
from tests.dealreg.factories_views import RegistrationFactory, approved
from tests.e2e.test_journeys import sign_in
from tests.enablement.factories import AwardFactory
from tests.mdf.factories import approved_request, funded_budget

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def _won(partner, name: str, value: str, currency: str, involvement: str, days_ago: int) -> None:
    now = timezone.now()
    registration = RegistrationFactory(
        partner=partner, name=name, value=Decimal(value), currency=currency, involvement=involvement
    )
    Registration.objects.filter(pk=registration.pk).update(
        status="won",
        won_amount=Decimal(value),
        submitted_at=now - timedelta(days=days_ago + 20),
        decided_at=now - timedelta(days=days_ago + 19),
        closed_at=now - timedelta(days=days_ago),
    )


@pytest.fixture
def story(partner_a, partner_a_admin, partner_a_seller):
    """Partner A with a few months of deals in two currencies, an expiring certification, MDF with a claim due."""
    Partner.objects.filter(pk=partner_a.pk).update(last_activity_at=timezone.now() - timedelta(days=3))
    _won(partner_a, "Acme rollout", "48000", "EUR", "sourced", 10)
    _won(partner_a, "Globex pilot", "12000", "USD", "influenced", 40)
    _won(partner_a, "Initech expansion", "30000", "USD", "sourced", 150)
    lost = RegistrationFactory(partner=partner_a, name="Umbrella", involvement="cosell")
    Registration.objects.filter(pk=lost.pk).update(status="lost", closed_at=timezone.now() - timedelta(days=20))
    approved(partner_a, days_left=6, name="Hooli platform", created_by=partner_a_seller, value=Decimal("25000"))
    approved(partner_a, days_left=70, name="Stark analytics", created_by=partner_a_admin, currency="EUR")
    RegistrationFactory(partner=partner_a, name="Wayne security", status="needs_info", created_by=partner_a_seller)
    RegistrationFactory(partner=partner_a, name="Wonka logistics", created_by=partner_a_admin)
    AwardFactory(partner=partner_a, user=partner_a_seller, expires_at=timezone.localdate() + timedelta(days=12))
    budget = funded_budget(partner_a, "15000")
    approved_request(
        partner=partner_a,
        budget=budget,
        title="Spring webinar series",
        claim_deadline=timezone.localdate() + timedelta(days=5),
    )
    return partner_a


def test_manager_sees_the_scorecard_panel_and_page(live_server, new_page, shot, channel_manager, story):
    page = new_page()
    sign_in(page, live_server.url, channel_manager.email)
    page.wait_for_url(re.compile(r"/manage/"))
    page.goto(f"{live_server.url}/manage/partners/{story.pk}/")
    panel = page.locator("#scorecard-panel")
    panel.wait_for()  # htmx replaced the placeholder with the panel
    assert panel.get_by_text(re.compile(r"Health \d+ / 100")).is_visible()
    shot(page, "insights-partner-page-panel")

    panel.get_by_role("link", name="Open the scorecard →").click()
    page.wait_for_url(re.compile(rf"/manage/partners/{story.pk}/scorecard/"))
    page.select_option("#sc-period", "12m")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"period=12m"))
    assert page.get_by_role("heading", name="Pipeline and deals").is_visible()
    assert page.get_by_text("Last 12 months").first.is_visible() or "12m" in page.url
    shot(page, "insights-scorecard-manage")
    page.set_viewport_size(PHONE)
    shot(page, "insights-scorecard-manage-390")


def test_partner_admin_home_and_my_performance(live_server, new_page, shot, partner_a_admin, story, partner_b):
    page = new_page()
    sign_in(page, live_server.url, partner_a_admin.email)
    page.wait_for_url(f"{live_server.url}/portal/")
    assert page.get_by_role("link", name="Extend or close “Hooli platform”").is_visible()
    assert page.get_by_role("link", name="File the claim for “Spring webinar series”").is_visible()
    shot(page, "insights-portal-home")
    page.set_viewport_size(PHONE)
    shot(page, "insights-portal-home-390")

    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_role("link", name="My performance", exact=True).first.click()
    page.wait_for_url(re.compile(r"/portal/performance/"))
    page.select_option("#sc-period", "12m")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"period=12m"))
    body = page.content()
    assert partner_b.name not in body
    assert "Ecosystem contribution" not in body
    shot(page, "insights-my-performance")
    page.set_viewport_size(PHONE)
    shot(page, "insights-my-performance-390")
