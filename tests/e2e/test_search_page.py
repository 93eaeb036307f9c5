"""The managers' global search in a real browser, on a desktop and at 390 px: a query finds a partner, a person, a
registration, an account and an MDF request, grouped, each a link that opens the object; nothing is wider than a
phone; a query that finds nothing says so. Screenshots go to var/screenshots/search_*.png."""

import re
from decimal import Decimal

import pytest

from dealreg.models import Registration
from tests.dealreg.factories_accounts import AccountFactory
from tests.dealreg.factories_registrations import RegistrationFactory
from tests.e2e.test_journeys import sign_in
from tests.factories import MembershipFactory
from tests.mdf.factories import FundRequestFactory, funded_budget

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"width": 390, "height": 844}


def _too_wide(page) -> list[str]:
    """Elements of the page's content wider than the window (the shared header is base.html's own business)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('main *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 30) + ' '
                 + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"""
    )


def test_search_finds_every_kind_and_fits_a_phone(live_server, new_page, shot, channel_manager, partner_a):
    MembershipFactory(
        partner=partner_a,
        user__email="nora@northwind.example.com",
        user__first_name="Nora",
        user__last_name="Northcott",
    )
    RegistrationFactory(
        partner=partner_a,
        name="Northwind Traders International Holdings with a very long registered company name",
        value=Decimal("48000"),
        currency="EUR",
        status=Registration.Status.SUBMITTED,
    )
    AccountFactory(name="Northwind Health", is_named_account=True)
    FundRequestFactory(partner=partner_a, budget=funded_budget(partner_a, "10000"), title="Northwind roadshow")

    page = new_page()
    sign_in(page, live_server.url, channel_manager.email)
    page.wait_for_url(f"{live_server.url}/manage/")
    page.goto(f"{live_server.url}/manage/search/")
    page.locator("main").get_by_role("searchbox").fill("north")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/manage/search/\?q=north$"))
    assert page.locator("main").get_by_role("searchbox").input_value() == "north"
    for heading in ("Partners", "People", "Deal registrations", "Accounts", "MDF requests"):
        assert page.get_by_role("heading", name=re.compile(f"^{heading}")).is_visible(), heading
    shot(page, "search_desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    assert not _too_wide(page), f"wider than the 390px screen: {_too_wide(page)}"
    shot(page, "search_phone")

    page.get_by_role("link", name="Northwind Solutions").click()
    page.wait_for_url(re.compile(rf"/manage/partners/{partner_a.pk}/$"))

    page.goto(f"{live_server.url}/manage/search/?q=qqzzx")
    assert page.get_by_text("No partner, deal, account or MDF request matches “qqzzx”.").is_visible()
    assert not _too_wide(page)


def test_the_navigation_search_box_leads_to_the_results(live_server, new_page, channel_manager, partner_a):
    """The box in the manager's navigation (in the menu on a phone) opens the search page with the query."""
    page = new_page()
    sign_in(page, live_server.url, channel_manager.email)
    page.wait_for_url(f"{live_server.url}/manage/")
    box = page.locator("header .nav-wide").get_by_role("searchbox")
    box.fill(partner_a.name)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/manage/search/\?q="))
    assert page.locator("main").get_by_role("searchbox").input_value() == partner_a.name
    assert page.locator("main").get_by_role("link", name=partner_a.name).first.is_visible()
