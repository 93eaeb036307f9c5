"""Monthly statements: the lines earned in a month and the payments made in it, totals per state and currency
(never added across currencies), scoped like the earnings page (a sales user's statement holds only its own deals),
printable and as a CSV with numbers as numbers."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from incentives.models import EarningLine, PayoutRun
from incentives.services import accrue_for_won, reverse_for
from incentives.services.statements import CSV_HEADER, parse_month, statement_build, statement_months
from partners.models import PartnerMembership
from prm.money import Totals
from tests.factories import MembershipFactory
from tests.incentives.helpers import moment, pct, published_version, with_rules, won_deal

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)
STATEMENT = "/portal/earnings/statements/2026-03/"
STATEMENT_CSV = "/portal/earnings/statements/2026-03.csv"


@pytest.fixture
def v1(db):
    version = published_version(1, date(2026, 1, 1), first_win_bonus=Decimal("1000"), first_win_currency="USD")
    return with_rules(
        version,
        payouts=[
            {"involvement": "sourced", **pct("10"), "currency": "USD", "cap_amount": Decimal("5000")},
            {"involvement": "sourced", **pct("8")},  # any other currency
        ],
    )


def _lines(registration) -> dict[str, EarningLine]:
    return {line.rule_kind: line for line in accrue_for_won(registration=registration)}


def _pay(lines, *, paid_on: date, reference: str, marked: date) -> PayoutRun:
    """A paid run for these lines: paid on `paid_on` (the day the money went out), marked paid on `marked`."""
    run = PayoutRun.objects.create(
        period_start=min(ln.earned_on for ln in lines),
        period_end=max(ln.earned_on for ln in lines),
        status=PayoutRun.Status.PAID,
        paid_on=paid_on,
        paid_at=moment(marked),
        payment_reference=reference,
    )
    EarningLine.objects.filter(pk__in=[ln.pk for ln in lines]).update(
        state=EarningLine.State.PAID, payout_run=run, paid_at=moment(marked)
    )
    return run


@pytest.fixture
def ledger(v1, partner_a, partner_b, partner_a_admin, partner_a_seller):
    """Partner A: Anna's February deal (first win + payout, paid on March 31 in run PAY-0331, marked paid on April 1),
    Sam's March USD deal (approved), Anna's March EUR deal (paid on April 3), Sam's April deal; partner B's March deal.
    """
    feb = _lines(
        won_deal(
            partner_a,
            amount="10000",
            approved=date(2026, 2, 1),
            won=date(2026, 2, 10),
            name="Anna's Feb deal",
            created_by=partner_a_admin,
        )
    )
    sam = _lines(
        won_deal(
            partner_a,
            amount="48000",
            approved=date(2026, 3, 1),
            won=date(2026, 3, 12),
            name="=SUM(A1) rollout",  # a name a spreadsheet would run as a formula
            created_by=partner_a_seller,
        )
    )
    anna_eur = _lines(
        won_deal(
            partner_a,
            amount="20000",
            approved=date(2026, 3, 1),
            won=date(2026, 3, 20),
            name="Anna's EUR deal",
            currency="EUR",
            created_by=partner_a_admin,
        )
    )
    april = _lines(
        won_deal(
            partner_a,
            amount="5000",
            approved=date(2026, 3, 25),
            won=date(2026, 4, 2),
            name="Sam's April deal",
            created_by=partner_a_seller,
        )
    )
    other = _lines(
        won_deal(partner_b, amount="30000", approved=date(2026, 3, 1), won=date(2026, 3, 15), name="Contoso deal")
    )
    EarningLine.objects.filter(pk=sam["deal_payout"].pk).update(state=EarningLine.State.APPROVED)
    run_march = _pay(list(feb.values()), paid_on=date(2026, 3, 31), reference="PAY-0331", marked=date(2026, 4, 1))
    run_april = _pay([anna_eur["deal_payout"]], paid_on=date(2026, 4, 3), reference="PAY-0403", marked=date(2026, 4, 3))
    return {
        "feb": feb,
        "sam": sam["deal_payout"],
        "anna_eur": anna_eur["deal_payout"],
        "april": april["deal_payout"],
        "other": other,
        "runs": (run_march, run_april),
    }


def test_worked_amounts_for_march_in_two_currencies(ledger, partner_a):
    assert ledger["sam"].amount == Decimal("4800.00")  # 10% of $48,000
    assert ledger["anna_eur"].amount == Decimal("1600.00")  # 8% of €20,000
    assert [ln.amount for ln in ledger["feb"].values()] == [Decimal("1000.00"), Decimal("1000.00")]

    statement = statement_build(month=date(2026, 3, 17), partner=partner_a)
    assert statement.month == MARCH
    assert statement.last_day == date(2026, 3, 31)
    assert [ln.pk for ln in statement.lines] == [ledger["sam"].pk, ledger["anna_eur"].pk]
    assert statement.earned == Totals([(Decimal("4800.00"), "USD"), (Decimal("1600.00"), "EUR")])
    assert statement.earned.words() == "€1,600.00 + $4,800.00"  # never one sum across currencies
    assert statement.totals.approved == Totals([(Decimal("4800.00"), "USD")])
    assert statement.totals.paid == Totals([(Decimal("1600.00"), "EUR")])  # earned in March, paid in April
    assert not statement.totals.accrued
    assert not statement.totals.held
    # Paid in March: the February lines, paid on March 31 (the run's payment day, though marked paid on April 1).
    assert sorted(p.line.pk for p in statement.payments) == sorted(ln.pk for ln in ledger["feb"].values())
    assert {(p.paid_on, p.reference) for p in statement.payments} == {(date(2026, 3, 31), "PAY-0331")}
    assert statement.paid == Totals([(Decimal("2000.00"), "USD")])

    april = statement_build(month=date(2026, 4, 1), partner=partner_a)
    assert [p.line.pk for p in april.payments] == [ledger["anna_eur"].pk]
    assert april.paid.words() == "€1,600.00"
    assert april.earned.words() == "$500.00"
    assert statement_months(partner=partner_a) == [date(2026, 4, 1), MARCH, date(2026, 2, 1)]


def test_a_line_paid_outside_a_run_counts_on_the_day_it_was_marked_paid(ledger, partner_a):
    EarningLine.objects.filter(pk=ledger["april"].pk).update(
        state=EarningLine.State.PAID, paid_at=moment(date(2026, 5, 2))
    )
    may = statement_build(month=date(2026, 5, 1), partner=partner_a)
    assert [(p.line.pk, p.paid_on, p.reference) for p in may.payments] == [(ledger["april"].pk, date(2026, 5, 2), "")]
    assert may.lines == []
    assert date(2026, 5, 1) in statement_months(partner=partner_a)


def test_a_sales_users_statement_has_only_its_own_deals(ledger, partner_a, partner_a_seller):
    seller = PartnerMembership.objects.get(user=partner_a_seller)
    statement = statement_build(month=MARCH, membership=seller)
    assert [ln.pk for ln in statement.lines] == [ledger["sam"].pk]
    assert statement.earned == Totals([(Decimal("4800.00"), "USD")])
    assert statement.payments == []  # the February lines paid in March are Anna's deal's
    assert not statement.whole_partner
    assert statement_months(membership=seller) == [date(2026, 4, 1), MARCH]

    seller_client = _client(partner_a_seller)
    text = _page(seller_client, STATEMENT)
    assert "=SUM(A1) rollout" in text
    assert "Anna&#x27;s EUR deal" not in text
    assert "Anna&#x27;s Feb deal" not in text
    assert "PAY-0331" not in text
    assert "No payment was made in March 2026." in text
    assert "the deals you registered" in text
    rows = _csv(seller_client.get(STATEMENT_CSV))
    assert [row["Line"] for row in rows] == [str(ledger["sam"].pk)]


def test_finance_sees_the_whole_partners_statement(ledger, partner_a):
    finance = MembershipFactory(partner=partner_a, role=PartnerMembership.Role.FINANCE).user
    text = _page(_client(finance), STATEMENT)
    assert "Anna&#x27;s EUR deal" in text
    assert "PAY-0331" in text


def test_statement_page_is_printable_with_totals_per_currency(ledger, admin_client_a):
    text = _page(admin_client_a, STATEMENT)
    assert "Earnings statement, March 2026" in text
    assert "Northwind Solutions" in text
    assert "€1,600.00 + $4,800.00" in text  # earned in March
    assert "$2,000.00" in text  # paid in March
    assert "PAY-0331" in text
    assert "10% of $48,000.00 sourced deal" in text
    assert "Contoso deal" not in text
    assert "css/incentives-portal.css" in text  # its print rules
    assert "data-print>Print</button>" in text  # static/js/behaviours.js prints (no inline script: CSP)
    assert reverse("portal:earnings_statement_csv", args=["2026-03"]) in text


def test_earnings_page_lists_the_months_with_links(ledger, admin_client_a):
    text = _page(admin_client_a, "/portal/earnings/")
    assert "Monthly statements" in text
    for month, label in (("2026-04", "April 2026"), ("2026-03", "March 2026"), ("2026-02", "February 2026")):
        assert f'href="/portal/earnings/statements/{month}/">{label}</a>' in text
        assert f'href="/portal/earnings/statements/{month}.csv"' in text


def test_csv_columns_and_numbers(ledger, admin_client_a):
    response = admin_client_a.get(STATEMENT_CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="earnings-statement-2026-03-' in response["Content-Disposition"]
    rows = _csv(response)
    feb = sorted(ln.pk for ln in ledger["feb"].values())
    assert [(r["Section"], r["Line"]) for r in rows] == [
        ("Earned", str(ledger["sam"].pk)),
        ("Earned", str(ledger["anna_eur"].pk)),
        ("Paid", str(feb[0])),
        ("Paid", str(feb[1])),
    ]
    sam, eur, paid = rows[0], rows[1], rows[2]
    assert (sam["Amount"], sam["Currency"], sam["State"], sam["Earned on"]) == (
        "4800.00",
        "USD",
        "Approved",
        "2026-03-12",
    )
    assert sam["For"] == "'=SUM(A1) rollout"  # formula injection: quoted
    assert sam["How it was calculated"] == "10% of $48,000.00 sourced deal “=SUM(A1) rollout” under plan v1"
    assert (eur["Amount"], eur["Currency"], eur["State"], eur["Paid on"], eur["Payment reference"]) == (
        "1600.00",
        "EUR",
        "Paid",
        "2026-04-03",
        "PAY-0403",
    )
    assert (paid["Amount"], paid["Currency"], paid["Paid on"], paid["Payment reference"]) == (
        "1000.00",
        "USD",
        "2026-03-31",
        "PAY-0331",
    )
    assert sum(Decimal(r["Amount"]) for r in rows if r["Currency"] == "USD" and r["Section"] == "Paid") == Decimal(
        "2000.00"
    )


def test_csv_writes_a_correction_as_a_negative_number(v1, partner_a, admin_client_a, channel_manager):
    today = timezone.localdate()
    deal = won_deal(partner_a, amount="48000", approved=date(2026, 2, 1), won=today, name="Reverted deal")
    accrue_for_won(registration=deal)
    reverse_for(registration=deal, reason="The customer cancelled.", actor=channel_manager)
    rows = _csv(admin_client_a.get(f"/portal/earnings/statements/{today:%Y-%m}.csv"))
    amounts = sorted((r["Kind"], r["Amount"]) for r in rows)
    assert amounts == [
        ("Correction", "-1000.00"),
        ("Correction", "-4800.00"),
        ("Deal payout", "4800.00"),
        ("First-win bonus", "1000.00"),
    ]
    statement = statement_build(month=today, partner=partner_a)
    assert statement.earned == Totals()  # +5,800 − 5,800


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-3", "26-03", "march", "2026-03-01", "1999-12"])
def test_a_bad_month_is_a_404(admin_client_a, month):
    assert parse_month(month) is None
    assert admin_client_a.get(f"/portal/earnings/statements/{month}/").status_code == 404
    assert admin_client_a.get(f"/portal/earnings/statements/{month}.csv").status_code == 404


def test_a_month_without_lines_is_an_empty_statement(v1, admin_client_a):
    text = _page(admin_client_a, "/portal/earnings/statements/2025-07/")
    assert "Nothing was earned or paid in July 2025." in text
    assert _csv(admin_client_a.get("/portal/earnings/statements/2025-07.csv")) == []


def test_another_partners_people_never_see_these_lines(ledger, outsider_client, manager_client):
    text = _page(outsider_client, STATEMENT)
    assert "Contoso deal" in text
    assert "=SUM(A1) rollout" not in text
    assert "Anna&#x27;s" not in text
    assert [r["For"] for r in _csv(outsider_client.get(STATEMENT_CSV))] == ["Contoso deal", "Contoso deal"]
    assert manager_client.get(STATEMENT).status_code == 404  # the portal is for partner users


def test_statement_query_count_does_not_grow_with_lines(ledger, admin_client_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert admin_client_a.get(STATEMENT).status_code == 200


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text[1:]))
    assert reader.fieldnames == list(CSV_HEADER)
    return list(reader)
