"""Payout runs (issue 16, item 4): a period's approved lines per partner and currency, lines left out with a reason,
approval claiming each line for one run only, the CSV for finance, a remittance statement per partner, marked paid
with the reference and date (the partners told), cancelling releases the lines; who may do it; bad input."""

import csv
import io
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from incentives.models import EarningLine, PayoutRun
from incentives.services import accrue_for_won, approve_due, line_hold, payouts
from prm.models import AuditEvent, Notification
from tests.factories import ChannelManagerFactory, PartnerFactory
from tests.incentives.helpers import pct, published_version, with_rules, won_deal

pytestmark = pytest.mark.django_db
JAN, FEB = (date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28))


@pytest.fixture
def finance(db):
    user = ChannelManagerFactory(email="fin@startup.example.com", first_name="Fiona", last_name="Ng")
    user.groups.add(payouts.finance_group())
    return user


@pytest.fixture
def lines(partner_a, partner_b, partner_a_admin):
    """January: Northwind earns 10% of 20,000 USD and of 8,000 EUR; Acme 10% of 5,000 USD. February: one more."""
    with_rules(published_version(1, date(2025, 12, 1)), payouts=[{"involvement": "sourced", **pct("10")}])
    deals = [
        won_deal(partner_a, amount="20000", approved=date(2026, 1, 2), won=date(2026, 1, 10), name="Initech"),
        won_deal(
            partner_a, amount="8000", currency="EUR", approved=date(2026, 1, 3), won=date(2026, 1, 12), name="Hooli"
        ),
        won_deal(partner_b, amount="5000", approved=date(2026, 1, 4), won=date(2026, 1, 20), name="Umbrella"),
        won_deal(partner_a, amount="1000", approved=date(2026, 2, 1), won=date(2026, 2, 5), name="Globex"),
    ]
    for deal in deals:
        accrue_for_won(registration=deal)
    approve_due(today=date(2026, 6, 1))
    return {ln.registration.name: ln for ln in EarningLine.objects.select_related("registration")}


def test_a_draft_totals_each_partner_per_currency(finance, lines, partner_a, partner_b):
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    rows, total = payouts.run_totals(run)
    assert [(r.partner, r.lines, sorted(r.total, key=lambda t: t[1])) for r in rows] == [
        (partner_b, 1, [(Decimal("500.00"), "USD")]),  # Contoso Partners, first by name
        (partner_a, 2, [(Decimal("800.00"), "EUR"), (Decimal("2000.00"), "USD")]),
    ]
    assert total.amount("USD") == Decimal("2500.00")
    assert total.amount("EUR") == Decimal("800.00")  # never added to the dollars
    assert lines["Globex"] not in payouts.run_lines(run)  # February


def test_approving_claims_exactly_the_run_lines_and_leaves_out_excluded_and_held(finance, channel_manager, lines):
    line_hold(actor=channel_manager, line=lines["Umbrella"], reason="Customer has not paid.")
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    payouts.line_exclude(actor=finance, run=run, line=lines["Hooli"], reason="Invoice disputed.")
    assert payouts.run_approve(actor=finance, run=run) == 1
    run.refresh_from_db()
    assert run.status == PayoutRun.Status.APPROVED
    assert list(EarningLine.objects.filter(payout_run=run)) == [lines["Initech"]]
    assert EarningLine.objects.get(pk=lines["Hooli"].pk).payout_run is None  # stays approved for a later run
    assert EarningLine.objects.get(pk=lines["Umbrella"].pk).state == EarningLine.State.HELD
    assert AuditEvent.objects.filter(verb="payouts.line_excluded", reason="Invoice disputed.").exists()
    # A later run over the same period takes what is left, never the claimed line.
    later = payouts.run_create(actor=finance, period_start=JAN[0], period_end=FEB[1])
    assert set(payouts.run_lines(later)) == {lines["Hooli"], lines["Globex"]}


def test_a_period_with_nothing_to_pay_is_refused(finance, lines):
    with pytest.raises(ValidationError, match="No approved line was earned in this period"):
        payouts.run_create(actor=finance, period_start=date(2025, 1, 1), period_end=date(2025, 1, 31))
    assert not PayoutRun.objects.exists()


def test_approving_a_run_whose_lines_went_elsewhere_is_refused_and_saves_nothing(finance, lines):
    first = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    second = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    payouts.run_approve(actor=finance, run=first)
    with pytest.raises(ValidationError, match="Nothing to approve"):
        payouts.run_approve(actor=finance, run=second)
    second.refresh_from_db()
    assert second.status == PayoutRun.Status.DRAFT
    assert EarningLine.objects.filter(payout_run=first).count() == 3


def test_marking_paid_moves_lines_to_paid_and_tells_each_partner(
    finance, lines, partner_a_admin, partner_b_user, django_capture_on_commit_callbacks
):
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    payouts.run_approve(actor=finance, run=run)
    with pytest.raises(ValidationError) as problem:
        payouts.run_mark_paid(actor=finance, run=run, payment_reference=" ", paid_on="yesterday")
    assert set(problem.value.message_dict) == {"payment_reference", "paid_on"}
    payouts.run_mark_paid(actor=finance, run=run, payment_reference="WIRE-2026-77", paid_on=date(2026, 2, 3))
    run.refresh_from_db()
    assert (run.status, run.payment_reference, run.paid_on) == ("paid", "WIRE-2026-77", date(2026, 2, 3))
    assert set(EarningLine.objects.filter(payout_run=run).values_list("state", flat=True)) == {"paid"}
    told = Notification.objects.filter(template="incentives_payout_paid")
    north = told.get(recipient=partner_a_admin)
    assert "$2,000.00" in north.subject
    assert "€800.00" in north.subject
    assert "WIRE-2026-77" in north.body_text
    assert "$500.00" not in north.body_text  # Acme's line is not Northwind's business
    assert AuditEvent.objects.filter(verb="payouts.run_paid").count() == 1
    with pytest.raises(ValidationError, match="cannot be cancelled"):
        payouts.run_cancel(actor=finance, run=run, reason="Oops")


def test_cancelling_releases_the_lines(finance, lines):
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    payouts.run_approve(actor=finance, run=run)
    with pytest.raises(ValidationError, match="Say why"):
        payouts.run_cancel(actor=finance, run=run, reason="")
    payouts.run_cancel(actor=finance, run=run, reason="Wrong period.")
    assert not EarningLine.objects.filter(payout_run__isnull=False).exists()
    assert PayoutRun.objects.get().status == PayoutRun.Status.CANCELLED


def test_the_csv_for_finance_has_one_row_per_line_with_numbers(finance, lines):
    from tests.conftest import _client_for

    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    response = _client_for(finance).get(reverse("manage:incentives_payout_run_csv", args=[run.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == payouts_csv_header()
    assert sorted((r[1], r[7], r[8]) for r in rows[1:]) == [
        ("Contoso Partners", "500.00", "USD"),
        ("Northwind Solutions", "2000.00", "USD"),
        ("Northwind Solutions", "800.00", "EUR"),
    ]
    assert {r[5] for r in rows[1:]} == {"Initech", "Hooli", "Umbrella"}


def payouts_csv_header():
    from incentives.views.payouts import CSV_HEADER

    return CSV_HEADER


def test_the_remittance_shows_only_that_partners_lines(finance, lines, partner_a, partner_b):
    from tests.conftest import _client_for

    client = _client_for(finance)
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    payouts.run_approve(actor=finance, run=run)
    page = client.get(reverse("manage:incentives_payout_remittance", args=[run.pk, partner_a.pk])).content.decode()
    assert "Remittance statement" in page
    assert "$2,000.00" in page
    assert "€800.00" in page
    assert "$500.00" not in page  # Contoso's line
    other = PartnerFactory(name="Nobody Inc")
    assert client.get(reverse("manage:incentives_payout_remittance", args=[run.pk, other.pk])).status_code == 404


def test_pages_walk_the_run_and_bad_input_gets_a_message(finance, lines):
    from tests.conftest import _client_for

    client = _client_for(finance)
    url = reverse("manage:incentives_payouts")
    assert client.get(url).status_code == 200
    response = client.post(url, {"period_start": "2026-02-01", "period_end": "2026-01-01"})
    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()
    response = client.post(url, {"period_start": "someday", "period_end": "2026-01-31"})
    assert response.status_code == 400
    assert not PayoutRun.objects.exists()
    response = client.post(url, {"period_start": "2026-01-01", "period_end": "2026-01-31"})
    run = PayoutRun.objects.get()
    detail = reverse("manage:incentives_payout_run", args=[run.pk])
    assert response["Location"] == detail
    page = client.get(detail).content.decode()
    assert "Approve the run" in page
    assert "Northwind Solutions" in page
    response = client.post(detail, {"action": "exclude", "line": lines["Initech"].pk, "reason": ""}, follow=True)
    assert "Say why the line is left out" in response.content.decode()
    client.post(detail, {"action": "approve"})
    response = client.post(detail, {"action": "paid", "payment_reference": "", "paid_on": "not a date"})
    assert response.status_code == 400
    run.refresh_from_db()
    assert run.status == PayoutRun.Status.APPROVED
    client.post(detail, {"action": "paid", "payment_reference": "BATCH-9", "paid_on": "2026-02-02"})
    run.refresh_from_db()
    assert run.status == PayoutRun.Status.PAID


def test_plain_managers_read_but_do_not_run_payouts(manager_client, finance, lines):
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    detail = reverse("manage:incentives_payout_run", args=[run.pk])
    assert manager_client.get(detail).status_code == 200
    assert manager_client.post(detail, {"action": "approve"}).status_code == 403
    assert manager_client.post(reverse("manage:incentives_payouts"), {}).status_code == 403
    run.refresh_from_db()
    assert run.status == PayoutRun.Status.DRAFT


def test_program_admins_run_payouts_too(program_admin, lines):
    assert payouts.can_run_payouts(program_admin)
    assert payouts.run_create(actor=program_admin, period_start=JAN[0], period_end=JAN[1]).pk


def test_partner_users_never_reach_the_payout_pages(admin_client_a, finance, lines):
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    for url in (
        reverse("manage:incentives_payouts"),
        reverse("manage:incentives_payout_run", args=[run.pk]),
        reverse("manage:incentives_payout_run_csv", args=[run.pk]),
    ):
        assert admin_client_a.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL")
def test_two_managers_approving_overlapping_runs_at_once_never_pay_a_line_twice():
    with_rules(published_version(1, date(2025, 12, 1)), payouts=[{"involvement": "sourced", **pct("10")}])
    partner = PartnerFactory(name="Race partner")
    for n in range(6):
        deal = won_deal(partner, amount="1000", approved=date(2026, 1, 2), won=date(2026, 1, 5 + n), name=f"D{n}")
        accrue_for_won(registration=deal)
    approve_due(today=date(2026, 6, 1))
    first_manager = ChannelManagerFactory(email="a@startup.example.com")
    second_manager = ChannelManagerFactory(email="b@startup.example.com")
    for user in (first_manager, second_manager):
        user.groups.add(payouts.finance_group())
    runs = [
        payouts.run_create(actor=first_manager, period_start=JAN[0], period_end=JAN[1]),
        payouts.run_create(actor=second_manager, period_start=date(2026, 1, 7), period_end=FEB[1]),
    ]
    barrier = threading.Barrier(2)
    results: list[object] = []

    def approve(run, actor):
        try:
            barrier.wait(timeout=10)
            results.append(payouts.run_approve(actor=actor, run=run))
        except ValidationError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(runs[0], first_manager)),
        threading.Thread(target=approve, args=(runs[1], second_manager)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Each line is claimed by exactly one run (a line has one payout_run), all six are claimed, and the run that
    # approved second holds only what the first had not taken (or was refused when nothing was left).
    assert not EarningLine.objects.filter(payout_run__isnull=True).exists()
    per_run = {run.pk: EarningLine.objects.filter(payout_run=run).count() for run in runs}
    assert sum(per_run.values()) == 6
    assert all(isinstance(r, (int, ValidationError)) for r in results)
    assert sum(r for r in results if isinstance(r, int)) == 6  # no line counted by both approvals


def test_holding_a_line_of_an_approved_run_takes_it_out_of_the_run(finance, channel_manager, lines):
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    payouts.run_approve(actor=finance, run=run)
    line_hold(actor=channel_manager, line=lines["Hooli"], reason="Customer asked for a credit note.")
    payouts.run_mark_paid(actor=finance, run=run, payment_reference="WIRE-1", paid_on=date(2026, 2, 3))
    hooli = EarningLine.objects.get(pk=lines["Hooli"].pk)
    assert (hooli.state, hooli.payout_run_id) == (EarningLine.State.HELD, None)
    assert EarningLine.objects.filter(payout_run=run, state="paid").count() == 2
