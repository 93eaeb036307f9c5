"""The locator journey in a real browser: a visitor finds a partner on the public locator (filters, on a phone
too), asks it to get in touch, confirms by the emailed link; the partner's admin signs in, accepts the lead offered
to it and sees the deal registration it became. Screenshots at desktop and 390 px in /tmp/shots/locator/."""

import re
import tempfile
from pathlib import Path

import pytest
from django.core import mail

from partners.models import Partner, PublicProfile
from partners.models.locator import ContactRequest
from tests.e2e.test_journeys import sign_in
from tests.factories import PartnerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(tempfile.gettempdir()) / "shots" / "locator"  # /tmp/shots/locator
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def screenshot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        viewport = page.viewport_size["width"]
        assert width <= viewport, f"{name}: the page is {width}px wide in a {viewport}px window"

    return take


@pytest.fixture
def listed_partners(partner_a, partner_a_admin):
    """Northwind (DACH, retail) is listed; Contoso (France, healthcare) too; a dormant one opted in but is hidden."""
    Partner.objects.filter(pk=partner_a.pk).update(countries=["DE", "AT"], verticals=["Retail", "Manufacturing"])
    PublicProfile.objects.create(
        partner=partner_a,
        listed=True,
        slug="northwind-solutions",
        headline="Rollouts and managed service for retail in DACH",
        description="We implement and run the platform for mid-sized retailers.",
        services=["Implementation", "Training", "Managed service"],
    )
    contoso = PartnerFactory(name="Contoso Health", countries=["FR"], verticals=["Healthcare"])
    PublicProfile.objects.create(partner=contoso, listed=True, slug="contoso-health", headline="Clinics in France")
    dormant = PartnerFactory(name="Sleepy Systems", status=Partner.Status.DORMANT, countries=["DE"])
    PublicProfile.objects.create(partner=dormant, listed=True, slug="sleepy-systems")
    return partner_a


def _confirm_path() -> str:
    """The confirmation link's path (emails carry SITE_URL; the live server listens elsewhere)."""
    [message] = [m for m in mail.outbox if "rosa@initech.example.com" in m.to]
    return re.search(r"/partners/find/confirm/[^\s/]+/", message.body).group(0)


def test_a_visitor_finds_a_partner_contacts_it_and_the_partner_accepts_the_lead(
    live_server, new_page, browser, screenshot, listed_partners, partner_a_admin
):
    base = live_server.url

    # 1. A visitor on a phone opens the locator from the sign-in page and filters by country and industry.
    phone_context = browser.new_context(viewport=PHONE)
    phone = phone_context.new_page()
    phone.goto(f"{base}/accounts/login/")
    phone.get_by_role("link", name="Find a partner").click()
    phone.wait_for_url(f"{base}/partners/find/")
    assert phone.get_by_role("link", name="Northwind Solutions", exact=True).is_visible()
    assert phone.get_by_role("link", name="Contoso Health", exact=True).is_visible()
    assert phone.get_by_text("Sleepy Systems").count() == 0  # dormant: never shown
    screenshot(phone, "journey-find-phone")
    phone.get_by_text("Filters", exact=True).click()
    phone.select_option("select[name=country]", "DE")
    phone.select_option("select[name=vertical]", "Retail")
    phone.get_by_role("button", name="Apply filters").click()
    phone.wait_for_url(re.compile(r"country=DE"))
    assert phone.get_by_text("1 partner").is_visible()
    assert phone.get_by_role("link", name="Contoso Health", exact=True).count() == 0
    screenshot(phone, "journey-find-filtered-phone")
    phone.get_by_role("link", name="Northwind Solutions", exact=True).click()
    phone.wait_for_url(f"{base}/partners/find/northwind-solutions/")
    screenshot(phone, "journey-profile-phone")
    phone_context.close()

    # 2. On a desktop, the visitor reads the profile and asks Northwind to get in touch.
    visitor = new_page()
    visitor.goto(f"{base}/partners/find/")
    screenshot(visitor, "journey-find-desktop")
    visitor.get_by_role("link", name="Northwind Solutions", exact=True).click()
    visitor.wait_for_url(f"{base}/partners/find/northwind-solutions/")
    assert visitor.title().startswith("Northwind Solutions: Value-added reseller")
    screenshot(visitor, "journey-profile-desktop")
    visitor.get_by_role("button", name="Contact Northwind Solutions").click()
    visitor.wait_for_url(f"{base}/partners/find/northwind-solutions/contact/")
    visitor.fill("input[name=company_name]", "Initech GmbH")
    visitor.fill("input[name=website]", "https://initech.example.com")
    visitor.select_option("select[name=country]", "DE")
    visitor.select_option("select[name=size]", "201-1000")
    visitor.fill("input[name=industry]", "Retail")
    visitor.fill("input[name=contact_name]", "Rosa Díaz")
    visitor.fill("input[name=contact_email]", "rosa@initech.example.com")
    visitor.fill("input[name=interest]", "Analytics rollout in 12 stores")
    visitor.fill("textarea[name=message]", "We would like a demo in January.")
    screenshot(visitor, "journey-contact-desktop")
    visitor.get_by_role("button", name="Send my request").click()
    visitor.wait_for_url(f"{base}/partners/find/northwind-solutions/contact/sent/")
    assert visitor.get_by_role("heading", name="Check your email").is_visible()
    screenshot(visitor, "journey-check-email-desktop")
    assert ContactRequest.objects.get().status == ContactRequest.Status.PENDING

    # 3. The visitor opens the emailed link (on the phone) and confirms: only now is there a lead.
    from leads.models import Lead

    assert not Lead.objects.exists()
    phone_context = browser.new_context(viewport=PHONE)
    phone = phone_context.new_page()
    phone.goto(base + _confirm_path())
    assert phone.get_by_role("heading", name="Confirm your request").is_visible()
    screenshot(phone, "journey-confirm-phone")
    phone.get_by_role("button", name="Confirm my request").click()
    phone.wait_for_url(re.compile(r"/done/$"))
    assert phone.get_by_role("heading", name="Thank you, your request is confirmed").is_visible()
    screenshot(phone, "journey-confirmed-phone")
    phone.goto(base + _confirm_path())  # the link again: already used
    assert phone.get_by_role("heading", name="This request is already confirmed").is_visible()
    phone_context.close()

    lead = Lead.objects.get()
    assert lead.source == "locator"
    assert lead.preferred_partner_id == listed_partners.pk
    offer = lead.offers.get()
    assert offer.partner_id == listed_partners.pk

    # 4. Northwind's admin signs in, sees the offer (no contact details yet), accepts it, sees the registration.
    anna = new_page()
    sign_in(anna, base, partner_a_admin.email)
    anna.goto(f"{base}/portal/leads/")
    screenshot(anna, "journey-portal-offers-desktop")
    anna.goto(f"{base}/portal/leads/offers/{offer.pk}/")
    assert anna.get_by_text("rosa@initech.example.com").count() == 0  # hidden until accepted
    screenshot(anna, "journey-portal-offer-desktop")
    anna.get_by_role("button", name="Accept the lead").click()
    anna.wait_for_load_state()
    screenshot(anna, "journey-portal-accepted-desktop")
    assert anna.get_by_text("rosa@initech.example.com").first.is_visible()
    registration_link = anna.get_by_role("button", name="Open your deal registration")
    assert registration_link.is_visible()
    registration_link.click()
    anna.wait_for_url(re.compile(r"/portal/deals/\d+/"))
    assert anna.get_by_text("Initech GmbH").first.is_visible()
    screenshot(anna, "journey-portal-registration-desktop")
    lead.refresh_from_db()
    assert lead.registration is not None
    assert lead.registration.partner_id == listed_partners.pk

    # 5. The partner admin's public profile page, on a phone.
    phone_context = browser.new_context(viewport=PHONE)
    phone = phone_context.new_page()
    sign_in(phone, base, partner_a_admin.email)
    phone.goto(f"{base}/portal/profile/public/")
    assert phone.get_by_text("Shown in the partner locator").is_visible()
    screenshot(phone, "journey-portal-public-profile-phone")
    phone_context.close()
