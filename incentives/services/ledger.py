"""The earnings ledger: events accrue lines, and lines are never edited or deleted.

- `accrue_for_won(registration)`: dealreg's won hook calls it once the win is committed. The version is the one in
  force when the registration was approved (`version_for_registration`); the boosts are those active on the win
  date; the first-win bonus goes to a partner's earliest won deal, once.
- `accrue_for_renewal(renewal)`: a renewed or expanded contract of a partner-acquired customer earns the rebate of
  the version in force on the renewal date (insights' RenewalOutcome post_save, on commit).
- `reverse_for(registration, reason)`: a negative line for every line of the deal not reversed yet.

Idempotent: every line has an `event_key` (unique in the database). Each insert runs in its own savepoint, so a
second worker processing the same event at the same moment waits for the first, hits the unique key and records
nothing; no line is ever accrued twice.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Registration
from incentives.engine import Deal, Part, Result, calculate_deal, calculate_renewal
from incentives.models import EarningLine, PlanVersion
from incentives.services.plans import plan_version_in_force, version_for_registration
from partners.selectors import partner_people
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import User
from prm.money import Totals, to_cents
from prm.notifications import notify


def _deal_from(registration: Registration, *, amount: Decimal, won_on: date) -> Deal:
    partner = registration.partner
    return Deal(
        amount=amount,
        currency=registration.currency,
        involvement=registration.involvement,
        won_on=won_on,
        name=registration.name,
        products=registration.products,
        country=str(registration.country or ""),
        partner_regions=tuple(partner.regions or ()),
        partner_segments=tuple(partner.segments or ()),
        partner_type=partner.type,
        partner_tier_id=partner.tier_id,
    )


def _is_first_win(registration: Registration) -> bool:
    """No other won deal of the partner closed before this one (ties: the lower id is first)."""
    earlier = Registration.objects.filter(partner_id=registration.partner_id, status=Registration.Status.WON).exclude(
        pk=registration.pk
    )
    if registration.closed_at is None:
        return not earlier.exists()
    return not (
        earlier.filter(closed_at__lt=registration.closed_at).exists()
        or earlier.filter(closed_at=registration.closed_at, pk__lt=registration.pk).exists()
    )


def _rules(version: PlanVersion) -> tuple[list, list]:
    return list(version.payout_rules.all()), list(version.boosts.select_related("tier"))


def _record(
    *,
    key: str,
    part: Part,
    partner_id: int,
    version: PlanVersion,
    base: tuple[Decimal, str],
    earned_on: date,
    **links: Any,
) -> EarningLine | None:
    """Insert one line unless its event was recorded already (then None)."""
    if EarningLine.objects.filter(event_key=key).exists():
        return None
    try:
        with transaction.atomic():
            return EarningLine.objects.create(
                event_key=key,
                partner_id=partner_id,
                plan_version=version,
                rule_kind=part.kind,
                base_amount=base[0],
                base_currency=base[1],
                amount=part.amount,
                currency=part.currency,
                calculation=part.words,
                earned_on=earned_on,
                payable_on=earned_on + timedelta(days=version.plan.payable_after_days),
                **links,
            )
    except IntegrityError:
        return None  # another worker recorded this event a moment ago


def _tell_partner(lines: list[EarningLine], *, event_pk: int, what: str, author: Any = None, reason: str = "") -> None:
    """Tell the partner's admins (and the person who registered the deal) what was accrued or corrected."""
    partner = lines[0].partner
    for user in partner_people(partner, author):
        notify(
            key=f"audit:{event_pk}:incentives_earned:{user.pk}",
            template="incentives_earned",
            recipient=user,
            partner=partner,
            url=reverse("portal:earnings"),
            action_label="See your earnings",
            context={
                "partner": partner,
                "lines": lines,
                "what": what,
                "reason": reason,
                "total": Totals((ln.amount, ln.currency) for ln in lines),
                "payable_on": min(ln.payable_on for ln in lines),
            },
        )


def _audit_accrual(
    lines: list[EarningLine], *, target: Any, actor: User | None, verb: str, what: str, author: Any = None
) -> None:
    if not lines:
        return
    event = audit_record(
        actor=actor,
        verb=verb,
        target=target,
        partner=lines[0].partner,
        after={
            "lines": [
                {"id": ln.pk, "kind": ln.rule_kind, "amount": str(ln.amount), "currency": ln.currency} for ln in lines
            ]
        },
    )
    _tell_partner(lines, event_pk=event.pk, what=what, author=author)


def accrue_for_won(*, registration: Registration, actor: User | None = None) -> list[EarningLine]:
    """Accrue what a won registration earns: the deal payout, the boosts active on the win date that match it and
    the first-win bonus. Returns the lines recorded now (none when the event was processed before)."""
    registration = Registration.objects.select_related("partner").get(pk=registration.pk)
    if registration.status != Registration.Status.WON or not registration.won_amount:
        return []
    version = version_for_registration(registration)
    if version is None:
        return []
    won_on = timezone.localdate(registration.closed_at) if registration.closed_at else timezone.localdate()
    payout_rules, boosts = _rules(version)
    result = calculate_deal(
        version=version,
        payout_rules=payout_rules,
        boosts=boosts,
        deal=_deal_from(registration, amount=registration.won_amount, won_on=won_on),
        first_win=_is_first_win(registration),
    )
    base = (registration.won_amount, registration.currency)
    created: list[EarningLine] = []
    with transaction.atomic():
        for part in result.parts:
            if part.kind == "first_win":
                key = f"first_win:{registration.partner_id}"
            elif part.kind == "boost":
                key = f"won:{registration.pk}:boost:{part.boost.pk}"
            else:
                key = f"won:{registration.pk}:{part.kind}"
            line = _record(
                key=key,
                part=part,
                partner_id=registration.partner_id,
                version=version,
                base=base,
                earned_on=won_on,
                registration=registration,
            )
            if line is not None:
                created.append(line)
        _audit_accrual(
            created,
            target=registration,
            actor=actor,
            verb="earnings.accrued",
            what=f"Your won deal “{registration.name}”",
            author=registration.created_by,
        )
    return created


def accrue_for_renewal(*, renewal: Any, actor: User | None = None) -> list[EarningLine]:
    """Accrue the renewal rebate of a renewed (or expanded) contract of a customer a partner brought."""
    from insights.models import RenewalOutcome

    renewal = RenewalOutcome.objects.select_related("contract__partner").get(pk=renewal.pk)
    contract = renewal.contract
    if renewal.outcome not in RenewalOutcome.RETAINED or contract.partner_id is None or not renewal.new_amount:
        return []
    version = plan_version_in_force(renewal.due_on)
    if version is None:
        return []
    part = calculate_renewal(
        version=version, amount=renewal.new_amount, currency=renewal.currency, customer=contract.customer_name
    )
    if part is None or part.amount <= 0:
        return []
    with transaction.atomic():
        line = _record(
            key=f"renewal:{renewal.pk}",
            part=part,
            partner_id=contract.partner_id,
            version=version,
            base=(renewal.new_amount, renewal.currency),
            earned_on=renewal.due_on,
            renewal=renewal,
        )
        created = [line] if line else []
        _audit_accrual(
            created,
            target=renewal,
            actor=actor,
            verb="earnings.accrued",
            what=f"The renewal of “{contract.customer_name}”",
        )
    return created


def reverse_for(*, registration: Registration, reason: str, actor: User | None = None) -> list[EarningLine]:
    """Cancel what a deal earned with negative lines (one per line not reversed yet), keeping the originals.
    A channel manager (or the system) does it, with a reason."""
    if actor is not None and not is_channel_manager(actor):
        raise ValidationError("Only channel managers can reverse earnings.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the earnings are reversed: the partner reads it."]})
    today = timezone.localdate()
    created: list[EarningLine] = []
    with transaction.atomic():
        originals = (
            EarningLine.objects.select_for_update()
            .select_related("plan_version__plan")
            .filter(registration=registration, reverses__isnull=True)
            .exclude(rule_kind=EarningLine.Kind.CORRECTION)
            .order_by("pk")
        )
        for line in originals:
            part = Part(
                "correction",
                -line.amount,
                line.currency,
                f"Reverses line #{line.pk} ({line.calculation}): {reason}",
            )
            new = _record(
                key=f"reversal:{line.pk}",
                part=part,
                partner_id=line.partner_id,
                version=line.plan_version,
                base=(line.base_amount, line.base_currency),
                earned_on=today,
                registration=registration,
                reverses=line,
            )
            if new is not None:
                created.append(new)
        if created:
            event = audit_record(
                actor=actor,
                verb="earnings.reversed",
                target=registration,
                partner=created[0].partner,
                after={"lines": [ln.pk for ln in created]},
                reason=reason,
            )
            _tell_partner(
                created, event_pk=event.pk, what=f"“{registration.name}”", author=registration.created_by, reason=reason
            )
    return created


def approve_due(*, today: date | None = None) -> int:
    """Approve every accrued line whose payable date has come (compare-and-set: a line approved by another run is
    not counted twice). Returns how many were approved."""
    today = today or timezone.localdate()
    return EarningLine.objects.filter(state=EarningLine.State.ACCRUED, payable_on__lte=today).update(
        state=EarningLine.State.APPROVED, approved_at=timezone.now(), updated_at=timezone.now()
    )


def line_hold(*, actor: User, line: EarningLine, reason: str) -> EarningLine:
    """Hold an accrued or approved line with a reason (compare-and-set: a paid line is never held). The partner is
    told why."""
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can hold earnings.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the line is held: the partner reads it."]})
    return _move(
        actor=actor,
        line=line,
        states=(EarningLine.State.ACCRUED, EarningLine.State.APPROVED),
        to=EarningLine.State.HELD,
        reason=reason,
    )


def line_release(*, actor: User, line: EarningLine) -> EarningLine:
    """Release a held line: it is accrued again and approved once its payable date has come."""
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can release earnings.")
    return _move(actor=actor, line=line, states=(EarningLine.State.HELD,), to=EarningLine.State.ACCRUED, reason="")


def _move(*, actor: User, line: EarningLine, states: tuple, to: str, reason: str) -> EarningLine:
    with transaction.atomic():
        before = EarningLine.objects.filter(pk=line.pk).values_list("state", flat=True).first()
        # A held line leaves the (unpaid) payout run that claimed it: it is paid in a later run once released.
        leave_run = {"payout_run": None} if to == EarningLine.State.HELD else {}
        changed = EarningLine.objects.filter(pk=line.pk, state__in=states).update(
            state=to, hold_reason=reason, approved_at=None, updated_at=timezone.now(), **leave_run
        )
        if changed != 1:
            label = EarningLine.State(before).label.lower() if before else "gone"
            raise ValidationError(f"This line is {label}: it cannot be {'held' if reason else 'released'}.")
        line = EarningLine.objects.select_related("partner").get(pk=line.pk)
        event = audit_record(
            actor=actor,
            verb="earnings.held" if reason else "earnings.released",
            target=line,
            partner=line.partner,
            before={"state": before},
            after={"state": to},
            reason=reason,
        )
        for user in partner_people(line.partner):
            notify(
                key=f"audit:{event.pk}:incentives_line_held:{user.pk}",
                template="incentives_line_held",
                recipient=user,
                partner=line.partner,
                url=reverse("portal:earnings"),
                action_label="See your earnings",
                context={"partner": line.partner, "line": line, "reason": reason, "released": not reason},
            )
    return line


# --- The calculator -----------------------------------------------------------------------------------------------


@dataclass
class Estimate:
    version: PlanVersion | None
    result: Result


def calculate_for(
    registration: Registration | None = None,
    *,
    partner: Any = None,
    amount: Any = None,
    currency: str = "",
    involvement: str = "",
    products: str = "",
    country: str = "",
    on: date | None = None,
) -> Estimate:
    """What a deal would earn: a registration (its version, its value or won amount) or hypothetical values for
    `partner` under the version in force today. Writes nothing."""
    today = on or timezone.localdate()
    if registration is not None:
        version = version_for_registration(registration) or plan_version_in_force(today)
        value = registration.won_amount or registration.value or Decimal("0")
        won_on = timezone.localdate(registration.closed_at) if registration.closed_at else today
        deal = _deal_from(registration, amount=to_cents(value), won_on=won_on)
        partner_id = registration.partner_id
        exclude = registration.pk
    else:
        version = plan_version_in_force(today)
        deal = Deal(
            amount=to_cents(amount or 0),
            currency=currency,
            involvement=involvement,
            won_on=today,
            products=products,
            country=country,
            partner_regions=tuple(partner.regions or ()),
            partner_segments=tuple(partner.segments or ()),
            partner_type=partner.type,
            partner_tier_id=partner.tier_id,
        )
        partner_id = partner.pk
        exclude = None
    if version is None:
        return Estimate(None, Result(notes=["No incentive plan is in force yet."]))
    won = Registration.objects.filter(partner_id=partner_id, status=Registration.Status.WON)
    if exclude:
        won = won.exclude(pk=exclude)
    first_win = not won.exists() and not EarningLine.objects.filter(event_key=f"first_win:{partner_id}").exists()
    payout_rules, boosts = _rules(version)
    return Estimate(
        version,
        calculate_deal(version=version, payout_rules=payout_rules, boosts=boosts, deal=deal, first_win=first_win),
    )
