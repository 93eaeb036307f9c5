"""What deal registration contributes to the daily sweep: the decision clock (a reminder to the channel managers
as it runs out, an escalation once it is breached), reminders to the partner before its protection ends, and the
expiry itself. Every reminder has a notification key naming the registration, the clock it is about and (for
the partner) the day count, so running the sweep twice sends nothing twice; a new clock (a resubmission, an
extension) gets new reminders."""

from datetime import datetime, timedelta

from django.urls import reverse

from dealreg.models import Registration
from dealreg.policy import policy_get
from partners.selectors import channel_managers
from prm import reminders
from prm.models import User
from prm.notifications import notify_once
from prm.reminders import reminder_days

SLA_WARNING = timedelta(hours=24)
BATCH = 1000


def _notify_once(*, key: str, recipient: User, registration: Registration, template: str, url: str, **context) -> bool:
    """Send unless this key was sent before; True when it was sent now."""
    return notify_once(
        key=key,
        template=template,
        recipient=recipient,
        partner=registration.partner,
        url=url,
        action_label="Open the registration",
        context={"registration": registration, **context},
    )


def _to_managers(registrations, *, now: datetime, kind: str, template: str) -> int:
    managers = list(channel_managers())
    sent = 0
    for registration in registrations:
        url = reverse("manage:deal_detail", args=[registration.pk])
        due = registration.decision_due_at
        for manager in managers:
            sent += _notify_once(
                key=f"deal-{kind}:{registration.pk}:{due.isoformat()}:{manager.pk}",
                recipient=manager,
                registration=registration,
                template=template,
                url=url,
                hours_left=max(int((due - now).total_seconds() // 3600), 0),
            )
    return sent


@reminders.register("deal-sla-reminder")
def remind_sla(now: datetime) -> int:
    """Channel managers hear about submitted registrations whose decision is due within 24 hours (once per
    registration and due date)."""
    due = (
        Registration.objects.filter(
            status=Registration.Status.SUBMITTED, decision_due_at__gt=now, decision_due_at__lte=now + SLA_WARNING
        )
        .select_related("partner")
        .order_by("decision_due_at", "pk")[:BATCH]
    )
    return _to_managers(due, now=now, kind="sla-reminder", template="deal_sla_reminder")


@reminders.register("deal-sla-breached")
def escalate_sla(now: datetime) -> int:
    """Every channel manager hears, once per registration and due date, that a decision is overdue."""
    overdue = (
        Registration.objects.filter(status=Registration.Status.SUBMITTED, decision_due_at__lte=now)
        .select_related("partner")
        .order_by("decision_due_at", "pk")[:BATCH]
    )
    return _to_managers(overdue, now=now, kind="sla-breached", template="deal_sla_breached")


def _threshold(left: timedelta, days: list[int]) -> int | None:
    """The smallest reminder day count the time left falls within (a sweep that missed a day sends the reminder
    that applies now, not every one it missed)."""
    fitting = [d for d in days if left <= timedelta(days=d)]
    return min(fitting) if fitting else None


@reminders.register("deal-expiry-reminder")
def remind_expiry(now: datetime) -> int:
    """The partner is reminded at each of the policy's day counts before its protection ends (once per
    registration, protection end and day count)."""
    from dealreg.services.registrations.common import partner_recipients
    from dealreg.services.registrations.lifecycle import extension_refusal

    policy = policy_get()
    days = reminder_days(policy.expiry_reminder_days)
    if not days:
        return 0
    ending = (
        Registration.objects.filter(
            status=Registration.Status.APPROVED,
            protected_until__gt=now,
            protected_until__lte=now + timedelta(days=days[0]),
        )
        .select_related("partner", "created_by")
        .order_by("protected_until", "pk")[:BATCH]
    )
    sent = 0
    for registration in ending:
        threshold = _threshold(registration.protected_until - now, days)
        if threshold is None:
            continue
        url = reverse("portal:deal_detail", args=[registration.pk])
        left = registration.protected_until - now
        days_left = max(left.days + (1 if left.seconds or left.microseconds else 0), 1)
        can_extend = not extension_refusal(registration, policy, now)
        for user in partner_recipients(registration):
            sent += _notify_once(
                key=f"deal-expiry-reminder:{registration.pk}:{registration.protected_until.date().isoformat()}"
                f":{threshold}:{user.pk}",
                recipient=user,
                registration=registration,
                template="deal_expiry_reminder",
                url=url,
                days_left=days_left,
                can_extend=can_extend,
                extension_days=policy.extension_days,
            )
    return sent


@reminders.register("deal-expiry")
def expire_registrations(now: datetime) -> int:
    """Approved registrations whose protection ended expire; the partner is told."""
    from dealreg.services.registrations.lifecycle import registration_expire_due

    return registration_expire_due(now=now)
