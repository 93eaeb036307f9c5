"""'On this deal you would earn …' on the partner's registration page and in the deal form's live panel (issue 16,
item 2), through dealreg's estimator hook: dealreg never imports incentives, and works without an estimator."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg.hooks import _ESTIMATORS, unregister_deal_estimator
from dealreg.models import Registration
from incentives.services import accrue_for_won
from tests.incentives.helpers import pct, published_version, with_rules, won_deal

pytestmark = pytest.mark.django_db
ESTIMATE = "/portal/deals/estimate/"


@pytest.fixture
def plan(db):
    version = published_version(1, timezone.localdate() - timedelta(days=30))
    return with_rules(
        version,
        payouts=[
            {"involvement": "sourced", **pct("10")},
            {"involvement": "influenced", **pct("4")},
        ],
    )


def _deal(partner, created_by, *, status=Registration.Status.SUBMITTED, value="50000", name="Initech rollout"):
    return Registration.objects.create(
        partner=partner,
        name=name,
        status=status,
        involvement="sourced",
        currency="USD",
        value=Decimal(value),
        created_by=created_by,
        submitted_at=timezone.now(),
    )


def test_the_registration_page_shows_what_the_deal_would_earn(admin_client_a, partner_a, partner_a_admin, plan):
    deal = _deal(partner_a, partner_a_admin)
    page = admin_client_a.get(f"/portal/deals/{deal.pk}/").content.decode()
    assert "What this deal earns you" in page
    assert "If you win it at this value, this deal earns you $5,000.00" in page
    assert "10% of" in page


def test_a_won_deal_shows_what_it_earned(admin_client_a, partner_a, plan):
    today = timezone.localdate()
    deal = won_deal(partner_a, amount="20000", approved=today - timedelta(days=10), won=today - timedelta(days=1))
    accrue_for_won(registration=deal)
    page = admin_client_a.get(f"/portal/deals/{deal.pk}/").content.decode()
    assert "What this deal earned you" in page
    assert "$2,000.00" in page
    assert 'href="/portal/earnings/"' in page


def test_sales_users_see_it_on_their_own_deals_only(
    seller_client_a, partner_a, partner_a_seller, partner_a_admin, plan
):
    mine = _deal(partner_a, partner_a_seller)
    theirs = _deal(partner_a, partner_a_admin, name="Hooli pilot")
    assert "What this deal earns you" in seller_client_a.get(f"/portal/deals/{mine.pk}/").content.decode()
    assert "What this deal earns you" not in seller_client_a.get(f"/portal/deals/{theirs.pk}/").content.decode()


def test_the_live_panel_estimates_the_typed_deal(admin_client_a, plan):
    response = admin_client_a.get(ESTIMATE, {"value": "30,000", "currency": "usd", "involvement": "influenced"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "On this deal, won today, you would earn $1,200.00" in text
    assert "4% of" in text


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"value": ""},
        {"value": "lots"},
        {"value": "-5"},
        {"value": "1e309"},
        {"value": "9" * 40, "currency": "ÜÜÜ"},
        {"value": "100", "currency": "XYZ", "involvement": "nonsense", "catalogue_products": ["x", "99999999999"]},
    ],
)
def test_junk_gives_no_estimate_and_no_error(admin_client_a, plan, params):
    response = admin_client_a.get(ESTIMATE, params)
    assert response.status_code == 200
    assert "$" not in response.content.decode()


def test_no_plan_in_force_shows_nothing(admin_client_a, partner_a, partner_a_admin):
    deal = _deal(partner_a, partner_a_admin)
    assert "What this deal earns you" not in admin_client_a.get(f"/portal/deals/{deal.pk}/").content.decode()
    assert admin_client_a.get(ESTIMATE, {"value": "1000", "currency": "USD"}).content.decode().strip() == ""


def test_another_partners_deal_is_not_found(admin_client_a, partner_b, partner_b_user, plan):
    deal = _deal(partner_b, partner_b_user)
    assert admin_client_a.get(f"/portal/deals/{deal.pk}/").status_code == 404


def test_dealreg_works_without_an_estimator(admin_client_a, partner_a, partner_a_admin, plan):
    saved = dict(_ESTIMATORS)
    unregister_deal_estimator("incentives")
    try:
        deal = _deal(partner_a, partner_a_admin)
        response = admin_client_a.get(f"/portal/deals/{deal.pk}/")
        assert response.status_code == 200
        assert "What this deal earns you" not in response.content.decode()
        assert admin_client_a.get(ESTIMATE, {"value": "1000"}).status_code == 200
    finally:
        _ESTIMATORS.update(saved)


def test_a_failing_estimator_never_breaks_the_page(admin_client_a, partner_a, partner_a_admin, plan, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(_ESTIMATORS, "broken", broken)
    deal = _deal(partner_a, partner_a_admin)
    page = admin_client_a.get(f"/portal/deals/{deal.pk}/")
    assert page.status_code == 200
    assert "$5,000.00" in page.content.decode()  # the working estimator still shows
