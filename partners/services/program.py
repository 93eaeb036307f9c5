"""The partner program and its tiers: where a partner stands, what it still needs, the nightly evaluation that
proposes promotions and demotions, and the channel manager's decisions on them.

A tier change is never applied silently: the evaluation only writes `TierProposal`s; a channel manager accepts
(the partner's tier changes, it is audited and the partner's people are told) or rejects (audited; the partner is
not told, because nothing changed for it).

Rules chosen where the issue is silent:
- A partner qualifies for a tier when every requirement *of that tier* is met; the evaluation proposes the
  highest-rank tier it qualifies for (tiers are not cumulative: each tier lists everything it needs).
- A requirement whose metric is not tracked yet (its app is not built) counts as 0, so it never earns a
  promotion, but it never causes a demotion either: a partner keeps its tier while everything we *can* measure
  of it is met.
- A rejected proposal is not proposed again, for the same move, for `REJECTION_QUIET_DAYS`.
"""

__all__ = [
    "RequirementProgress",
    "TierProgress",
    "partner_set_tier",
    "program_get",
    "requirement_label",
    "requirement_tick",
    "tier_evaluate_partner",
    "tier_progress_for",
    "tier_proposal_accept",
    "tier_proposal_reject",
    "tiers_evaluate_all",
]

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone

from partners import metrics
from partners.models import Partner, PartnerMembership, Program, RequirementTick, Tier, TierProposal, TierRequirement
from prm.audit import audit_record
from prm.models import CHANNEL_MANAGERS_GROUP, User
from prm.money import format_money
from prm.notifications import notify
from prm.request_cache import memo

Kind = TierRequirement.Kind
EVALUATED_STATUSES = (Partner.Status.ONBOARDING, Partner.Status.ACTIVE, Partner.Status.DORMANT)
REJECTION_QUIET_DAYS = 30
NOTE_MAX_LENGTH = 300
REASON_MAX_LENGTH = 2000


def program_get() -> Program:
    """The program settings (one row, created on first use)."""
    program, _ = Program.objects.get_or_create(pk=1)
    return program


# --- Words --------------------------------------------------------------------------------------------------------


def _count(amount: Decimal) -> str:
    return f"{amount.normalize():,f}"


def reporting_currency() -> str:
    """The program's reporting currency: won revenue requirements are measured in it (converted by insights)."""
    def read() -> str:
        code = Program.objects.filter(pk=1).values_list("reporting_currency", flat=True).first()
        return code or getattr(settings, "PRM_CURRENCY", "USD")

    return memo("program:reporting_currency", read)  # asked once per request (prm.request_cache)


def _money(amount: Decimal, currency: str | None = None) -> str:
    return format_money(amount, currency or reporting_currency(), places=0)


def _noun(kind: str, target: Decimal) -> str:
    one = target == 1
    if kind == Kind.CERTIFIED_PEOPLE:
        return "certified person" if one else "certified people"
    if kind == Kind.APPROVED_REGISTRATIONS:
        return "approved deal registration (12 months)" if one else "approved deal registrations (12 months)"
    return "won revenue (12 months)"


def _amount(kind: str, value: Decimal, currency: str | None = None) -> str:
    return _money(value, currency) if kind == Kind.WON_REVENUE else _count(value)


def requirement_label(requirement: TierRequirement, currency: str | None = None) -> str:
    """What the requirement asks for, e.g. "3 certified people" or "$100,000 won revenue (12 months)"."""
    if not requirement.is_quantitative:
        return requirement.label or "Qualitative requirement"
    target = requirement.threshold or Decimal(0)
    return f"{_amount(requirement.kind, target, currency)} {_noun(requirement.kind, target)}"


# --- Measuring ----------------------------------------------------------------------------------------------------


@dataclass
class _Measures:
    """Everything the rules need about a set of partners, fetched with a fixed number of queries."""

    values: dict[str, dict[int, Decimal]]
    tracked: dict[str, bool]
    ticks: dict[tuple[int, int], Any]  # (partner_id, requirement_id) -> RequirementTick (or True)
    since: datetime
    currency: str = ""


def _measure(partner_ids: list[int], now: datetime, ticks: Iterable[Any]) -> _Measures:
    since = now - metrics.WINDOW
    values, tracked = {}, {}
    for kind in metrics.QUANTITATIVE_KINDS:  # one call per kind for all partners, never one per partner
        values[kind], tracked[kind] = metrics.metric_values(kind, partner_ids, since)
    return _Measures(values=values, tracked=tracked, ticks=dict(ticks), since=since, currency=reporting_currency())


def _tiers() -> list[Tier]:
    return list(Tier.objects.order_by("rank").prefetch_related("requirements"))


@dataclass(frozen=True)
class RequirementProgress:
    """One requirement of a tier, measured for one partner."""

    requirement: TierRequirement
    label: str
    current: Decimal | None  # None for qualitative requirements
    target: Decimal | None
    met: bool
    tracked: bool
    sentence: str  # "2 of 3 certified people"
    note: str = ""  # "not tracked yet: counts once Enablement is live"
    tick: RequirementTick | None = None

    @property
    def is_quantitative(self) -> bool:
        return self.requirement.is_quantitative

    @property
    def percent(self) -> int:
        if self.met:
            return 100
        if not self.target or self.current is None:
            return 0
        return max(0, min(100, int(self.current * 100 / self.target)))

    @property
    def keeps(self) -> bool:
        """Counts as met for keeping a tier: we never demote on a number we cannot measure yet."""
        return self.met or not self.tracked


def _progress(requirement: TierRequirement, partner_id: int, m: _Measures, audience: str) -> RequirementProgress:
    label = requirement_label(requirement, m.currency)
    if not requirement.is_quantitative:
        tick = m.ticks.get((partner_id, requirement.pk))
        met = tick is not None
        if audience == "portal":
            state = "confirmed by your channel manager" if met else "not yet confirmed by your channel manager"
        else:
            state = "confirmed" if met else "not confirmed yet"
        return RequirementProgress(
            requirement=requirement,
            label=label,
            current=None,
            target=None,
            met=met,
            tracked=True,
            sentence=f"{label}: {state}",
            tick=tick if isinstance(tick, RequirementTick) else None,
        )
    kind, target = requirement.kind, requirement.threshold or Decimal(0)
    current = m.values[kind].get(partner_id, Decimal(0))
    tracked = m.tracked[kind]
    return RequirementProgress(
        requirement=requirement,
        label=label,
        current=current,
        target=target,
        met=tracked and current >= target,
        tracked=tracked,
        sentence=f"{_amount(kind, current, m.currency)} of {_amount(kind, target, m.currency)} {_noun(kind, target)}",
        note="" if tracked else metrics.UNTRACKED_NOTES[kind],
    )


def _qualifies(tier: Tier, partner_id: int, m: _Measures) -> bool:
    return all(_progress(r, partner_id, m, "manage").met for r in tier.requirements.all())


def _keeps(tier: Tier, partner_id: int, m: _Measures) -> bool:
    return all(_progress(r, partner_id, m, "manage").keeps for r in tier.requirements.all())


def _deserved_tier(tiers: list[Tier], current_tier_id: int | None, partner_id: int, m: _Measures) -> Tier | None:
    """The highest tier the partner qualifies for (or keeps, for its current one); None if none."""
    best = None
    for tier in tiers:  # ascending rank
        if _qualifies(tier, partner_id, m) or (tier.pk == current_tier_id and _keeps(tier, partner_id, m)):
            best = tier
    return best


def _rank(tier: Tier | None) -> int:
    return tier.rank if tier is not None else 0


# --- Where a partner stands -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierProgress:
    partner: Partner
    tiers: list[Tier]
    current_tier: Tier | None
    benefits: list[str]
    next_tier: Tier | None
    next_requirements: list[RequirementProgress]
    current_requirements: list[RequirementProgress]  # what it still meets of its current tier
    pending_proposal: TierProposal | None
    measured_since: datetime
    untracked_notes: list[str] = field(default_factory=list)
    measured_at: datetime | None = None
    currency: str = ""

    @property
    def has_tiers(self) -> bool:
        return bool(self.tiers)

    @property
    def missing(self) -> list[RequirementProgress]:
        """What the partner still needs for the next tier."""
        return [r for r in self.next_requirements if not r.met]

    @property
    def qualifies_for_next(self) -> bool:
        return self.next_tier is not None and not self.missing

    @property
    def keeps_current(self) -> bool:
        return all(r.keeps for r in self.current_requirements)

    @property
    def no_longer_met(self) -> list[RequirementProgress]:
        return [r for r in self.current_requirements if not r.keeps]


def tier_progress_for(*, partner: Partner, now: datetime | None = None, audience: str = "portal") -> TierProgress:
    """Where `partner` stands: its tier and benefits, the next tier and, requirement by requirement, what it has
    and what it still needs. `audience` ("portal" or "manage") picks the wording of qualitative requirements;
    only "manage" includes the pending proposal. A handful of queries whatever the number of tiers."""
    now = now or timezone.now()
    tiers = _tiers()
    requirements = [r for t in tiers for r in t.requirements.all()]
    ticks = []
    if any(not r.is_quantitative for r in requirements):
        ticks = [
            ((partner.pk, t.requirement_id), t)
            for t in RequirementTick.objects.filter(partner=partner).select_related("ticked_by")
        ]
    m = _measure([partner.pk], now, ticks)
    current = next((t for t in tiers if t.pk == partner.tier_id), None)
    if current is None:
        next_tier = tiers[0] if tiers else None
    else:
        next_tier = next((t for t in tiers if t.rank > current.rank), None)
    next_reqs = [_progress(r, partner.pk, m, audience) for r in next_tier.requirements.all()] if next_tier else []
    current_reqs = [_progress(r, partner.pk, m, audience) for r in current.requirements.all()] if current else []
    notes = list(dict.fromkeys(r.note for r in [*current_reqs, *next_reqs] if r.note))
    pending = None
    if tiers and audience == "manage":  # partners hear about tier changes, not about proposals
        pending = (
            TierProposal.objects.filter(partner=partner, status=TierProposal.Status.PENDING)
            .select_related("current_tier", "proposed_tier")
            .first()
        )
    return TierProgress(
        partner=partner,
        tiers=tiers,
        current_tier=current,
        benefits=current.benefit_lines() if current else [],
        next_tier=next_tier,
        next_requirements=next_reqs,
        current_requirements=current_reqs,
        pending_proposal=pending,
        measured_since=m.since,
        untracked_notes=notes,
        measured_at=now,
        currency=m.currency,
    )


# --- The evaluation -----------------------------------------------------------------------------------------------


def _evidence(
    *, partner: Partner, current: Tier | None, target: Tier | None, m: _Measures, now: datetime
) -> dict[str, Any]:
    """The measured values behind a proposal, in numbers and in words. For a promotion the lines are the new
    tier's requirements (all met); for a demotion, the current tier's (the unmet ones explain it)."""
    basis = target if _rank(target) > _rank(current) else current
    lines = []
    if basis is not None:
        for requirement in basis.requirements.all():
            p = _progress(requirement, partner.pk, m, "manage")
            lines.append({"text": p.sentence, "met": p.met, "note": p.note})
    return {
        "measured_at": now.isoformat(),
        "since": m.since.isoformat(),
        "from": current.name if current else None,
        "to": target.name if target else None,
        "basis": basis.name if basis else None,
        "values": {kind: str(m.values[kind].get(partner.pk, Decimal(0))) for kind in metrics.QUANTITATIVE_KINDS},
        "tracked": dict(m.tracked),
        "lines": lines,
    }


def _lock_program() -> None:
    """Serialise evaluations (two workers, or the nightly run and a manager's tick) on the program row."""
    program_get()
    Program.objects.select_for_update().filter(pk=1).first()


def _evaluate(partner_qs: QuerySet[Partner], now: datetime) -> tuple[dict[str, int], list[TierProposal]]:
    partners = list(partner_qs.only("id", "name", "tier_id", "owner_id"))
    tiers = _tiers()
    tiers_by_id = {t.pk: t for t in tiers}
    ticks = []
    if any(not r.is_quantitative for t in tiers for r in t.requirements.all()):
        ticks = [
            ((pid, rid), True)
            for pid, rid in RequirementTick.objects.filter(partner__in=partner_qs).values_list(
                "partner_id", "requirement_id"
            )
        ]
    m = _measure([p.pk for p in partners], now, ticks)
    pending = {
        p.partner_id: p for p in TierProposal.objects.filter(status=TierProposal.Status.PENDING, partner__in=partner_qs)
    }
    recently_rejected = set(
        TierProposal.objects.filter(
            status=TierProposal.Status.REJECTED,
            decided_at__gte=now - timedelta(days=REJECTION_QUIET_DAYS),
            partner__in=partner_qs,
        ).values_list("partner_id", "current_tier_id", "proposed_tier_id")
    )
    counts = {"evaluated": len(partners), "proposed": 0, "kept": 0, "unchanged": 0, "superseded": 0, "held_back": 0}
    supersede: list[int] = []
    new: list[TierProposal] = []
    for partner in partners:
        current = tiers_by_id.get(partner.tier_id)
        target = _deserved_tier(tiers, partner.tier_id, partner.pk, m)
        target_id = target.pk if target else None
        open_proposal = pending.get(partner.pk)
        if target_id == partner.tier_id:
            counts["unchanged"] += 1
            if open_proposal is not None:
                supersede.append(open_proposal.pk)
            continue
        if (
            open_proposal is not None
            and open_proposal.proposed_tier_id == target_id
            and open_proposal.current_tier_id == partner.tier_id
        ):
            counts["kept"] += 1  # the same proposal is already waiting for a decision
            continue
        if open_proposal is not None:
            supersede.append(open_proposal.pk)
        if (partner.pk, partner.tier_id, target_id) in recently_rejected:
            counts["held_back"] += 1
            continue
        new.append(
            TierProposal(
                partner=partner,
                current_tier=current,
                proposed_tier=target,
                is_promotion=_rank(target) > _rank(current),
                evidence=_evidence(partner=partner, current=current, target=target, m=m, now=now),
            )
        )
    if supersede:
        counts["superseded"] += TierProposal.objects.filter(
            pk__in=supersede, status=TierProposal.Status.PENDING
        ).update(status=TierProposal.Status.SUPERSEDED, decided_at=now)
    if new:
        TierProposal.objects.bulk_create(new, batch_size=500)
        counts["proposed"] = len(new)
    return counts, new


def tiers_evaluate_all(*, now: datetime) -> dict[str, int]:
    """The nightly evaluation: for every onboarding, active or dormant partner, propose the tier it deserves when
    that differs from its current one. Never changes a partner's tier. Idempotent: a re-run proposes nothing twice.
    A fixed number of queries whatever the number of partners (the metric providers are called once per kind)."""
    with transaction.atomic():
        _lock_program()
        counts, new = _evaluate(Partner.objects.filter(status__in=EVALUATED_STATUSES), now)
        # Partners that left the program (offboarded, declined) have nothing to decide any more.
        counts["superseded"] += (
            TierProposal.objects.filter(status=TierProposal.Status.PENDING)
            .exclude(partner__status__in=EVALUATED_STATUSES)
            .update(status=TierProposal.Status.SUPERSEDED, decided_at=now)
        )
        counts["notified"] = _tell_managers(new)
    return counts


def tier_evaluate_partner(*, partner: Partner, now: datetime | None = None) -> TierProposal | None:
    """Evaluate one partner now (after a channel manager ticks a requirement) rather than tonight. Returns its
    pending proposal, if any."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_program()
        if partner.status in EVALUATED_STATUSES:
            _evaluate(Partner.objects.filter(pk=partner.pk, status__in=EVALUATED_STATUSES), now)
    return (
        TierProposal.objects.filter(partner=partner, status=TierProposal.Status.PENDING)
        .select_related("current_tier", "proposed_tier")
        .first()
    )


def _channel_managers() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name=CHANNEL_MANAGERS_GROUP))
        .distinct()
    )


def _tell_managers(proposals: list[TierProposal]) -> int:
    """One message per channel manager about the new proposals: the owner of each partner, or every channel
    manager for partners nobody owns. The number of queries grows with the managers, not the partners."""
    if not proposals:
        return 0
    by_owner: dict[int | None, list[TierProposal]] = defaultdict(list)
    for proposal in proposals:
        by_owner[proposal.partner.owner_id].append(proposal)
    owners = {u.pk: u for u in User.objects.filter(pk__in=[k for k in by_owner if k], is_active=True)}
    inbox: dict[int, tuple[User, list[TierProposal]]] = {}
    unowned = list(by_owner.pop(None, []))
    for owner_id, owned in by_owner.items():
        if owner_id in owners:
            inbox[owner_id] = (owners[owner_id], owned)
        else:
            unowned.extend(owned)
    if unowned:
        for manager in _channel_managers():
            inbox.setdefault(manager.pk, (manager, []))[1].extend(unowned)
    url = reverse("manage:tier_proposal_list")
    for user, waiting in inbox.values():
        waiting.sort(key=lambda p: p.partner.name.lower())
        notify(
            key=f"tier-proposals:{user.pk}:{max(p.pk for p in waiting)}",
            template="tier_proposals_waiting",
            recipient=user,
            url=url,
            context={"proposals": waiting[:20], "count": len(waiting), "more": max(0, len(waiting) - 20)},
        )
    return len(inbox)


# --- Decisions ----------------------------------------------------------------------------------------------------


def _who(user: User | None) -> str:
    return user.display_name if user is not None else "someone"


def _decided_message(proposal: TierProposal) -> str:
    when = dateformat.format(timezone.localtime(proposal.decided_at), "j M Y, H:i") if proposal.decided_at else ""
    if proposal.status == TierProposal.Status.ACCEPTED:
        return f"This proposal was already accepted by {_who(proposal.decided_by)} on {when}."
    if proposal.status == TierProposal.Status.REJECTED:
        return f"This proposal was already rejected by {_who(proposal.decided_by)} on {when}."
    return (
        "This proposal is out of date: the partner's tier or its numbers changed since it was made. "
        "A fresh proposal appears after the next evaluation if a change is still due."
    )


def _tier_audit(tier: Tier | None) -> dict[str, Any]:
    return {"tier": tier.name if tier else "no tier", "tier_id": tier.pk if tier else None}


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(f"Keep the reason under {REASON_MAX_LENGTH} characters.")
    return reason


def _apply_tier(
    *,
    actor: User,
    partner: Partner,
    before: Tier | None,
    after: Tier | None,
    reason: str,
    extra: dict[str, Any],
) -> None:
    """Inside the caller's transaction, with `partner` locked: set the tier, audit it, tell the partner's people."""
    partner.tier = after
    partner.save(update_fields=["tier", "updated_at"])
    is_promotion = _rank(after) > _rank(before)
    event = audit_record(
        actor=actor,
        verb="tier.changed",
        target=partner,
        partner=partner,
        before=_tier_audit(before),
        after={**_tier_audit(after), "promotion": is_promotion, **extra},
        reason=reason,
    )
    _tell_partner(partner=partner, before=before, after=after, is_promotion=is_promotion, reason=reason, event=event)


def _tell_partner(
    *, partner: Partner, before: Tier | None, after: Tier | None, is_promotion: bool, reason: str, event: Any
) -> None:
    needs: list[str] = []
    if not is_promotion and before is not None:
        # What it would take to be back in the tier it left, measured now.
        ticks = [((partner.pk, t.requirement_id), t) for t in RequirementTick.objects.filter(partner=partner)]
        m = _measure([partner.pk], timezone.now(), ticks)
        for requirement in before.requirements.all():
            p = _progress(requirement, partner.pk, m, "portal")
            if not p.met:
                needs.append(f"{p.sentence} ({p.note})" if p.note else p.sentence)
    context = {
        "partner": partner,
        "before": before,
        "after": after,
        "is_promotion": is_promotion,
        "benefits": after.benefit_lines() if after else [],
        "needs": needs,
        "reason": reason,
    }
    url = reverse("portal:program")
    members = PartnerMembership.objects.filter(partner=partner, is_active=True).select_related("user")
    for membership in members:
        notify(
            key=f"audit:{event.pk}:tier:{membership.user_id}",
            template="tier_changed",
            recipient=membership.user,
            partner=partner,
            url=url,
            context=context,
        )


def tier_proposal_accept(*, actor: User, proposal: TierProposal, reason: str = "") -> Partner:
    """Accept a pending proposal: the partner moves to the proposed tier (audited "tier.changed", with the
    evidence), and its people are told. Refused when already decided, or when the partner's tier changed since
    the proposal was made (the proposal is then marked superseded)."""
    reason = _clean_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=proposal.partner_id)
        locked = (
            TierProposal.objects.select_for_update(of=("self",))
            .select_related("current_tier", "proposed_tier", "decided_by")
            .get(pk=proposal.pk)
        )
        if locked.status != TierProposal.Status.PENDING:
            raise ValidationError(_decided_message(locked))
        target_vanished = locked.proposed_tier_id is None and locked.evidence.get("to") is not None
        stale = partner.tier_id != locked.current_tier_id or target_vanished
        locked.decided_by, locked.decided_at, locked.reason = actor, now, reason
        locked.status = TierProposal.Status.SUPERSEDED if stale else TierProposal.Status.ACCEPTED
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        if not stale:
            _apply_tier(
                actor=actor,
                partner=partner,
                before=locked.current_tier,
                after=locked.proposed_tier,
                reason=reason,
                extra={"proposal": locked.pk, "evidence": locked.evidence},
            )
    if stale:
        raise ValidationError(
            f"This proposal is out of date: {partner.name} is no longer in "
            f"{locked.current_tier.name if locked.current_tier else 'no tier'}, or the proposed tier was removed. "
            "It was set aside; the next evaluation proposes again if a change is still due."
        )
    proposal.refresh_from_db()
    return partner


def tier_proposal_reject(*, actor: User, proposal: TierProposal, reason: str) -> TierProposal:
    """Reject a pending proposal, with a reason (audited). The partner is not told: nothing changed for it.
    The same move is not proposed again for `REJECTION_QUIET_DAYS`."""
    reason = _clean_reason(reason)
    if not reason:
        raise ValidationError("Say why you reject this proposal; the reason is kept in the audit trail.")
    with transaction.atomic():
        locked = (
            TierProposal.objects.select_for_update(of=("self",))
            .select_related("partner", "current_tier", "proposed_tier", "decided_by")
            .get(pk=proposal.pk)
        )
        if locked.status != TierProposal.Status.PENDING:
            raise ValidationError(_decided_message(locked))
        locked.status = TierProposal.Status.REJECTED
        locked.decided_by, locked.decided_at, locked.reason = actor, timezone.now(), reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit_record(
            actor=actor,
            verb="tier.proposal_rejected",
            target=locked,
            partner=locked.partner,
            before={"status": TierProposal.Status.PENDING},
            after={
                "status": TierProposal.Status.REJECTED,
                "current_tier": locked.current_tier.name if locked.current_tier else "no tier",
                "proposed_tier": locked.proposed_tier.name if locked.proposed_tier else "no tier",
                "promotion": locked.is_promotion,
                "evidence": locked.evidence,
            },
            reason=reason,
        )
    proposal.refresh_from_db()
    return locked


def partner_set_tier(*, actor: User, partner: Partner, tier: Tier | None, reason: str) -> Partner:
    """A channel manager moves a partner to `tier` (or to no tier) by hand, with a reason. Audited, the partner's
    people are told, and any pending proposal for it is set aside."""
    reason = _clean_reason(reason)
    if not reason:
        raise ValidationError("Say why you change the tier; the partner's people see it in their message.")
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if locked.tier_id == (tier.pk if tier else None):
            raise ValidationError(f"{locked.name} is already in {tier.name if tier else 'no tier'}.")
        before = Tier.objects.filter(pk=locked.tier_id).first() if locked.tier_id else None
        TierProposal.objects.filter(partner=locked, status=TierProposal.Status.PENDING).update(
            status=TierProposal.Status.SUPERSEDED, decided_at=timezone.now(), decided_by=actor
        )
        _apply_tier(actor=actor, partner=locked, before=before, after=tier, reason=reason, extra={"manual": True})
    partner.tier = tier
    return locked


def requirement_tick(
    *, actor: User, partner: Partner, requirement: TierRequirement, ticked: bool, note: str = ""
) -> RequirementTick | None:
    """A channel manager confirms (or withdraws) a qualitative requirement for a partner. Audited; a no-op when
    nothing changes. The partner is then evaluated at once, so a resulting proposal shows up now, not tonight.
    Returns the tick (None when unticked)."""
    if requirement.is_quantitative:
        raise ValidationError("Only qualitative requirements are confirmed by hand; the others are measured.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(f"Keep the note under {NOTE_MAX_LENGTH} characters.")
    label = requirement_label(requirement)
    with transaction.atomic():
        existing = RequirementTick.objects.select_for_update().filter(partner=partner, requirement=requirement).first()
        if ticked == (existing is not None):
            return existing
        if ticked:
            try:
                with transaction.atomic():
                    result = RequirementTick.objects.create(
                        partner=partner, requirement=requirement, ticked_by=actor, note=note
                    )
            except IntegrityError:  # a concurrent click got there first
                return RequirementTick.objects.get(partner=partner, requirement=requirement)
        else:
            existing.delete()
            result = None
        audit_record(
            actor=actor,
            verb="tier.requirement_ticked" if ticked else "tier.requirement_unticked",
            target=requirement,
            partner=partner,
            before={"confirmed": not ticked},
            after={"confirmed": ticked, "requirement": label, "tier": requirement.tier.name},
            reason=note,
        )
    tier_evaluate_partner(partner=partner)
    return result
