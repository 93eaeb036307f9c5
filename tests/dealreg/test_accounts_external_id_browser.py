"""The accounts list and an account's page with the CRM's ids, in real chromium at 390 px and on a desktop: nothing
wider than the screen; screenshots in var/screenshots/accounts-*.png."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.dealreg.factories_accounts import AccountFactory, OpportunityFactory

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _page(browser, live_server, user, width: int):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context.new_page()


@pytest.mark.parametrize("width", [390, 1280])
def test_accounts_pages_with_external_ids_fit(browser, live_server, channel_manager, width):
    globex = AccountFactory(
        name="Globex Corporation", website="globex.com", industry="Energy", external_id="0015g00000GlobexCorpAA"
    )
    AccountFactory(name="Hooli", website="hooli.com", is_customer=True)
    OpportunityFactory(account=globex, title="Platform rollout", amount=Decimal("48000"), external_id="0065g000008Q")
    page = _page(browser, live_server, channel_manager, width)
    for name, path in (
        ("list", reverse("manage:account_list")),
        ("detail", reverse("manage:account_detail", args=[globex.pk])),
    ):
        page.goto(live_server.url + path)
        assert page.get_by_text("0015g00000GlobexCorpAA").first.is_visible()
        fits = page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"accounts-{name}-{width}.png"), full_page=True)
        assert fits, f"the {name} page is wider than {width} px"
    page.context.close()
