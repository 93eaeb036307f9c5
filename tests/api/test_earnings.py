"""Earnings through the API: a partner token reads what its owner reads in the portal (admins and finance every line
of the company, a sales user the lines of their own deals), another partner's line is a 404, staff read every
partner's; totals per currency by status, never added across currencies (worked figures below)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from api.models import ApiToken
from incentives.models import EarningLine
from partners.models import PartnerMembership
from tests.api.conftest import ApiClient, _token
from tests.factories import MembershipFactory
from tests.incentives.helpers import published_version, won_deal

pytestmark = pytest.mark.django_db


def _line(partner, deal, kind, amount, currency, state, earned_on, **extra) -> EarningLine:
    line = EarningLine(
        partner=partner,
        registration=deal,
        rule_kind=kind,
        plan_version=extra.pop("version"),
        base_amount=deal.won_amount if deal else Decimal("0.00"),
        base_currency=deal.currency if deal else currency,
        amount=Decimal(amount),
        currency=currency,
        calculation=f"{kind} on the deal",
        earned_on=earned_on,
        payable_on=earned_on + timedelta(days=30),
        state=state,
        event_key=f"test:{partner.pk}:{kind}:{amount}:{earned_on}",
        **extra,
    )
    line.save()
    return line


@pytest.fixture
def ledger(partner_a, partner_b, partner_a_admin, partner_a_seller, partner_b_user):
    """Partner A: the seller's deal (USD) and the admin's deal (EUR, with a correction, and a held USD line);
    partner B: one line.

    Partner A in USD: accrued 7,200.00, approved 1,500.00, held 1,000.00 → total 9,700.00;
    in EUR: paid 4,000.00, accrued −500.00 (a correction) → total 3,500.00. The seller sees 7,200.00 + 1,500.00."""
    version = published_version(1, date(2026, 1, 1))
    sellers_deal = won_deal(
        partner_a, amount="72000", approved=date(2026, 3, 1), won=date(2026, 3, 10), created_by=partner_a_seller
    )
    admins_deal = won_deal(
        partner_a,
        amount="40000",
        currency="EUR",
        approved=date(2026, 3, 20),
        won=date(2026, 4, 2),
        name="Initech",
        created_by=partner_a_admin,
    )
    outsiders_deal = won_deal(partner_b, amount="99990", approved=date(2026, 3, 1), won=date(2026, 3, 5))
    S = EarningLine.State
    lines = {
        "payout": _line(
            partner_a, sellers_deal, "deal_payout", "7200.00", "USD", S.ACCRUED, date(2026, 3, 10), version=version
        ),
        "bonus": _line(
            partner_a, sellers_deal, "first_win", "1500.00", "USD", S.APPROVED, date(2026, 3, 10), version=version
        ),
        "paid": _line(
            partner_a,
            admins_deal,
            "deal_payout",
            "4000.00",
            "EUR",
            S.PAID,
            date(2026, 4, 2),
            version=version,
            paid_at=timezone.now(),
        ),
        "held": _line(
            partner_a,
            admins_deal,
            "boost",
            "1000.00",
            "USD",
            S.HELD,
            date(2026, 5, 1),
            version=version,
            hold_reason="Waiting for the customer's PO.",
        ),
    }
    lines["correction"] = _line(
        partner_a,
        admins_deal,
        "correction",
        "-500.00",
        "EUR",
        S.ACCRUED,
        date(2026, 4, 20),
        version=version,
        reverses=None,
    )
    lines["outsider"] = _line(
        partner_b, outsiders_deal, "deal_payout", "9999.00", "USD", S.ACCRUED, date(2026, 3, 5), version=version
    )
    return lines


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def _summary(api, **params) -> dict:
    response = api.get("/api/v1/earnings/summary", params)
    assert response.status_code == 200, response.content
    return {
        c["currency"]: {k: v["amount"] for k, v in c.items() if k != "currency"} for c in response.json()["currencies"]
    }


def test_admin_sees_every_line_of_the_company(api_a, ledger):
    ids = _ids(api_a.get("/api/v1/earnings"))
    expected = ["correction", "held", "paid", "bonus", "payout"]  # newest first
    assert ids == [ledger[name].pk for name in expected]
    held = next(i for i in api_a.get("/api/v1/earnings").json()["items"] if i["id"] == ledger["held"].pk)
    assert held["status"] == "held"
    assert held["hold_reason"] == "Waiting for the customer's PO."
    assert held["amount"] == {"amount": "1000.00", "currency": "USD"}
    assert held["subject"] == "Initech"
    assert held["base_amount"] == {"amount": "40000.00", "currency": "EUR"}


def test_sales_user_sees_only_their_deals_and_a_colleagues_line_is_404(seller_a_token, ledger):
    api = ApiClient(seller_a_token)
    assert _ids(api.get("/api/v1/earnings")) == [ledger["bonus"].pk, ledger["payout"].pk]
    assert api.get(f"/api/v1/earnings/{ledger['payout'].pk}").status_code == 200
    colleague = api.get(f"/api/v1/earnings/{ledger['paid'].pk}")
    assert colleague.status_code == 404
    assert colleague.json() == {"detail": "Not found."}
    assert _summary(api) == {
        "USD": {"accrued": "7200.00", "approved": "1500.00", "paid": "0.00", "held": "0.00", "total": "8700.00"}
    }


def test_finance_sees_every_line(partner_a, ledger):
    finance = MembershipFactory(partner=partner_a, role=PartnerMembership.Role.FINANCE).user
    api = ApiClient(_token(finance)[1])
    assert len(_ids(api.get("/api/v1/earnings"))) == 5


def test_another_partners_line_is_404(api_a, api_b, ledger):
    assert api_a.get(f"/api/v1/earnings/{ledger['outsider'].pk}").status_code == 404
    assert api_b.get(f"/api/v1/earnings/{ledger['payout'].pk}").status_code == 404
    assert _ids(api_b.get("/api/v1/earnings")) == [ledger["outsider"].pk]
    detail = api_a.get(f"/api/v1/earnings/{ledger['paid'].pk}").json()
    assert detail["partner"]["id"] == ledger["paid"].partner_id
    assert detail["paid_on"] == timezone.localdate(ledger["paid"].paid_at).isoformat()


def test_summary_per_currency_never_adds_currencies(api_a, ledger):
    assert _summary(api_a) == {
        "EUR": {"accrued": "-500.00", "approved": "0.00", "paid": "4000.00", "held": "0.00", "total": "3500.00"},
        "USD": {"accrued": "7200.00", "approved": "1500.00", "paid": "0.00", "held": "1000.00", "total": "9700.00"},
    }
    assert api_a.get("/api/v1/earnings/summary").json()["lines"] == 5
    # The same filters as the list: April's lines only (both days included).
    assert _summary(api_a, period_from="2026-04-01", period_to="2026-04-30") == {
        "EUR": {"accrued": "-500.00", "approved": "0.00", "paid": "4000.00", "held": "0.00", "total": "3500.00"},
    }
    assert _summary(api_a, status="held") == {
        "USD": {"accrued": "0.00", "approved": "0.00", "paid": "0.00", "held": "1000.00", "total": "1000.00"},
    }


def test_filters(api_a, ledger):
    assert _ids(api_a.get("/api/v1/earnings", {"status": "accrued"})) == [ledger["correction"].pk, ledger["payout"].pk]
    assert _ids(api_a.get("/api/v1/earnings", {"currency": "eur"})) == [ledger["correction"].pk, ledger["paid"].pk]
    assert _ids(api_a.get("/api/v1/earnings", {"period_from": "2026-04-02", "period_to": "2026-04-02"})) == [
        ledger["paid"].pk
    ]
    assert api_a.get("/api/v1/earnings", {"status": "spent"}).status_code == 422
    assert api_a.get("/api/v1/earnings", {"period_from": "2026-13-01"}).status_code == 422
    backwards = api_a.get("/api/v1/earnings", {"period_from": "2026-05-01", "period_to": "2026-04-01"})
    assert backwards.status_code == 400
    assert "period_to" in backwards.json()["errors"]
    assert api_a.get("/api/v1/earnings", {"currency": "euro"}).status_code == 400
    other = api_a.get("/api/v1/earnings", {"partner": ledger["outsider"].partner_id})
    assert other.status_code == 400


def test_pages(api_a, ledger):
    first = api_a.get("/api/v1/earnings", {"limit": 2}).json()
    assert [i["id"] for i in first["items"]] == [ledger["correction"].pk, ledger["held"].pk]
    second = api_a.get("/api/v1/earnings", {"limit": 2, "cursor": first["next"]}).json()
    third = api_a.get("/api/v1/earnings", {"limit": 2, "cursor": second["next"]}).json()
    assert [i["id"] for i in second["items"] + third["items"]] == [
        ledger["paid"].pk,
        ledger["bonus"].pk,
        ledger["payout"].pk,
    ]
    assert third["next"] is None
    assert api_a.get("/api/v1/earnings", {"cursor": "junk"}).status_code == 400


def test_staff_sees_every_partner_and_filters_by_partner(api_staff, ledger, partner_a):
    assert len(_ids(api_staff.get("/api/v1/earnings"))) == 6
    assert _ids(api_staff.get("/api/v1/earnings", {"partner": ledger["outsider"].partner_id})) == [
        ledger["outsider"].pk
    ]
    assert api_staff.get(f"/api/v1/earnings/{ledger['outsider'].pk}").status_code == 200
    assert _summary(api_staff)["USD"]["accrued"] == "17199.00"  # 7,200.00 + 9,999.00
    assert _summary(api_staff, partner=partner_a.pk)["USD"]["total"] == "9700.00"
    assert api_staff.get("/api/v1/earnings/999999999").status_code == 404


def test_list_query_count(api_a, ledger, django_assert_max_num_queries):
    api_a.get("/api/v1/earnings")
    with django_assert_max_num_queries(6):
        assert len(_ids(api_a.get("/api/v1/earnings"))) == 5


def test_revoked_and_expired_tokens_get_401(api_a, admin_a_token, ledger):
    token = ApiToken.objects.get(prefix=admin_a_token.split("_")[1])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_a.get("/api/v1/earnings").json()["detail"] == "This API token has expired."
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None, revoked_at=timezone.now())
    response = api_a.get("/api/v1/earnings/summary")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API token was revoked."
