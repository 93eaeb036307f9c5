"""Balances are the sum of the ledger's entries; the most a partner may ask is rounded down; periods follow the fiscal
calendar."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from mdf import services
from mdf.ledger import Balance, balance_of, balances_for, max_request, open_budgets, partner_balance
from mdf.models import LedgerEntry, Period
from tests.mdf.factories import approved_request, funded_budget, set_mdf

D = Decimal


def test_max_request_rounds_down_so_the_share_is_never_undercut():
    assert max_request(D("10000.00"), D("50")) == D("5000.00")
    assert max_request(D("100.01"), D("50")) == D("50.00")  # 50.005 → 50.00, not 50.01
    assert max_request(D("999.99"), D("33.33")) == D("666.69")  # 666.6933… → 666.69
    assert max_request(D("500"), D("100")) == D("0.00")


def test_balance_is_the_sum_of_entries_by_kind(partner_a):
    budget = funded_budget(partner_a, "10000")
    request = approved_request(partner=partner_a, budget=budget, amount="3000")
    for kind, amount in [
        (LedgerEntry.Kind.RELEASE, "500"),
        (LedgerEntry.Kind.PAYOUT, "2000"),
        (LedgerEntry.Kind.ALLOCATION, "-1000"),
        (LedgerEntry.Kind.EXPIRY, "250"),
    ]:
        LedgerEntry.objects.create(budget=budget, kind=kind, amount=D(amount), request=request)
    balance = balance_of(budget)
    assert balance == Balance(
        allocated=D("9000.00"),
        reserved=D("500.00"),  # 3000 reserved − 500 released − 2000 paid
        paid=D("2000.00"),
        expired=D("250.00"),
        available=D("6250.00"),
        currency="USD",
    )
    assert balance.spent == D("2500.00")


def test_balances_for_many_budgets_is_one_query(partner_a, partner_b, django_assert_num_queries):
    a = funded_budget(partner_a, "100")
    b = funded_budget(partner_b, "200")
    empty = services.budget_for(partner=partner_a, period=services.period_for(date(2031, 1, 5)))
    with django_assert_num_queries(1):
        balances = balances_for([a, b, empty])
    assert balances[a.pk].available == D("100")
    assert balances[b.pk].available == D("200")
    assert balances[empty.pk] == Balance.empty("USD")
    assert balances_for([]) == {}


def test_periods_follow_the_fiscal_calendar(db):
    period = services.period_for(date(2026, 8, 14))
    assert (period.name, period.starts_on, period.ends_on) == ("FY2026 Q3", date(2026, 7, 1), date(2026, 9, 30))
    assert services.period_for(date(2026, 9, 30)) == period  # the same row, found again
    assert services.next_period(period).name == "FY2026 Q4"
    set_mdf(fiscal_year_start_month=7, period_months=6)
    half = services.period_for(date(2027, 2, 1))
    assert (half.name, half.starts_on, half.ends_on) == ("FY2027 H2", date(2027, 1, 1), date(2027, 6, 30))
    set_mdf(fiscal_year_start_month=4, period_months=12)
    year = services.period_for(date(2028, 3, 31))
    assert (year.name, year.starts_on, year.ends_on) == ("FY2028", date(2027, 4, 1), date(2028, 3, 31))


def test_partner_balance_and_open_budgets_leave_out_expired_funds(partner_a):
    today = date(2026, 8, 14)
    current = funded_budget(partner_a, "1000", period=services.period_for(today))
    future = funded_budget(partner_a, "500", period=services.period_for(date(2026, 11, 1)))
    past = funded_budget(partner_a, "700", period=services.period_for(date(2026, 5, 1)))
    assert partner_balance(partner=partner_a, today=today).available == D("1500.00")
    assert [b for b, _ in open_budgets(partner=partner_a, today=today)] == [current, future]
    # Within the grace days, last quarter's funds are still there.
    set_mdf(expiry_grace_days=60)
    assert partner_balance(partner=partner_a, today=today).available == D("2200.00")
    assert [b for b, _ in open_budgets(partner=partner_a, today=today)] == [past, current, future]
    Period.objects.filter(pk=past.period_id).update(funds_expired_at="2026-08-01T00:00:00Z")
    assert partner_balance(partner=partner_a, today=today).available == D("1500.00")


def test_an_entry_other_than_an_allocation_is_never_negative(partner_a):
    from django.db import IntegrityError, transaction

    budget = funded_budget(partner_a, "100")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(budget=budget, kind=LedgerEntry.Kind.RESERVATION, amount=D("-5"))
    assert LedgerEntry.objects.filter(budget=budget).count() == 1
    assert balance_of(budget).available == D("100.00")
    assert services.period_for(date.today()).ends_on >= date.today() - timedelta(days=1)
