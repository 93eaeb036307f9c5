"""The incentives pages at 390 px in real chromium: nothing wider than the screen; screenshots saved in
var/screenshots/incentives-*.png (manager plan and version editor, partner plan with a calculation, earnings)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from incentives.services import accrue_for_won
from tests.incentives.helpers import draft_version, pct, published_version, with_rules, won_deal

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _page_for(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def _fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_incentives_pages_fit_a_phone(browser, live_server, program_admin, partner_a, partner_a_admin):
    """The session's one chromium (tests/e2e/conftest.py): a second Playwright in the same run cannot start."""
    today = timezone.localdate()
    partner_a.regions = ["emea"]
    partner_a.save()
    version = with_rules(
        published_version(
            1,
            today - timedelta(days=30),
            first_win_bonus=Decimal("1000"),
            first_win_currency="USD",
            renewal_rebate_percent=Decimal("3"),
        ),
        payouts=[
            {"involvement": "sourced", **pct("10"), "currency": "USD", "cap_amount": Decimal("5000")},
            {
                "involvement": "influenced",
                "kind": "fixed",
                "fixed_amount": Decimal("500"),
                "currency": "USD",
                "min_deal_amount": Decimal("10000"),
            },
        ],
        boosts=[
            {
                "name": "EMEA spring push",
                "kind": "extra_percent",
                "value": Decimal("2"),
                "starts_on": today - timedelta(days=3),
                "ends_on": today + timedelta(days=20),
                "region": "emea",
            }
        ],
    )
    draft = with_rules(draft_version(2), payouts=[{"involvement": "sourced", **pct("12")}])
    for i, amount in enumerate(("48000", "80000", "12500")):
        deal = won_deal(
            partner_a,
            amount=amount,
            approved=today - timedelta(days=5),
            won=today - timedelta(days=i),
            name=f"Acme rollout phase {i + 1} with a long customer name",
        )
        accrue_for_won(registration=deal)
    pages = [
        (program_admin, "/manage/incentives/", "manage-plan"),
        (program_admin, f"/manage/incentives/versions/{version.pk}/", "manage-version"),
        (program_admin, f"/manage/incentives/versions/{draft.pk}/", "manage-draft"),
        (program_admin, "/manage/incentives/earnings/", "manage-earnings"),
        (partner_a_admin, "/portal/incentives/plan/?amount=80000&currency=USD&involvement=sourced", "portal-plan"),
        (partner_a_admin, "/portal/earnings/", "portal-earnings"),
    ]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    too_wide = []
    for user, path, name in pages:
        page = _page_for(browser, live_server, user)
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.screenshot(path=str(SCREENSHOTS / f"incentives-{name}.png"), full_page=True)
        if not _fits(page):
            too_wide.append(path)
        page.context.close()
    assert too_wide == []
