"""'On this deal you would earn …' on the partner's registration page and in the deal form's live panel, and 'earns
the partner …' on the manager's registration page (issue 16, item 2), through dealreg's estimator hook: dealreg never
imports incentives, and works without an estimator."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg.hooks import _ESTIMATORS, deal_estimates, unregister_deal_estimator
from dealreg.models import Product, Registration
from incentives.models import EarningLine
from incentives.services import accrue_for_won
from tests.incentives.helpers import moment, pct, published_version, with_rules, won_deal

pytestmark = pytest.mark.django_db
ESTIMATE = "/portal/deals/estimate/"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "deal-estimate"}


@pytest.fixture
def plan(db):
    today = timezone.localdate()
    version = published_version(1, today - timedelta(days=30))
    return with_rules(
        version,
        payouts=[
            {"involvement": "sourced", **pct("10")},
            {"involvement": "influenced", **pct("4")},
        ],
        boosts=[
            {
                "name": "DACH push",
                "kind": "extra_percent",
                "value": Decimal("2"),
                "starts_on": today - timedelta(days=5),
                "ends_on": today + timedelta(days=5),
                "country": "DE",
            }
        ],
    )


def _deal(partner, created_by, *, status=Registration.Status.SUBMITTED, value="50000", name="Initech rollout", **more):
    return Registration.objects.create(
        partner=partner,
        name=name,
        status=status,
        involvement=more.pop("involvement", "sourced"),
        currency=more.pop("currency", "USD"),
        value=Decimal(value),
        created_by=created_by,
        submitted_at=timezone.now(),
        **more,
    )


def _estimate(client, **params):
    response = client.get(ESTIMATE, params, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


# --- The partner's registration page -------------------------------------------------------------------------------


def test_the_registration_page_shows_what_the_deal_would_earn(admin_client_a, partner_a, partner_a_admin, plan):
    deal = _deal(partner_a, partner_a_admin)
    page = admin_client_a.get(f"/portal/deals/{deal.pk}/").content.decode()
    assert "What this deal earns you" in page
    assert "If you win it at this value, this deal earns you $5,000.00" in page
    assert "10% of $50,000.00" in page
    assert "(plan version 1)" in page
    assert 'href="/portal/incentives/plan/"' in page


def test_an_approved_deal_keeps_the_version_it_was_approved_under(admin_client_a, partner_a, partner_a_admin, plan):
    """Approved under v1 (10%); v2 (12%) took effect since: the page still says 10%. A draft gets v2's 12%."""
    today = timezone.localdate()
    v2 = published_version(2, today - timedelta(days=3))
    with_rules(v2, payouts=[{"involvement": "sourced", **pct("12")}])
    approved = _deal(
        partner_a,
        partner_a_admin,
        status=Registration.Status.APPROVED,
        decided_at=moment(today - timedelta(days=10)),
    )
    draft = _deal(partner_a, partner_a_admin, status=Registration.Status.DRAFT, name="Hooli pilot", value="20000")

    page = admin_client_a.get(f"/portal/deals/{approved.pk}/").content.decode()
    assert "this deal earns you $5,000.00" in page
    assert "(plan version 1)" in page
    page = admin_client_a.get(f"/portal/deals/{draft.pk}/").content.decode()
    assert "this deal earns you $2,400.00" in page
    assert "(plan version 2)" in page


def test_a_deal_the_plan_pays_nothing_for_says_why(admin_client_a, partner_a, partner_a_admin, plan):
    deal = _deal(partner_a, partner_a_admin, involvement="cosell")
    page = admin_client_a.get(f"/portal/deals/{deal.pk}/").content.decode()
    assert "This deal would earn nothing under the plan." in page


def test_a_won_deal_shows_what_it_earned_and_links_its_lines(admin_client_a, partner_a, plan):
    today = timezone.localdate()
    deal = won_deal(partner_a, amount="20000", approved=today - timedelta(days=10), won=today - timedelta(days=1))
    accrue_for_won(registration=deal)
    line = EarningLine.objects.get(registration=deal)
    page = admin_client_a.get(f"/portal/deals/{deal.pk}/").content.decode()
    assert "What this deal earned you" in page
    assert "If you win it" not in page  # the lines, not an estimate
    assert f'<a href="/portal/earnings/lines/{line.pk}/">$2,000.00</a>' in page
    assert "(accrued)" in page
    assert 'href="/portal/earnings/"' in page


@pytest.mark.parametrize(
    ("status", "value"),
    [
        (Registration.Status.LOST, "50000"),
        (Registration.Status.REJECTED, "50000"),
        (Registration.Status.DRAFT, "0"),
        (Registration.Status.WON, "50000"),  # won, but nothing accrued (yet)
    ],
)
def test_closed_deals_and_deals_without_a_value_show_nothing(
    admin_client_a, partner_a, partner_a_admin, plan, status, value
):
    deal = _deal(partner_a, partner_a_admin, status=status, value=value)
    response = admin_client_a.get(f"/portal/deals/{deal.pk}/")
    assert response.status_code == 200
    assert "What this deal earn" not in response.content.decode()


def test_sales_users_see_it_on_their_own_deals_only(
    seller_client_a, partner_a, partner_a_seller, partner_a_admin, plan
):
    mine = _deal(partner_a, partner_a_seller)
    theirs = _deal(partner_a, partner_a_admin, name="Hooli pilot")
    assert "this deal earns you $5,000.00" in seller_client_a.get(f"/portal/deals/{mine.pk}/").content.decode()
    page = seller_client_a.get(f"/portal/deals/{theirs.pk}/").content.decode()
    assert "What this deal earns you" not in page
    assert "$5,000.00" not in page


def test_another_partners_deal_is_not_found(admin_client_a, partner_b, partner_b_user, plan):
    deal = _deal(partner_b, partner_b_user)
    assert admin_client_a.get(f"/portal/deals/{deal.pk}/").status_code == 404


# --- The deal form's live panel ------------------------------------------------------------------------------------


def test_the_deal_form_carries_the_live_panel(admin_client_a, plan):
    page = admin_client_a.get("/portal/deals/new/").content.decode()
    assert 'id="deal-estimate"' in page
    assert f'hx-get="{ESTIMATE}"' in page


def test_the_live_panel_estimates_the_typed_deal(admin_client_a, plan):
    text = _estimate(admin_client_a, value="30000", currency="usd", involvement="influenced")
    assert "On this deal, won today, you would earn $1,200.00" in text
    assert "4% of $30,000.00" in text


def test_the_live_panel_counts_a_boost_for_the_typed_country(admin_client_a, plan):
    text = _estimate(admin_client_a, value="30000", currency="EUR", involvement="sourced", country="de")
    assert "you would earn €3,600.00" in text  # 10% = 3,000 + 2% DACH push = 600
    assert "DACH push" in text
    text = _estimate(admin_client_a, value="30000", currency="EUR", involvement="sourced", country="FR")
    assert "you would earn €3,000.00" in text
    assert "DACH push" not in text


def test_the_live_panel_reads_the_picked_catalogue_products(admin_client_a, plan):
    today = timezone.localdate()
    with_rules(
        plan,
        boosts=[
            {
                "name": "Analytics launch",
                "kind": "extra_percent",
                "value": Decimal("1"),
                "starts_on": today - timedelta(days=1),
                "ends_on": today + timedelta(days=1),
                "product": "Analytics",
            }
        ],
    )
    analytics = Product.objects.create(name="Analytics")
    text = _estimate(
        admin_client_a, value="10000", currency="USD", involvement="sourced", catalogue_products=[analytics.pk]
    )
    assert "you would earn $1,100.00" in text
    assert "Analytics launch" in text


def test_sales_users_get_the_live_estimate_for_the_deal_they_type(seller_client_a, plan):
    assert "you would earn $500.00" in _estimate(seller_client_a, value="5000", currency="USD", involvement="sourced")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"value": ""},
        {"value": "0"},
        {"value": "lots"},
        {"value": "-5"},
        {"value": "NaN"},
        {"value": "Infinity"},
        {"value": "1e309"},
        {"value": "30,000"},  # the form refuses it on save, so no estimate either
        {"value": "12.345"},
        {"value": "9" * 40, "currency": "ÜÜÜ"},
        {"value": "100", "currency": "XYZ", "involvement": "sourced"},
        {"value": "100", "currency": "USD", "involvement": "nonsense"},
        {"value": "100", "currency": "USD"},  # no involvement picked
        {"value": "100\x00", "currency": "USD", "involvement": "sourced"},
    ],
)
def test_junk_gives_no_estimate_and_no_error(admin_client_a, plan, params):
    assert _estimate(admin_client_a, **params).strip() == ""


def test_junk_products_and_country_are_ignored(admin_client_a, plan):
    text = _estimate(
        admin_client_a,
        value="100",
        currency="USD",
        involvement="sourced",
        country="ZZ\x00",
        catalogue_products=["x", "99999999999", "-1"],
        products="<script>alert(1)</script>" * 100,
    )
    assert "you would earn $10.00" in text
    assert "<script>" not in text


def test_the_live_panel_opened_as_a_page_goes_to_the_deal_form(admin_client_a, plan):
    response = admin_client_a.get(ESTIMATE, {"value": "1000"})
    assert response.status_code == 302
    assert response["Location"] == "/portal/deals/new/"


def test_the_live_panel_is_for_partners_only(manager_client, client, plan):
    assert manager_client.get(ESTIMATE, {"value": "1000"}, **HTMX).status_code == 404
    assert client.get(ESTIMATE, {"value": "1000"}, **HTMX).status_code == 302  # to sign in


# --- No plan, no estimator, a failing estimator --------------------------------------------------------------------


def test_no_plan_in_force_shows_nothing(admin_client_a, partner_a, partner_a_admin):
    deal = _deal(partner_a, partner_a_admin)
    assert "What this deal earns you" not in admin_client_a.get(f"/portal/deals/{deal.pk}/").content.decode()
    assert _estimate(admin_client_a, value="1000", currency="USD", involvement="sourced").strip() == ""


def test_dealreg_works_without_an_estimator(admin_client_a, manager_client, partner_a, partner_a_admin, plan):
    saved = dict(_ESTIMATORS)
    unregister_deal_estimator("incentives")
    try:
        deal = _deal(partner_a, partner_a_admin)
        response = admin_client_a.get(f"/portal/deals/{deal.pk}/")
        assert response.status_code == 200
        assert "What this deal earns you" not in response.content.decode()
        assert _estimate(admin_client_a, value="1000", currency="USD", involvement="sourced").strip() == ""
        response = manager_client.get(f"/manage/deals/{deal.pk}/")
        assert response.status_code == 200
        assert "earns the partner" not in response.content.decode()
        assert deal_estimates(registration=deal) == []
    finally:
        _ESTIMATORS.clear()
        _ESTIMATORS.update(saved)


def test_a_failing_estimator_never_breaks_the_page(admin_client_a, partner_a, partner_a_admin, plan, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(_ESTIMATORS, "broken", broken)
    deal = _deal(partner_a, partner_a_admin)
    page = admin_client_a.get(f"/portal/deals/{deal.pk}/")
    assert page.status_code == 200
    assert "$5,000.00" in page.content.decode()  # the working estimator still shows
    assert "you would earn $500.00" in _estimate(admin_client_a, value="5000", currency="USD", involvement="sourced")


def test_an_unknown_audience_is_a_programming_error(partner_a, partner_a_admin, plan):
    with pytest.raises(ValueError, match="Unknown audience"):
        deal_estimates(registration=_deal(partner_a, partner_a_admin), audience="public")


# --- The manager's registration page -------------------------------------------------------------------------------


def test_the_manager_page_shows_what_the_deal_earns_the_partner(manager_client, partner_a, partner_a_admin, plan):
    deal = _deal(partner_a, partner_a_admin, value="80000")
    page = manager_client.get(f"/manage/deals/{deal.pk}/").content.decode()
    assert "What this deal earns the partner" in page
    assert "If it is won at this value, this deal earns the partner $8,000.00" in page
    assert "earns you" not in page


def test_the_manager_page_shows_what_a_won_deal_earned(manager_client, partner_a, plan):
    today = timezone.localdate()
    deal = won_deal(partner_a, amount="20000", approved=today - timedelta(days=10), won=today - timedelta(days=1))
    accrue_for_won(registration=deal)
    page = manager_client.get(f"/manage/deals/{deal.pk}/").content.decode()
    assert "What this deal earned the partner" in page
    assert "$2,000.00" in page
    assert f'href="/manage/incentives/earnings/?partner={partner_a.pk}"' in page
