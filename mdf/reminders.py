"""What MDF contributes to the daily sweep: claim deadline reminders to the partner, expiry of approvals not
claimed in time, SLA reminders and escalations to the reviewers, "unused funds will expire" to partner admins, and
the expiry of a period's unused funds. Every reminder's notification key names the object, the clock it is about
and (for day counts) the threshold, so running the sweep twice sends nothing twice, while a new clock (a
resubmission, an extension) gets new reminders."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from mdf.ledger import balances_for
from mdf.models import Claim, FundRequest
from mdf.services.common import (
    admins,
    fmt_date,
    manage_claim_url,
    manage_request_url,
)
from mdf.services.expiry import expiring_budgets, funds_expire_due, requests_expire_due
from mdf.services.periods import mdf_settings
from partners.selectors import channel_managers, partner_people
from prm import reminders
from prm.models import User
from prm.money import format_money
from prm.notifications import notify_once
from prm.reminders import reminder_days

SLA_WARNING = timedelta(hours=24)
FUNDS_WARNING_DAYS = 14
BATCH = 1000


def _once(*, key: str, recipient: User, template: str, partner, url: str, label: str, **context) -> int:
    """Send unless this key was sent before; 1 when it was sent now."""
    return int(
        notify_once(
            key=key,
            template=template,
            recipient=recipient,
            partner=partner,
            url=url,
            action_label=label,
            context={"partner": partner, **context},
        )
    )


@reminders.register("mdf-claim-reminder")
def remind_claims(now: datetime) -> int:
    """The partner hears at each of the settings' day counts before an approved request's claim deadline (once per
    request, deadline and day count; a sweep that missed a day sends the reminder that applies now)."""
    days = reminder_days(mdf_settings().claim_reminder_days)
    if not days:
        return 0
    today = timezone.localdate(now)
    due = (
        FundRequest.objects.filter(
            status=FundRequest.Status.APPROVED,
            claim_deadline__gte=today,
            claim_deadline__lte=today + timedelta(days=days[0]),
        )
        .select_related("partner", "created_by", "budget__period")
        .order_by("claim_deadline", "pk")[:BATCH]
    )
    sent = 0
    for request in due:
        left = (request.claim_deadline - today).days
        threshold = min(d for d in days if left <= d)
        url = reverse("portal:mdf_claim_new", args=[request.pk])
        for user in partner_people(request.partner, request.created_by):
            sent += _once(
                key=f"mdf-claim-reminder:{request.pk}:{request.claim_deadline.isoformat()}:{threshold}:{user.pk}",
                recipient=user,
                template="mdf_claim_reminder",
                partner=request.partner,
                url=url,
                label="File the claim",
                request=request,
                approved=format_money(request.approved_amount, request.currency),
                claim_deadline=fmt_date(request.claim_deadline),
                days_left=left,
            )
    return sent


@reminders.register("mdf-request-expiry")
def expire_requests(now: datetime) -> int:
    """Approvals not claimed by their deadline expire; their reservation goes back to the budget."""
    return requests_expire_due(now=now)


def _reviewers(request: FundRequest, managers: list[User], superusers: list[User]) -> list[User]:
    return superusers if request.status == FundRequest.Status.AWAITING_ADMIN else managers


def _sla(now: datetime, *, kind: str, template: str, due_filter: dict) -> int:
    managers = list(channel_managers())
    superusers = admins()
    sent = 0
    requests = (
        FundRequest.objects.filter(status__in=FundRequest.IN_REVIEW, **due_filter)
        .select_related("partner")
        .order_by("decision_due_at", "pk")[:BATCH]
    )
    for request in requests:
        due = request.decision_due_at
        for user in _reviewers(request, managers, superusers):
            sent += _once(
                key=f"mdf-{kind}:request:{request.pk}:{due.isoformat()}:{user.pk}",
                recipient=user,
                template=template,
                partner=request.partner,
                url=manage_request_url(request),
                label="Review it",
                request=request,
                what="request",
                due=due,
                hours_left=max(int((due - now).total_seconds() // 3600), 0),
            )
    claims = (
        Claim.objects.filter(status__in=Claim.IN_REVIEW, **due_filter)
        .select_related("partner", "request")
        .order_by("decision_due_at", "pk")[:BATCH]
    )
    for claim in claims:
        due = claim.decision_due_at
        for user in managers:
            sent += _once(
                key=f"mdf-{kind}:claim:{claim.pk}:{due.isoformat()}:{user.pk}",
                recipient=user,
                template=template,
                partner=claim.partner,
                url=manage_claim_url(claim),
                label="Review it",
                request=claim.request,
                what="claim",
                due=due,
                hours_left=max(int((due - now).total_seconds() // 3600), 0),
            )
    return sent


@reminders.register("mdf-sla-reminder")
def remind_sla(now: datetime) -> int:
    """Reviewers hear about requests and claims whose decision is due within 24 hours (once per item and due
    date); a request awaiting the second approval goes to the admins."""
    return _sla(
        now,
        kind="sla-reminder",
        template="mdf_sla_reminder",
        due_filter={"decision_due_at__gt": now, "decision_due_at__lte": now + SLA_WARNING},
    )


@reminders.register("mdf-sla-breached")
def escalate_sla(now: datetime) -> int:
    """Reviewers hear, once per item and due date, that a decision is overdue."""
    return _sla(now, kind="sla-breached", template="mdf_sla_breached", due_filter={"decision_due_at__lte": now})


@reminders.register("mdf-funds-expiring")
def remind_unused_funds(now: datetime) -> int:
    """Partner admins hear, 14 days before a period's funds expire, how much of it is still unused (once per
    budget and expiry date; nothing when nothing is left)."""
    today = timezone.localdate(now)
    rows = expiring_budgets(today=today, within_days=FUNDS_WARNING_DAYS)
    balances = balances_for([budget for budget, _ in rows])
    sent = 0
    url = reverse("portal:mdf_request_new")
    for budget, last_day in rows:
        available = balances[budget.pk].available
        if available <= 0:
            continue
        for user in partner_people(budget.partner):
            sent += _once(
                key=f"mdf-funds-expiring:{budget.pk}:{last_day.isoformat()}:{user.pk}",
                recipient=user,
                template="mdf_funds_expiring",
                partner=budget.partner,
                url=url,
                label="Request funds",
                period=budget.period,
                available=format_money(available, budget.currency),
                expires_on=fmt_date(last_day),
            )
    return sent


@reminders.register("mdf-funds-expiry")
def expire_unused_funds(now: datetime) -> int:
    """Unused funds of periods past their end plus the grace days expire (once per period)."""
    return funds_expire_due(now=now)


@reminders.register("mdf-held-proofs")
def sweep_held_proofs(now: datetime) -> int:
    """Proof files held for a claim form that was never sent again: removed once their tokens have expired. Not a
    reminder (it notifies nobody); the count says how many files went."""
    from mdf.held import discard_stale

    return discard_stale(now=now)
