"""The MDF ledger as a statement in a real browser, on a 390 px phone: the partner's own ledger and the channel
team's show signed amounts and the balance after each entry, and neither page scrolls sideways (the table scrolls
in its own box)."""

from decimal import Decimal

import pytest

from mdf.ledger import entry_add
from mdf.models import LedgerEntry
from tests.e2e.test_journeys import sign_in
from tests.mdf.factories import approved_request, funded_budget

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
FITS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"


def test_both_ledgers_fit_a_phone(live_server, browser, channel_manager, partner_a, partner_a_admin):
    budget = funded_budget(partner_a, "10000")
    request = approved_request(partner=partner_a, budget=budget, amount="2500", title="Roadshow in Lyon")
    entry_add(budget=budget, kind=LedgerEntry.Kind.PAYOUT, amount=Decimal("2500"), request=request)
    base = live_server.url
    for user, path in ((partner_a_admin, "/portal/mdf/ledger/"), (channel_manager, "/manage/mdf/ledger/")):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        sign_in(page, base, user.email)
        page.goto(f"{base}{path}?partner={partner_a.pk}")
        assert page.get_by_text("+$10,000.00").is_visible()
        assert page.get_by_text("−$2,500.00").is_visible()
        assert page.locator(".mdf-balance").first.inner_text() == "$7,500.00"  # the payout leaves it as it was
        assert page.evaluate(FITS), f"{path} scrolls sideways at 390 px"
        context.close()
