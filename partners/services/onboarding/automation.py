"""What the workers do: record activity and mark idle partners dormant, remind partners whose onboarding stalled
(then escalate to the owner), and send channel managers a weekly digest of partners in onboarding."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from partners import hooks
from partners.models import ChecklistStep, Partner, PartnerMembership, PartnerStep
from partners.services.onboarding.checklist import OnboardingProgress, onboarding_step_tickable
from partners.services.onboarding.common import Status, channel_managers, owner_or_managers, program_settings
from prm.audit import audit_record
from prm.models import Notification, User
from prm.notifications import notify

# Activity is recorded at most once per this interval, so a busy partner costs one write an hour, not one a click.
ACTIVITY_RESOLUTION = timedelta(hours=1)
# The weekly digest lists at most this many partners; the rest are a link away.
DIGEST_LIMIT = 50


# --- Activity and dormancy -------------------------------------------------------------------------------------


def partner_record_activity(*, partner: Partner, when: datetime | None = None) -> bool:
    """Someone from the partner did something (signed in, registered a deal…). Records the time at most once an
    hour; a dormant partner becomes active again (audited, its owner told). Returns True if anything was written."""
    when = when or timezone.now()
    recent = partner.last_activity_at is not None and partner.last_activity_at > when - ACTIVITY_RESOLUTION
    if recent and partner.status != Status.DORMANT:
        return False  # the common case: no query at all
    with transaction.atomic():
        wrote = (
            Partner.objects.filter(pk=partner.pk)
            .filter(Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=when - ACTIVITY_RESOLUTION))
            .update(last_activity_at=when)
        )
        if wrote:
            partner.last_activity_at = when
        back = Partner.objects.filter(pk=partner.pk, status=Status.DORMANT).update(
            status=Status.ACTIVE, status_changed_at=when, updated_at=timezone.now()
        )
        if back:
            partner.status, partner.status_changed_at = Status.ACTIVE, when
            fresh = Partner.objects.select_related("owner").get(pk=partner.pk)
            event = audit_record(
                actor=None,
                verb="partner.reactivated",
                target=fresh,
                partner=fresh,
                before={"status": Status.DORMANT},
                after={"status": Status.ACTIVE},
                reason="New activity after a dormant period.",
            )
            for user in owner_or_managers(fresh):
                notify(
                    key=f"audit:{event.pk}:{user.pk}",
                    template="partner_activated",
                    recipient=user,
                    partner=fresh,
                    url=reverse("manage:partner_detail", args=[fresh.pk]),
                    context={"partner": fresh, "reactivated": True, "for_partner": False},
                )
    return bool(wrote or back)


def partners_mark_dormant(*, now: datetime) -> int:
    """Active partners with no activity (or, never active, no activation) for Program.dormancy_days become dormant;
    their owner is told. 0 days turns dormancy off. Returns how many partners became dormant."""
    days = program_settings().dormancy_days
    if not days:
        return 0
    cutoff = now - timedelta(days=days)
    candidates = list(
        Partner.objects.filter(status=Status.ACTIVE)
        .annotate(last_seen=Coalesce("last_activity_at", "activated_at", "created_at"))
        .filter(last_seen__lt=cutoff)
        .select_related("owner")
        .order_by("pk")
    )
    count = 0
    for partner in candidates:
        with transaction.atomic():
            updated = (
                Partner.objects.filter(pk=partner.pk, status=Status.ACTIVE)
                .filter(Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=cutoff))
                .update(status=Status.DORMANT, status_changed_at=now, updated_at=timezone.now())
            )
            if not updated:
                continue
            partner.status, partner.status_changed_at = Status.DORMANT, now
            idle_days = (now - partner.last_seen).days
            event = audit_record(
                actor=None,
                verb="partner.dormant",
                target=partner,
                partner=partner,
                before={"status": Status.ACTIVE},
                after={"status": Status.DORMANT, "last_activity_at": partner.last_activity_at, "idle_days": idle_days},
                reason=f"No activity for {idle_days} days (the limit is {days}).",
            )
            for user in owner_or_managers(partner):
                notify(
                    key=f"audit:{event.pk}:{user.pk}",
                    template="partner_dormant",
                    recipient=user,
                    partner=partner,
                    url=reverse("manage:partner_detail", args=[partner.pk]),
                    context={"partner": partner, "idle_days": idle_days, "last_seen": partner.last_seen},
                )
            count += 1
    return count


# --- Stalled steps and the weekly digest -----------------------------------------------------------------------


def _onboarding_board() -> list[OnboardingProgress]:
    """Every partner in onboarding with its checklist: two queries, whatever the number of partners."""
    partners = list(Partner.objects.filter(status=Status.ONBOARDING).select_related("owner").order_by("pk"))
    steps: dict[int, list[PartnerStep]] = defaultdict(list)
    for ps in (
        PartnerStep.objects.filter(partner__status=Status.ONBOARDING)
        .select_related("step")
        .order_by("partner_id", "order", "pk")
    ):
        steps[ps.partner_id].append(ps)
    return [OnboardingProgress(partner=p, steps=steps.get(p.pk, [])) for p in partners]


def _send_new(messages: list[dict[str, Any]]) -> int:
    """notify() each message whose key was never used (found with one query per 500). Returns how many were new."""
    keys = [m["key"] for m in messages]
    used: set[str] = set()
    for start in range(0, len(keys), 500):  # bounded IN lists, whatever the backend's parameter limit
        used.update(
            Notification.objects.filter(idempotency_key__in=keys[start : start + 500]).values_list(
                "idempotency_key", flat=True
            )
        )
    sent = 0
    for message in messages:
        if message["key"] in used:
            continue
        notify(**message)
        used.add(message["key"])
        sent += 1
    return sent


def _partner_can_act(step: ChecklistStep) -> bool:
    """A hooked step without its app cannot be done by the partner: reminding them would only confuse."""
    return not (step.kind in hooks.HOOKED_KINDS and not hooks.has_detector(step.kind))


def onboarding_remind_stalled(*, now: datetime) -> int:
    """For each partner in onboarding, the current step has waited since the approval or the previous step.
    After Program.stall_days its admins get a reminder, after second_reminder_days a second one, after
    escalation_days the owner (or every channel manager) is told. Each message goes once per step and person;
    a late sweep sends only the latest reminder due. A setting of 0 turns that message off."""
    program = program_settings()
    thresholds = {
        "1": program.stall_days,
        "2": program.second_reminder_days,
        "esc": program.escalation_days,
    }
    due = {name: timedelta(days=days) for name, days in thresholds.items() if days}
    stalled = []
    for progress in _onboarding_board():
        current = progress.current
        if current is None:
            continue
        waited = progress.waited(now)
        if any(waited >= limit for limit in due.values()):
            stalled.append((progress, current, waited))
    if not stalled:
        return 0
    admins: dict[int, list[User]] = defaultdict(list)
    for membership in PartnerMembership.objects.filter(
        partner_id__in=[p.partner.pk for p, _, _ in stalled],
        role=PartnerMembership.Role.ADMIN,
        is_active=True,
        user__is_active=True,
    ).select_related("user"):
        admins[membership.partner_id].append(membership.user)
    managers: list[User] | None = None
    messages: list[dict[str, Any]] = []
    for progress, current, waited in stalled:
        partner = progress.partner
        context = {
            "partner": partner,
            "step": current.step,
            "days": waited.days,
            "done": progress.done,
            "total": progress.total,
        }
        level = next((n for n in ("2", "1") if n in due and waited >= due[n]), None)
        if level and _partner_can_act(current.step):
            for user in admins.get(partner.pk, []):
                messages.append(
                    {
                        "key": f"onboarding-stall:{current.pk}:{level}:{user.pk}",
                        "template": "onboarding_step_reminder",
                        "recipient": user,
                        "partner": partner,
                        "url": reverse("portal:home"),
                        "context": {**context, "second": level == "2", "owner": partner.owner},
                    }
                )
        if "esc" in due and waited >= due["esc"]:
            if partner.owner_id and partner.owner.is_active:
                recipients = [partner.owner]
            else:
                managers = channel_managers() if managers is None else managers
                recipients = managers
            for user in recipients:
                messages.append(
                    {
                        "key": f"onboarding-stall:{current.pk}:esc:{user.pk}",
                        "template": "onboarding_escalation",
                        "recipient": user,
                        "partner": partner,
                        "url": reverse("manage:partner_detail", args=[partner.pk]),
                        "context": {
                            **context,
                            "has_admins": bool(admins.get(partner.pk)),
                            "is_owner": partner.owner_id == user.pk,
                            "tickable": onboarding_step_tickable(current.step),
                        },
                    }
                )
    return _send_new(messages)


@dataclass(frozen=True)
class _DigestRow:
    partner: Partner
    step_title: str
    days: int
    stalled: bool
    done: int
    total: int


def onboarding_weekly_digest(*, now: datetime) -> int:
    """Once a week, each channel manager gets one message listing the partners in onboarding, the longest
    waiting first, with their current step. Nothing is sent when no partner is onboarding. Returns how many
    messages were sent (a re-run in the same ISO week sends none)."""
    board = _onboarding_board()
    if not board:
        return 0
    stall_days = program_settings().stall_days
    rows = []
    for progress in board:
        current = progress.current
        days = progress.days_waiting(now)
        rows.append(
            _DigestRow(
                partner=progress.partner,
                step_title=current.step.title if current else "Checklist not started",
                days=days,
                stalled=bool(stall_days) and days >= stall_days,
                done=progress.done,
                total=progress.total,
            )
        )
    rows.sort(key=lambda r: (-r.days, r.partner.name))
    year, week, _ = timezone.localtime(now).isocalendar()
    url = f"{reverse('manage:partner_list')}?status={Status.ONBOARDING}"
    messages = []
    for manager in channel_managers():
        messages.append(
            {
                "key": f"onboarding-digest:{manager.pk}:{year}-W{week:02d}",
                "template": "onboarding_digest",
                "recipient": manager,
                "url": url,
                "context": {
                    "rows": rows[:DIGEST_LIMIT],
                    "more": max(len(rows) - DIGEST_LIMIT, 0),
                    "total": len(rows),
                    "stalled": sum(1 for r in rows if r.stalled),
                    "yours": sum(1 for r in rows if r.partner.owner_id == manager.pk),
                    "manager": manager,
                    "week": week,
                },
            }
        )
    return _send_new(messages)
