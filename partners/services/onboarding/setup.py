"""Onboarding setup by a program admin: checklists per partner type and their steps, and agreement versions.

The rule for partners mid-way (partners in onboarding whose checklist is a copy of the one that changes):
- an added step is added to their checklist too, in its place; what they have done stays done;
- a retired step is taken off the checklist of every partner who had not done it (and of partners who start
  later); a partner who did it keeps it, done. If it was the last step left, the partner becomes active;
- a reworded step reads the new way for everyone; a step's kind changes only while no partner has it;
- a new order applies to their steps too (done steps stay done, the next step may change).
Partners who finished onboarding are never pulled back into it.

Every write checks that the actor is a program admin, locks the checklist, writes an audit event and tells each
affected partner's admins once, in plain words (not when the change made the partner active: that message says it).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from partners.models import (
    AgreementAcceptance,
    AgreementVersion,
    Checklist,
    ChecklistStep,
    Partner,
    PartnerMembership,
    PartnerStep,
)
from partners.services.onboarding.agreement import agreement_publish
from partners.services.onboarding.checklist import OnboardingProgress, onboarding_start
from partners.services.onboarding.common import Kind, Status, partner_admins
from partners.services.setup import can_manage_program
from prm.audit import audit_record
from prm.models import AuditEvent, User
from prm.notifications import notify_each

STEP_FIELDS = ("kind", "title", "help_text", "course_key")
# Partners asked to accept a newly published agreement (agreement_publish tells their admins).
AGREEMENT_STATUSES = (Status.ONBOARDING, Status.ACTIVE, Status.DORMANT)


# --- Who may change it: program admins (partners.services.setup.can_manage_program) -------------------------


def _check(actor: User) -> None:
    if not can_manage_program(actor):
        raise ValidationError("Only program admins can change the onboarding setup.")


# --- Reading ---------------------------------------------------------------------------------------------------


@dataclass
class ChecklistOverview:
    checklist: Checklist
    steps: list[ChecklistStep] = field(default_factory=list)
    retired: list[ChecklistStep] = field(default_factory=list)
    onboarding: int = 0  # partners in onboarding on this checklist now

    @property
    def type_label(self) -> str:
        return Partner.Type(self.checklist.partner_type).label if self.checklist.partner_type else "Every other type"


def checklist_overviews() -> list[ChecklistOverview]:
    """Every checklist (the default first), its steps in use and retired, and how many partners are on it now
    (three queries)."""
    checklists = sorted(Checklist.objects.all(), key=lambda c: (c.partner_type != "", c.get_partner_type_display()))
    rows = {c.pk: ChecklistOverview(checklist=c) for c in checklists}
    for step in ChecklistStep.objects.filter(checklist__in=checklists).order_by("order", "pk"):
        row = rows[step.checklist_id]
        (row.retired if step.retired_at else row.steps).append(step)
    counts = (
        PartnerStep.objects.filter(partner__status=Status.ONBOARDING, step__checklist__in=checklists)
        .values("step__checklist")
        .annotate(n=Count("partner", distinct=True))
        .order_by()
    )
    for count in counts:
        rows[count["step__checklist"]].onboarding = count["n"]
    return list(rows.values())


def checklist_overview(checklist: Checklist) -> ChecklistOverview:
    return next(row for row in checklist_overviews() if row.checklist.pk == checklist.pk)


def partner_types_without_checklist() -> list[tuple[str, str]]:
    taken = set(Checklist.objects.values_list("partner_type", flat=True))
    return [(value, label) for value, label in Partner.Type.choices if value not in taken]


def step_copies(step: ChecklistStep) -> dict[str, int]:
    """How many partners have the step: done, and still to do while onboarding."""
    copies = PartnerStep.objects.filter(step=step)
    return {
        "done": copies.filter(completed_at__isnull=False).count(),
        "pending": copies.filter(completed_at__isnull=True, partner__status=Status.ONBOARDING).count(),
    }


# --- Checklists ------------------------------------------------------------------------------------------------


def checklist_create(*, actor: User, name: str, partner_type: str) -> Checklist:
    """A checklist for one partner type (or the default one, if there is none). It applies to partners of that
    type who start onboarding once it has a step; partners already onboarding keep the checklist they have."""
    _check(actor)
    name = " ".join((name or "").split())
    if partner_type and partner_type not in Partner.Type.values:
        raise ValidationError({"partner_type": "Choose a partner type from the list."})
    label = Partner.Type(partner_type).label if partner_type else "the default"
    name = name or (f"{label} onboarding" if partner_type else "Standard onboarding")
    if len(name) > 120:
        raise ValidationError({"name": "The name can be at most 120 characters."})
    try:
        with transaction.atomic():
            checklist = Checklist.objects.create(name=name, partner_type=partner_type)
            audit_record(
                actor=actor,
                verb="onboarding.checklist_created",
                target=checklist,
                after={"name": name, "partner_type": partner_type},
            )
    except IntegrityError:
        raise ValidationError(
            {"partner_type": f"There is already a checklist for {label}: add steps to it instead."}
        ) from None
    return checklist


def _clean_step(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data[name] for name in STEP_FIELDS if name in data}
    errors: dict[str, str] = {}
    if "title" in values:
        values["title"] = " ".join((values["title"] or "").split())
        if not values["title"]:
            errors["title"] = "Give the step a title partners understand, e.g. “Book the kick-off call”."
        elif len(values["title"]) > 160:
            errors["title"] = "The title can be at most 160 characters."
    if "help_text" in values:
        values["help_text"] = (values["help_text"] or "").strip()
    if "course_key" in values:
        values["course_key"] = (values["course_key"] or "").strip()
        if len(values["course_key"]) > 80:
            errors["course_key"] = "The course key can be at most 80 characters."
    if "kind" in values and values["kind"] not in Kind.values:
        errors["kind"] = "Choose what the step is from the list."
    if errors:
        raise ValidationError(errors)
    if values.get("kind") not in (None, Kind.COURSE):
        values["course_key"] = ""  # only "complete a course" uses it
    return values


def _lock(checklist: Checklist) -> Checklist:
    return Checklist.objects.select_for_update().get(pk=checklist.pk)


def _onboarding_on(checklist: Checklist) -> list[Partner]:
    """Partners in onboarding whose checklist is a copy of this one."""
    return list(
        Partner.objects.filter(status=Status.ONBOARDING, onboarding_steps__step__checklist=checklist)
        .distinct()
        .order_by("pk")
    )


def _renumber_steps(checklist: Checklist) -> list[ChecklistStep]:
    """1, 2, 3… in the current order (retired steps keep their place among them)."""
    steps = list(ChecklistStep.objects.filter(checklist=checklist).order_by("order", "pk"))
    changed = []
    for n, step in enumerate(steps, start=1):
        if step.order != n:
            step.order = n
            changed.append(step)
    ChecklistStep.objects.bulk_update(changed, ["order"])
    return steps


def _renumber_partner_steps(partners: Iterable[Partner]) -> None:
    """Each partner's steps in the checklist's order (done ones included: they stay done where they are)."""
    rows: dict[int, list[PartnerStep]] = defaultdict(list)
    for ps in PartnerStep.objects.filter(partner__in=list(partners)).select_related("step"):
        rows[ps.partner_id].append(ps)
    changed = []
    for steps in rows.values():
        steps.sort(key=lambda ps: (ps.step.checklist_id, ps.step.order, ps.step_id))
        for n, ps in enumerate(steps, start=1):
            if ps.order != n:
                ps.order = n
                changed.append(ps)
    PartnerStep.objects.bulk_update(changed, ["order"], batch_size=500)


def _settle(partners: Iterable[Partner], actor: User) -> set[int]:
    """Let each partner's checklist catch up (a new step may be done already; with nothing left, the partner
    becomes active). Returns the ids of the partners who became active."""
    activated = set()
    for partner in partners:
        onboarding_start(partner=partner, actor=actor)  # idempotent: refreshes, or starts an emptied checklist
        if partner.status == Status.ACTIVE:
            activated.add(partner.pk)
    return activated


def _tell(
    *, key: str, partners: Iterable[Partner], change: str, step: ChecklistStep, extra: dict[str, Any] | None = None
) -> int:
    """One message per partner (to each of its admins) about its checklist. Returns how many partners."""
    partners = list(partners)
    if not partners:
        return 0
    steps: dict[int, list[PartnerStep]] = defaultdict(list)
    for ps in PartnerStep.objects.filter(partner__in=partners).select_related("step").order_by("order", "pk"):
        steps[ps.partner_id].append(ps)
    url = reverse("portal:home")
    for partner in partners:
        progress = OnboardingProgress(partner=partner, steps=steps.get(partner.pk, []))
        notify_each(
            key=f"{key}:{partner.pk}",
            template="onboarding_checklist_changed",
            users=partner_admins(partner),
            partner=partner,
            url=url,
            label="See your checklist",
            context={"change": change, "step": step, "progress": progress, **(extra or {})},
        )
    return len(partners)


def checklist_step_add(*, actor: User, checklist: Checklist, data: dict[str, Any]) -> tuple[ChecklistStep, int]:
    """Add a step at the end of the checklist; partners onboarding on it get it too. Returns the step and how many
    partners were told."""
    _check(actor)
    values = _clean_step(data)
    for name in ("kind", "title"):
        if name not in values:
            raise ValidationError({name: "This is needed."})
    with transaction.atomic():
        checklist = _lock(checklist)
        steps = _renumber_steps(checklist)
        step = ChecklistStep.objects.create(checklist=checklist, order=len(steps) + 1, **values)
        partners = _onboarding_on(checklist)
        PartnerStep.objects.bulk_create(
            [PartnerStep(partner=p, step=step, order=step.order) for p in partners], ignore_conflicts=True
        )
        _renumber_partner_steps(partners)
        event = audit_record(
            actor=actor,
            verb="onboarding.step_added",
            target=step,
            after={"checklist": checklist.name, "title": step.title, "kind": step.kind, "partners": len(partners)},
        )
        activated = _settle(partners, actor)
        told = _tell(
            key=f"audit:{event.pk}:checklist",
            partners=[p for p in partners if p.pk not in activated],
            change="added",
            step=step,
        )
    return step, told


def checklist_step_update(*, actor: User, step: ChecklistStep, data: dict[str, Any]) -> tuple[ChecklistStep, int]:
    """Reword a step (title, what to do, the course). Its kind changes only while no partner has it: otherwise
    retire it and add a new one. Partners who still have it to do are told."""
    _check(actor)
    values = _clean_step(data)
    with transaction.atomic():
        _lock(step.checklist)
        step = ChecklistStep.objects.select_for_update().get(pk=step.pk)
        if step.retired_at is not None:
            raise ValidationError("This step is retired: it cannot be changed any more.")
        if "kind" in values and values["kind"] != step.kind and PartnerStep.objects.filter(step=step).exists():
            raise ValidationError(
                {"kind": "Partners have this step already, so what it is cannot change. Retire it and add a new step."}
            )
        before = {name: getattr(step, name) for name in values}
        after = {name: value for name, value in values.items() if before[name] != value}
        if not after:
            return step, 0
        for name, value in after.items():
            setattr(step, name, value)
        step.save(update_fields=list(after))
        event = audit_record(
            actor=actor,
            verb="onboarding.step_changed",
            target=step,
            before={"checklist": step.checklist.name, **{name: before[name] for name in after}},
            after=after,
        )
        told = 0
        if {"title", "help_text"} & set(after):
            pending = Partner.objects.filter(
                status=Status.ONBOARDING, onboarding_steps__step=step, onboarding_steps__completed_at__isnull=True
            ).order_by("pk")
            told = _tell(
                key=f"audit:{event.pk}:checklist",
                partners=pending,
                change="changed",
                step=step,
                extra={"old_title": before.get("title", step.title)},
            )
    return step, told


def checklist_step_move(*, actor: User, step: ChecklistStep, direction: str) -> tuple[ChecklistStep, int]:
    """Swap the step with the step in use above or below it. Partners onboarding on the checklist follow the new
    order (told once a day at most, however many moves)."""
    _check(actor)
    if direction not in ("up", "down"):
        raise ValidationError("Move a step up or down.")
    with transaction.atomic():
        checklist = _lock(step.checklist)
        steps = _renumber_steps(checklist)
        live = [s for s in steps if s.retired_at is None]
        index = next((i for i, s in enumerate(live) if s.pk == step.pk), None)
        if index is None:
            raise ValidationError("This step is retired: it has no place in the order any more.")
        other_index = index - 1 if direction == "up" else index + 1
        if not 0 <= other_index < len(live):
            where = "first" if direction == "up" else "last"
            raise ValidationError(f"“{live[index].title}” is already the {where} step.")
        step, other = live[index], live[other_index]
        step.order, other.order = other.order, step.order
        ChecklistStep.objects.bulk_update([step, other], ["order"])
        partners = _onboarding_on(checklist)
        _renumber_partner_steps(partners)
        audit_record(
            actor=actor,
            verb="onboarding.step_moved",
            target=step,
            before={"checklist": checklist.name, "position": index + 1},
            after={"position": other_index + 1, "title": step.title, "partners": len(partners)},
        )
        told = _tell(
            key=f"onboarding-order:{checklist.pk}:{timezone.localdate().isoformat()}",
            partners=partners,
            change="reordered",
            step=step,
        )
    return step, told


def checklist_step_retire(*, actor: User, step: ChecklistStep) -> tuple[ChecklistStep, int]:
    """Retire a step: partners who had not done it (and those who start later) no longer have it; partners who did
    it keep it, done. A partner for whom it was the last step left becomes active. Returns the step and how many
    partners were told."""
    _check(actor)
    with transaction.atomic():
        checklist = _lock(step.checklist)
        step = ChecklistStep.objects.select_for_update().get(pk=step.pk)
        if step.retired_at is not None:
            raise ValidationError(f"“{step.title}” was already retired.")
        step.retired_at = timezone.now()
        step.save(update_fields=["retired_at"])
        pending = PartnerStep.objects.filter(step=step, completed_at__isnull=True, partner__status=Status.ONBOARDING)
        partners = list(Partner.objects.filter(pk__in=pending.values("partner")).order_by("pk"))
        # Partners not onboarding (active, offboarded…) keep their record as it is.
        removed, _ = pending.delete()
        _renumber_partner_steps(partners)
        done = PartnerStep.objects.filter(step=step, completed_at__isnull=False).count()
        event = audit_record(
            actor=actor,
            verb="onboarding.step_retired",
            target=step,
            before={"checklist": checklist.name, "title": step.title},
            after={"retired": True, "removed_from_partners": removed, "kept_done_by": done},
        )
        activated = _settle(partners, actor)
        told = _tell(
            key=f"audit:{event.pk}:checklist",
            partners=[p for p in partners if p.pk not in activated],
            change="retired",
            step=step,
        )
    return step, told


# --- Agreement versions ----------------------------------------------------------------------------------------


@dataclass
class VersionRow:
    version: AgreementVersion
    accepted: int


def agreement_versions() -> list[VersionRow]:
    """Every version, newest first, with how many partners accepted it (one query)."""
    versions = AgreementVersion.objects.annotate(accepted=Count("acceptances")).order_by("-published_at", "-pk")
    return [VersionRow(version=v, accepted=v.accepted) for v in versions]


def agreement_acceptances(version: AgreementVersion) -> QuerySet[AgreementAcceptance]:
    return (
        AgreementAcceptance.objects.filter(version=version)
        .select_related("partner", "user")
        .order_by("-accepted_at", "-pk")
    )


def agreement_partners_to_ask() -> QuerySet[Partner]:
    """Partners who must accept the current version (onboarding, active or dormant ones with an active admin)."""
    return Partner.objects.filter(
        status__in=AGREEMENT_STATUSES,
        memberships__role=PartnerMembership.Role.ADMIN,
        memberships__is_active=True,
        memberships__user__is_active=True,
    ).distinct()


def agreement_partners_pending(version: AgreementVersion) -> QuerySet[Partner]:
    """Partners concerned by the agreement who have not accepted `version`."""
    return (
        Partner.objects.filter(status__in=AGREEMENT_STATUSES)
        .exclude(Q(agreement_acceptances__version=version))
        .order_by("name")
    )


def suggest_next_version() -> str:
    """1.0 → 2.0, 2.3 → 3.0; something else → ''."""
    current = AgreementVersion.objects.filter(is_current=True).first()
    head = (current.version.split(".")[0] if current else "").strip()
    if not head.isdigit():
        return "1.0" if current is None else ""
    candidate = f"{int(head) + 1}.0"
    return "" if AgreementVersion.objects.filter(version__iexact=candidate).exists() else candidate


def agreement_version_publish(*, actor: User, version: str, title: str, body: str) -> AgreementVersion:
    """A program admin publishes a new agreement text (agreement_publish: it becomes current, is audited and every
    partner's admins are asked to accept it). Published versions are never edited: a change is a new version."""
    _check(actor)
    return agreement_publish(actor=actor, version=version, title=title, body=body)


def last_publication(version: AgreementVersion) -> AuditEvent | None:
    """Who published the version, from the audit trail."""
    return (
        AuditEvent.objects.filter(verb="agreement.published", target_type="partners.agreementversion")
        .filter(target_id=str(version.pk))
        .select_related("actor")
        .first()
    )
