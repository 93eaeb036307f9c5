"""The checklist: starting it, steps completing themselves, a channel manager ticking manual ones, and activation
when nothing is left."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from partners import hooks
from partners.models import (
    AgreementAcceptance,
    Checklist,
    ChecklistStep,
    Invitation,
    Partner,
    PartnerMembership,
    PartnerStep,
)
from partners.services.onboarding.common import Kind, Status, partner_admins
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import User
from prm.notifications import notify

logger = logging.getLogger(__name__)


# --- Reading progress ------------------------------------------------------------------------------------------


@dataclass
class OnboardingProgress:
    """A partner's checklist at a glance: steps in order, how many are done, the current step and since when it
    has waited (the later of the approval and the completion of the steps before it)."""

    partner: Partner
    steps: list[PartnerStep] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.completed_at is not None)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def current(self) -> PartnerStep | None:
        return next((s for s in self.steps if s.completed_at is None), None)

    @property
    def is_complete(self) -> bool:
        return bool(self.steps) and self.current is None

    @property
    def waiting_since(self) -> datetime | None:
        current = self.current
        if current is None:
            return None
        started = self.partner.approved_at or self.partner.created_at
        times = [started] + [s.completed_at for s in self.steps if s.order < current.order and s.completed_at]
        return max(t for t in times if t is not None)

    def waited(self, now: datetime) -> timedelta:
        since = self.waiting_since
        return max(now - since, timedelta(0)) if since else timedelta(0)

    def days_waiting(self, now: datetime | None = None) -> int:
        return self.waited(now or timezone.now()).days


def onboarding_progress(*, partner: Partner, steps: Iterable[PartnerStep] | None = None) -> OnboardingProgress:
    """The partner's checklist (one query, with who completed each step)."""
    if steps is None:
        steps = (
            PartnerStep.objects.filter(partner=partner).select_related("step", "completed_by").order_by("order", "pk")
        )
    return OnboardingProgress(partner=partner, steps=list(steps))


# --- Starting and refreshing -----------------------------------------------------------------------------------


def _checklist_for(partner: Partner) -> Checklist | None:
    """The checklist for the partner's type if it has steps in use, else the default one."""
    live = Prefetch("steps", queryset=ChecklistStep.objects.filter(retired_at__isnull=True))
    for checklist in Checklist.objects.filter(partner_type__in=[partner.type, ""]).prefetch_related(live):
        if checklist.partner_type == partner.type and checklist.steps.all():
            return checklist
    return Checklist.objects.filter(partner_type="").first()


def _steps_of(partner: Partner) -> list[PartnerStep]:
    return list(PartnerStep.objects.filter(partner=partner).select_related("step").order_by("order", "pk"))


def _start_locked(partner: Partner) -> list[PartnerStep]:
    """Copy the checklist into PartnerStep rows, once. The caller holds the partner's row lock."""
    existing = _steps_of(partner)
    if existing:
        return existing
    checklist = _checklist_for(partner)
    if checklist is None:
        return []
    steps = list(checklist.steps.filter(retired_at__isnull=True).order_by("order", "pk"))
    # Not audited on its own: the approval (or the creation) that starts onboarding is.
    PartnerStep.objects.bulk_create(
        [PartnerStep(partner=partner, step=step, order=n) for n, step in enumerate(steps, start=1)],
        ignore_conflicts=True,
    )
    return _steps_of(partner)


def onboarding_start(*, partner: Partner, actor: User | None = None) -> list[PartnerStep]:
    """Give the partner its onboarding checklist: a copy of the one for its type, or the default. Idempotent: a
    partner that has steps keeps them. Steps that are already done (say, the profile is complete) are detected
    right away, so the partner may even become active here; with no checklist configured at all, it does."""
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        steps = _start_locked(locked)
        if steps:
            activated = _refresh_locked(locked, actor)
        else:
            activated = locked.status == Status.ONBOARDING and _activate(locked, timezone.now(), last=None)
        if activated:
            _sync(partner, locked)
        return _steps_of(locked)


def onboarding_refresh(*, partner: Partner, actor: User | None = None) -> bool:
    """Mark the steps the system can see are done (agreement accepted, profile complete, a colleague invited,
    hooked facts from other apps), then activate the partner when nothing is left. Only partners in onboarding
    with a started checklist are looked at. Returns True if the partner became active just now."""
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if locked.status != Status.ONBOARDING:
            return False
        activated = _refresh_locked(locked, actor)
    if activated:
        _sync(partner, locked)
    return activated


def _sync(partner: Partner, fresh: Partner) -> None:
    """Let the caller's instance see what changed."""
    for name in ("status", "activated_at", "status_changed_at"):
        setattr(partner, name, getattr(fresh, name))


class _Facts:
    """What the detectors need, each looked up only when a pending step asks for it."""

    def __init__(self, partner: Partner) -> None:
        self.partner = partner
        self._cache: dict[str, Any] = {}

    def _get(self, name: str, compute):
        if name not in self._cache:
            self._cache[name] = compute()
        return self._cache[name]

    def acceptance(self) -> AgreementAcceptance | None:
        return self._get(
            "acceptance",
            lambda: (
                AgreementAcceptance.objects.filter(partner=self.partner, version__is_current=True)
                .select_related("user")
                .first()
            ),
        )

    def member_invitation(self) -> Invitation | None:
        return self._get(
            "invitation",
            lambda: (
                Invitation.objects.filter(
                    partner=self.partner, invited_by__membership__partner=self.partner, revoked_at__isnull=True
                )
                .select_related("invited_by")
                .order_by("created_at")
                .first()
            ),
        )

    def member_count(self) -> int:
        return self._get(
            "members",
            lambda: PartnerMembership.objects.filter(
                partner=self.partner, is_active=True, user__is_active=True
            ).count(),
        )


def _detect(ps: PartnerStep, facts: _Facts, actor: User | None) -> tuple[bool, User | None]:
    """(done?, who did it) for a pending step."""
    kind = ps.step.kind
    partner = facts.partner
    if kind == Kind.AGREEMENT:
        acceptance = facts.acceptance()
        return (acceptance is not None, acceptance.user if acceptance else None)
    if kind == Kind.PROFILE:
        return (not partner.missing_profile_fields(), actor)
    if kind == Kind.INVITE:
        invitation = facts.member_invitation()
        if invitation is not None:
            return True, invitation.invited_by
        return (facts.member_count() >= 2, None)  # a colleague joined; nobody in particular did it
    detector = hooks.step_detector(kind)
    if detector is None:  # manual steps, and hooked kinds whose app is not there yet
        return False, None
    try:
        return (bool(detector(partner, ps.step)), actor)
    except Exception:  # another app's bug must not break saving a profile
        logger.exception("Onboarding detector for %s failed on partner %s", kind, partner.pk)
        return False, None


def _refresh_locked(partner: Partner, actor: User | None) -> bool:
    if partner.status != Status.ONBOARDING:
        return False
    steps = _steps_of(partner)
    if not steps:  # not started: onboarding_start decides what an empty checklist means
        return False
    facts = _Facts(partner)
    now = timezone.now()
    for ps in steps:
        if ps.completed_at is not None:
            continue
        done, by = _detect(ps, facts, actor)
        if not done:
            continue
        claimed = PartnerStep.objects.filter(pk=ps.pk, completed_at__isnull=True).update(
            completed_at=now, completed_by=by, detected=True
        )
        if claimed:
            ps.completed_at, ps.completed_by, ps.detected = now, by, True
            audit_record(
                actor=actor,
                verb="onboarding.step_completed",
                target=ps,
                partner=partner,
                after={"step": ps.step.title, "kind": ps.step.kind, "detected": True, "by": by and by.email},
            )
    if all(ps.completed_at is not None for ps in steps):
        return _activate(partner, now, last=max(steps, key=lambda s: s.completed_at))
    return False


def _activate(partner: Partner, now: datetime, last: PartnerStep | None) -> bool:
    """onboarding → active, once (compare-and-set), audited, told to the partner's admins and its owner."""
    updated = Partner.objects.filter(pk=partner.pk, status=Status.ONBOARDING).update(
        status=Status.ACTIVE, activated_at=now, status_changed_at=now, updated_at=now
    )
    if updated != 1:
        return False
    partner.status, partner.activated_at, partner.status_changed_at = Status.ACTIVE, now, now
    days = partner.time_to_activate.days if partner.time_to_activate is not None else None
    event = audit_record(
        actor=None,
        verb="partner.activated",
        target=partner,
        partner=partner,
        before={"status": Status.ONBOARDING},
        after={"status": Status.ACTIVE, "activated_at": now, "days_to_activate": days},
        reason=f"Every onboarding step is done (the last one: {last.step.title})."
        if last
        else "No onboarding checklist is configured.",
    )
    context = {"partner": partner, "days_to_activate": days, "reactivated": False}
    for user in partner_admins(partner):
        notify(
            key=f"audit:{event.pk}:{user.pk}",
            template="partner_activated",
            recipient=user,
            partner=partner,
            url=reverse("portal:home"),
            context={**context, "for_partner": True},
        )
    owner = partner.owner if partner.owner_id and partner.owner.is_active else None
    if owner is not None:
        notify(
            key=f"audit:{event.pk}:{owner.pk}",
            template="partner_activated",
            recipient=owner,
            partner=partner,
            url=reverse("manage:partner_detail", args=[partner.pk]),
            context={**context, "for_partner": False},
        )
    return True


# --- A channel manager ticks a step ----------------------------------------------------------------------------


def onboarding_step_tickable(step: ChecklistStep) -> bool:
    """Manual steps, and hooked steps whose app is not built yet (otherwise they could never be done)."""
    return step.kind == Kind.MANUAL or (step.kind in hooks.HOOKED_KINDS and not hooks.has_detector(step.kind))


def onboarding_step_complete(*, actor: User, partner_step: PartnerStep) -> PartnerStep:
    """A channel manager marks a manual step done (say, after the kick-off call). Once only; audited; the
    partner's admins are told, and the partner becomes active if it was the last step."""
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can mark onboarding steps done.")
    step = partner_step.step
    if not onboarding_step_tickable(step):
        raise ValidationError(f"“{step.title}” completes by itself when the partner does it; it cannot be ticked.")
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner_step.partner_id)
        fresh = PartnerStep.objects.select_related("completed_by").get(pk=partner_step.pk)
        if fresh.completed_at is not None:  # a double click, or a colleague was quicker
            who = f" by {fresh.completed_by.display_name}" if fresh.completed_by else ""
            when = date_format(timezone.localtime(fresh.completed_at), "N j")
            raise ValidationError(f"“{step.title}” was already marked done{who} on {when}.")
        if partner.status != Status.ONBOARDING:
            raise ValidationError(f"{partner.name} is not onboarding (it is {partner.get_status_display().lower()}).")
        now = timezone.now()
        # Compare-and-set on top of the partner lock: correct even where row locks are no-ops (SQLite).
        claimed = PartnerStep.objects.filter(pk=partner_step.pk, completed_at__isnull=True).update(
            completed_at=now, completed_by=actor, detected=False
        )
        if claimed != 1:
            raise ValidationError(f"“{step.title}” was already marked done.")
        event = audit_record(
            actor=actor,
            verb="onboarding.step_completed",
            target=partner_step,
            partner=partner,
            after={"step": step.title, "kind": step.kind, "detected": False, "by": actor.email},
        )
        activated = _refresh_locked(partner, actor)
        if not activated:  # the activation message says it all otherwise
            for user in partner_admins(partner):
                notify(
                    key=f"audit:{event.pk}:{user.pk}",
                    template="onboarding_step_done",
                    recipient=user,
                    partner=partner,
                    url=reverse("portal:home"),
                    context={"partner": partner, "step": step, "actor": actor},
                )
    partner_step.refresh_from_db()
    return partner_step
