"""Payout runs (issue 16, item 4): a period's approved lines per partner and currency, lines left out with a reason,
approval claiming each line for one run only, the CSV for finance, a remittance statement per partner, marked paid
with the reference and date (the partners told), cancelling releases the lines; who may do it; bad input."""

import csv
import importlib
import io
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from incentives.models import EarningLine, LineQuestion, PayoutExclusion, PayoutRun, QuestionMessage, Recognition
from incentives.services import accrue_for_won, approve_due, line_hold, payouts, reverse_for
from prm.models import AuditEvent, Notification
from tests.conftest import _client_for
from tests.factories import ChannelManagerFactory, PartnerFactory, UserFactory
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


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_csv_for_finance_has_one_row_per_line_with_numbers(finance, lines):
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    rows = _csv(_client_for(finance).get(reverse("manage:incentives_payout_run_csv", args=[run.pk])))
    assert rows[0] == [
        "run",
        "partner",
        "partner id",
        "line",
        "kind",
        "deal",
        "earned on",
        "amount",
        "currency",
        "calculation",
        "state",
    ]
    by_line = {int(r[3]): r for r in rows[1:]}
    assert len(rows) == 4
    initech = by_line[lines["Initech"].pk]
    assert initech[:9] == [
        str(run.pk),
        "Northwind Solutions",
        str(lines["Initech"].partner_id),
        str(lines["Initech"].pk),
        "Deal payout",
        "Initech",
        "2026-01-10",
        "2000.00",
        "USD",
    ]
    assert initech[9] == lines["Initech"].calculation
    assert "10%" in initech[9]
    assert (by_line[lines["Hooli"].pk][7], by_line[lines["Hooli"].pk][8]) == ("800.00", "EUR")
    assert (by_line[lines["Umbrella"].pk][1], by_line[lines["Umbrella"].pk][7]) == ("Contoso Partners", "500.00")


def test_the_csv_keeps_a_reversal_a_number_and_defuses_formulas(finance, channel_manager, partner_a, lines):
    """A negative amount stays a number a spreadsheet adds up; a deal named like a formula is never run."""
    deal = won_deal(partner_a, amount="3000", approved=date(2026, 2, 2), won=date(2026, 2, 9), name="=HYPERLINK(1)")
    accrue_for_won(registration=deal)
    reverse_for(registration=lines["Globex"].registration, reason="Customer cancelled.", actor=channel_manager)
    today = timezone.localdate()
    approve_due(today=today + timedelta(days=400))
    run = payouts.run_create(actor=finance, period_start=FEB[0], period_end=today)
    rows = _csv(_client_for(finance).get(reverse("manage:incentives_payout_run_csv", args=[run.pk])))[1:]
    assert sorted((r[4], r[5], r[7]) for r in rows) == [
        ("Correction", "Globex", "-100.00"),
        ("Deal payout", "'=HYPERLINK(1)", "300.00"),
        ("Deal payout", "Globex", "100.00"),
    ]
    _, total = payouts.run_totals(run)
    assert total.amount("USD") == Decimal("300.00")  # 100 - 100 + 300


def test_the_remittance_shows_only_that_partners_lines(finance, lines, partner_a, partner_b):
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


def test_excluding_and_putting_back_a_line_is_for_drafts_with_a_reason(finance, lines):
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    hooli = lines["Hooli"]
    with pytest.raises(ValidationError, match="Say why the line is left out"):
        payouts.line_exclude(actor=finance, run=run, line=hooli, reason="   ")
    assert not PayoutExclusion.objects.exists()
    with pytest.raises(ValidationError, match="not in this run"):
        payouts.line_exclude(actor=finance, run=run, line=lines["Globex"], reason="February")  # not in the period
    payouts.line_exclude(actor=finance, run=run, line=hooli, reason="Invoice disputed.")
    assert hooli not in payouts.run_lines(run)
    _, total = payouts.run_totals(run)
    assert (total.amount("USD"), total.amount("EUR")) == (Decimal("2500.00"), Decimal("0"))
    with pytest.raises(ValidationError, match="not in this run"):
        payouts.line_exclude(actor=finance, run=run, line=hooli, reason="Twice")
    payouts.line_include(actor=finance, run=run, line=hooli)
    assert hooli in payouts.run_lines(run)
    with pytest.raises(ValidationError, match="was not left out"):
        payouts.line_include(actor=finance, run=run, line=hooli)
    payouts.run_approve(actor=finance, run=run)
    with pytest.raises(ValidationError, match="This run is approved, awaiting payment: its lines no longer change"):
        payouts.line_exclude(actor=finance, run=run, line=hooli, reason="Too late")
    assert list(
        AuditEvent.objects.filter(verb__startswith="payouts.line").order_by("pk").values_list("verb", "reason")
    ) == [
        ("payouts.line_excluded", "Invoice disputed."),
        ("payouts.line_included", ""),
    ]


def test_only_the_partners_admins_and_finance_people_hear_of_the_payment(
    finance, lines, partner_a, partner_a_admin, partner_a_seller, partner_b_user
):
    from tests.factories import MembershipFactory

    accountant = MembershipFactory(partner=partner_a, role="finance", user__email="acc@northwind.example.com").user
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    payouts.run_approve(actor=finance, run=run)
    payouts.run_mark_paid(actor=finance, run=run, payment_reference="WIRE-9", paid_on=date(2026, 2, 3))
    told = Notification.objects.filter(template="incentives_payout_paid")
    assert set(told.values_list("recipient__email", flat=True)) == {
        partner_a_admin.email,
        accountant.email,
        partner_b_user.email,
    }
    contoso = told.get(recipient=partner_b_user)
    assert "$500.00" in contoso.body_text
    assert "Northwind" not in contoso.body_text
    assert "/portal/earnings/" in contoso.body_html
    assert AuditEvent.objects.filter(verb="earnings.paid").count() == 2  # one per partner
    # Marking paid twice is refused and tells nobody again.
    with pytest.raises(ValidationError, match="only an approved run is marked paid"):
        payouts.run_mark_paid(actor=finance, run=run, payment_reference="WIRE-10", paid_on=date(2026, 2, 4))
    assert told.count() == 3
    assert PayoutRun.objects.get().payment_reference == "WIRE-9"


def test_a_payment_date_in_the_future_is_refused(finance, lines):
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    payouts.run_approve(actor=finance, run=run)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        payouts.run_mark_paid(actor=finance, run=run, payment_reference="W-1", paid_on=tomorrow)
    assert not EarningLine.objects.filter(state=EarningLine.State.PAID).exists()


def test_the_remittance_names_payer_period_reference_and_totals(finance, lines, partner_a):
    from partners.services.program import program_get

    program = program_get()
    program.name = "Skyline Partner Program"
    program.save()
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    payouts.run_approve(actor=finance, run=run)
    payouts.run_mark_paid(actor=finance, run=run, payment_reference="WIRE-2026-77", paid_on=date(2026, 2, 3))
    page = _client_for(finance).get(reverse("manage:incentives_payout_remittance", args=[run.pk, partner_a.pk]))
    html = page.content.decode()
    assert "Skyline Partner Program" in html
    assert "Northwind Solutions" in html
    assert "1 Jan 2026 – 31 Jan 2026" in html
    assert "WIRE-2026-77" in html
    assert "3 Feb 2026" in html
    assert "Total in EUR" in html
    assert "Total in USD" in html
    assert "incentives-payouts.css" in html  # its print styles
    assert "Initech" in html
    assert "Hooli" in html
    assert "Umbrella" not in html


def test_the_run_list_shows_each_run_in_few_queries(finance, lines, django_assert_max_num_queries):
    paid = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    payouts.run_approve(actor=finance, run=paid)
    payouts.run_mark_paid(actor=finance, run=paid, payment_reference="WIRE-77", paid_on=date(2026, 2, 3))
    for _ in range(5):  # runs with no line left are read in the same query as the paid one
        cancelled = payouts.run_create(actor=finance, period_start=FEB[0], period_end=FEB[1])
        payouts.run_cancel(actor=finance, run=cancelled, reason="Wrong period")
    draft = payouts.run_create(actor=finance, period_start=FEB[0], period_end=FEB[1])
    client = _client_for(finance)
    client.get(reverse("manage:incentives_payouts"))  # warm the session and the program caches
    with django_assert_max_num_queries(13):  # 12 measured: one for the runs, one for their lines, one per draft
        page = client.get(reverse("manage:incentives_payouts")).content.decode()
    assert f"#{paid.pk}" in page
    assert f"#{draft.pk}" in page
    assert "approved by Fiona Ng" in page
    assert "WIRE-77" in page
    runs = {run.pk: run for run in payouts.runs_with_totals()}
    assert (runs[paid.pk].partners, runs[paid.pk].total.amount("USD")) == (2, Decimal("2500.00"))
    assert runs[paid.pk].total.amount("EUR") == Decimal("800.00")
    assert (runs[draft.pk].partners, runs[draft.pk].total.amount("USD")) == (1, Decimal("100.00"))


def test_a_plain_managers_post_gets_the_page_saying_whom_to_ask(manager_client, finance, lines):
    response = manager_client.post(
        reverse("manage:incentives_payouts"), {"period_start": "2026-01-01", "period_end": "2026-01-31"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only finance and program admins run payouts" in html
    assert "Fiona Ng" in html  # the finance person to ask
    assert "Nothing was changed" in html
    assert not PayoutRun.objects.exists()
    page = manager_client.get(reverse("manage:incentives_payouts")).content.decode()
    assert "Draft the run" not in page  # no form the reader cannot use


def test_partner_users_cannot_post_to_the_payout_pages(admin_client_a, finance, lines):
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    detail = reverse("manage:incentives_payout_run", args=[run.pk])
    assert admin_client_a.post(detail, {"action": "approve"}).status_code == 404
    assert admin_client_a.get(reverse("manage:incentives_payout_remittance", args=[run.pk, 1])).status_code == 404
    run.refresh_from_db()
    assert run.status == PayoutRun.Status.DRAFT


def test_bad_posts_on_a_run_give_a_message_and_change_nothing(finance, lines):
    client = _client_for(finance)
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    detail = reverse("manage:incentives_payout_run", args=[run.pk])
    for data, message in (
        ({"action": "exclude", "line": "abc", "reason": "x"}, "Choose a line."),
        ({"action": "exclude", "line": "99999999", "reason": "x"}, "does not exist"),
        ({"action": "include", "line": str(lines["Hooli"].pk)}, "was not left out"),
        ({"action": "cancel", "reason": ""}, "Say why the run is cancelled"),
        ({"action": "paid", "payment_reference": "X", "paid_on": "2026-02-02"}, "only an approved run"),
    ):
        response = client.post(detail, data, follow=True)
        assert response.status_code == 200
        assert message in response.content.decode(), data
    assert client.post(detail, {"action": "explode"}).status_code == 404
    run.refresh_from_db()
    assert run.status == PayoutRun.Status.DRAFT
    assert not PayoutExclusion.objects.exists()
    assert not EarningLine.objects.filter(payout_run__isnull=False).exists()
    # The page's own flow: leave a line out with a reason, put it back, cancel with a reason.
    client.post(detail, {"action": "exclude", "line": lines["Hooli"].pk, "reason": "Disputed"})
    assert PayoutExclusion.objects.get().reason == "Disputed"
    assert "Disputed" in client.get(detail).content.decode()
    client.post(detail, {"action": "include", "line": lines["Hooli"].pk})
    assert not PayoutExclusion.objects.exists()
    client.post(detail, {"action": "cancel", "reason": "Wrong period"})
    run.refresh_from_db()
    assert (run.status, run.cancelled_reason) == (PayoutRun.Status.CANCELLED, "Wrong period")


def test_a_new_run_defaults_to_the_previous_calendar_month(finance):
    html = _client_for(finance).get(reverse("manage:incentives_payouts")).content.decode()
    first_of_this_month = timezone.localdate().replace(day=1)
    last_month_end = first_of_this_month - timedelta(days=1)
    assert f'value="{last_month_end.replace(day=1).isoformat()}"' in html
    assert f'value="{last_month_end.isoformat()}"' in html


def test_the_finance_migration_creates_the_group_with_the_permission(db):
    from django.apps import apps
    from django.contrib.auth.models import Group

    Group.objects.filter(name="Finance").delete()
    migration = importlib.import_module("incentives.migrations.0003_finance_group")
    migration.create(apps, None)
    migration.create(apps, None)  # runs twice harmlessly
    group = Group.objects.get(name="Finance")
    assert list(group.permissions.values_list("codename", flat=True)) == ["manage_payouts"]
    member = ChannelManagerFactory(email="f2@startup.example.com")
    member.groups.add(group)
    assert payouts.can_run_payouts(member)
    # The permission without being a channel manager is not enough.
    outsider = UserFactory(email="x@startup.example.com", is_staff=False)
    outsider.groups.add(group)
    assert not payouts.can_run_payouts(outsider)


def test_the_admin_shows_runs_questions_and_recognition_read_only(finance, lines, partner_a, partner_a_admin):
    client = _client_for(UserFactory(is_staff=True, is_superuser=True, email="root@startup.example.com"))
    run = payouts.run_create(actor=finance, period_start=JAN[0], period_end=JAN[1])
    payouts.line_exclude(actor=finance, run=run, line=lines["Hooli"], reason="Invoice disputed.")
    question = LineQuestion.objects.create(line=lines["Initech"], partner=partner_a, asked_by=partner_a_admin)
    QuestionMessage.objects.create(question=question, author=partner_a_admin, body="Why 10%?")
    award = Recognition.objects.create(partner=partner_a, title="Partner of the quarter", awarded_on=date(2026, 3, 31))
    for model, obj, query in (
        (PayoutRun, run, "WIRE"),
        (LineQuestion, question, "Why"),
        (Recognition, award, "quarter"),
    ):
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200
        assert client.get(changelist, {"q": query}).status_code == 200
        change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        assert change.status_code == 200
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    assert client.get(reverse("admin:incentives_payoutrun_changelist"), {"status__exact": "draft"}).status_code == 200
    change = client.get(reverse("admin:incentives_payoutrun_change", args=[run.pk])).content.decode()
    assert "Invoice disputed." in change  # the exclusions inline
    assert (
        "Why 10%?" in client.get(reverse("admin:incentives_linequestion_change", args=[question.pk])).content.decode()
    )
    client.post(reverse("admin:incentives_payoutrun_delete", args=[run.pk]), {"post": "yes"})
    assert PayoutRun.objects.filter(pk=run.pk).exists()
