"""The daily sweeps: claim deadline reminders, expiry of unclaimed approvals, SLA nudges and escalations,
"unused funds will expire", and the expiry of unused funds. Every one is idempotent."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mdf import reminders, services
from mdf.ledger import balance_of, partner_balance
from mdf.models import FundRequest, LedgerEntry, Period
from prm import reminders as sweeps
from prm.models import AuditEvent, Notification
from tests.mdf.factories import FundRequestFactory, approved_request, claimed_request, funded_budget, set_mdf

D = Decimal


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=hour)


def _sent(template: str) -> set[int]:
    return set(Notification.objects.filter(template=template).values_list("recipient_id", flat=True))


def test_the_sweeps_are_registered():
    assert {
        "mdf-claim-reminder",
        "mdf-request-expiry",
        "mdf-sla-reminder",
        "mdf-sla-breached",
        "mdf-funds-expiring",
        "mdf-funds-expiry",
    } <= set(sweeps.registered())


def test_reminder_days_are_parsed_leniently():
    assert reminders.reminder_days("15, 5,1,x,0,5") == [15, 5, 1]
    assert reminders.reminder_days("") == []


def test_claim_reminders_at_each_threshold_once(partner_a, partner_a_admin, partner_a_marketer, budget_a):
    request = approved_request(partner=partner_a, budget=budget_a, created_by=partner_a_marketer)
    deadline = request.claim_deadline
    assert reminders.remind_claims(_at(deadline - timedelta(days=20))) == 0  # not yet
    assert reminders.remind_claims(_at(deadline - timedelta(days=12))) == 2  # the 15-day reminder, two people
    assert reminders.remind_claims(_at(deadline - timedelta(days=12))) == 0  # run twice, sent once
    assert reminders.remind_claims(_at(deadline - timedelta(days=6))) == 0  # still the 15-day window
    assert reminders.remind_claims(_at(deadline - timedelta(days=5))) == 2
    assert reminders.remind_claims(_at(deadline)) == 2  # the last day: the 1-day reminder
    assert _sent("mdf_claim_reminder") == {partner_a_admin.pk, partner_a_marketer.pk}
    note = Notification.objects.filter(template="mdf_claim_reminder").order_by("pk").first()
    assert "12 days left" in note.subject
    assert "File the claim" in note.body_html


def test_a_claimed_request_gets_no_reminder(partner_a, partner_a_admin, budget_a):
    request = claimed_request(partner=partner_a, budget=budget_a)
    assert reminders.remind_claims(_at(request.claim_deadline - timedelta(days=1))) == 0


def test_unclaimed_approvals_expire_after_their_deadline(partner_a, partner_a_admin, budget_a):
    request = approved_request(partner=partner_a, budget=budget_a, created_by=partner_a_admin, amount="3000")
    assert reminders.expire_requests(_at(request.claim_deadline)) == 0  # the deadline day is still on time
    after = _at(request.claim_deadline + timedelta(days=1))
    assert reminders.expire_requests(after) == 1
    assert reminders.expire_requests(after) == 0
    request.refresh_from_db()
    assert request.status == FundRequest.Status.EXPIRED
    assert balance_of(budget_a).available == D("10000.00")
    assert AuditEvent.objects.filter(verb="mdf.request_expired", actor__isnull=True).exists()
    assert Notification.objects.filter(recipient=partner_a_admin, template="mdf_request_expired").exists()


def test_an_extended_deadline_is_not_expired(partner_a, budget_a, channel_manager):
    request = approved_request(partner=partner_a, budget=budget_a)
    later = request.claim_deadline + timedelta(days=20)
    FundRequest.objects.filter(pk=request.pk).update(claim_deadline=later, deadline_extended=True)
    assert reminders.expire_requests(_at(request.claim_deadline + timedelta(days=1))) == 0


def test_sla_reminders_and_escalations_to_the_reviewers(partner_a, budget_a, channel_manager, mdf_admin):
    now = timezone.now()
    soon = FundRequestFactory(partner=partner_a, budget=budget_a, decision_due_at=now + timedelta(hours=5))
    FundRequestFactory(partner=partner_a, budget=budget_a, decision_due_at=now + timedelta(days=3))
    late_claim = claimed_request(partner=partner_a, budget=budget_a).claim
    late_claim.decision_due_at = now - timedelta(hours=2)
    late_claim.save()
    awaiting = FundRequestFactory(
        partner=partner_a,
        budget=budget_a,
        status=FundRequest.Status.AWAITING_ADMIN,
        decision_due_at=now - timedelta(hours=1),
    )
    managers = {channel_manager.pk, mdf_admin.pk}  # superusers count as channel managers
    assert reminders.remind_sla(now) == len(managers)  # the request due in 5 hours
    assert reminders.remind_sla(now) == 0
    assert reminders.escalate_sla(now) == len(managers) + 1  # the claim to every manager, the awaiting one to admins
    assert reminders.escalate_sla(now) == 0
    breached = Notification.objects.filter(template="mdf_sla_breached")
    assert {n.recipient_id for n in breached if f":request:{awaiting.pk}:" in n.idempotency_key} == {mdf_admin.pk}
    note = Notification.objects.filter(template="mdf_sla_reminder", recipient=channel_manager).get()
    assert soon.title in note.subject
    assert "hour" in note.subject
    # A resubmission starts a new clock, with new reminders.
    FundRequest.objects.filter(pk=soon.pk).update(decision_due_at=now + timedelta(hours=6))
    assert reminders.remind_sla(now) == len(managers)


def test_unused_funds_warning_then_expiry(partner_a, partner_a_admin, partner_a_marketer, channel_manager):
    period = services.period_for(date(2026, 7, 15))  # FY2026 Q3, ends 30 September
    budget = funded_budget(partner_a, "10000", period=period)
    request = approved_request(partner=partner_a, budget=budget, amount="4000")
    next_budget = services.budget_for(partner=partner_a, period=services.period_for(date(2026, 10, 5)))
    assert reminders.remind_unused_funds(_at(date(2026, 9, 10))) == 0  # more than 14 days before
    assert reminders.remind_unused_funds(_at(date(2026, 9, 20))) == 1  # the partner admin
    assert reminders.remind_unused_funds(_at(date(2026, 9, 21))) == 0
    note = Notification.objects.get(template="mdf_funds_expiring")
    assert note.recipient == partner_a_admin
    assert "$6,000.00" in note.subject
    assert "30 September 2026" in note.subject

    assert reminders.expire_unused_funds(_at(date(2026, 9, 30))) == 0  # the last day
    assert reminders.expire_unused_funds(_at(date(2026, 10, 1))) == 1
    assert reminders.expire_unused_funds(_at(date(2026, 10, 2))) == 0  # once
    period.refresh_from_db()
    assert period.funds_expired_at is not None
    balance = balance_of(budget)
    assert (balance.expired, balance.reserved, balance.available) == (D("6000.00"), D("4000.00"), D("0.00"))
    assert Notification.objects.filter(template="mdf_funds_expired", recipient=partner_a_admin).exists()
    assert partner_balance(partner=partner_a, today=date(2026, 10, 2)).available == D("0.00")
    assert Period.objects.get(pk=next_budget.period_id).funds_expired_at is None  # the next quarter is untouched

    # What the period gets back after its expiry (a cancel, a partial claim) expires at once.
    services.request_cancel(actor=partner_a_admin, request=request)
    balance = balance_of(budget)
    assert (balance.expired, balance.reserved, balance.available) == (D("10000.00"), D("0.00"), D("0.00"))
    assert LedgerEntry.objects.filter(budget=budget, kind="expiry").count() == 2


def test_grace_days_delay_the_expiry(partner_a):
    set_mdf(expiry_grace_days=30)
    period = services.period_for(date(2026, 7, 15))
    funded_budget(partner_a, "100", period=period)
    assert reminders.expire_unused_funds(_at(date(2026, 10, 30))) == 0
    assert reminders.expire_unused_funds(_at(date(2026, 10, 31))) == 1
    assert Period.objects.get(pk=period.pk).funds_expired_at is not None


@pytest.mark.parametrize("name", ["mdf-claim-reminder", "mdf-sla-breached", "mdf-funds-expiry"])
def test_each_sweep_runs_on_an_empty_database(db, name):
    assert sweeps.registered()[name](timezone.now()) == 0
