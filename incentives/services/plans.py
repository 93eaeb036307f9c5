"""Writing the plan: drafts, their rules, publishing. Every write needs the program-admin permission
(`partners.manage_program`), checks that the version is still a draft, and is audited. Publishing tells every
partner's admins what changes, in plain words, before it takes effect."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from incentives.models import Boost, DealPayoutRule, IncentivePlan, PlanVersion
from incentives.wording import plan_diff, plan_sentences
from partners.models import Partner, Tier
from partners.selectors import partner_people
from partners.services.setup import can_manage_program
from prm.audit import audit_record
from prm.models import User
from prm.money import parse_currency, parse_money
from prm.notifications import notify

TOLD_STATUSES = (Partner.Status.ONBOARDING, Partner.Status.ACTIVE, Partner.Status.DORMANT)
INVOLVEMENTS = ("sourced", "influenced", "fulfilled", "cosell")
MAX_PERCENT = Decimal("100")


def _require_admin(actor: User) -> None:
    if not can_manage_program(actor):
        raise PermissionDenied("Only program admins can change the incentive plan.")


def _require_draft(version: PlanVersion) -> None:
    if version.is_published:
        raise ValidationError("This version is published: its rules no longer change. Create a new version.")


# --- Reads -------------------------------------------------------------------------------------------------------


def plan_get() -> IncentivePlan:
    """The program's incentive plan (created on first use)."""
    plan = IncentivePlan.objects.order_by("pk").first()
    return plan or IncentivePlan.objects.create()


def plan_version_in_force(at: date | None = None) -> PlanVersion | None:
    """The published version in force on `at` (today by default): the one with the latest effective date on or
    before it. None before the first version takes effect."""
    at = at or timezone.localdate()
    return (
        PlanVersion.objects.filter(status=PlanVersion.Status.PUBLISHED, effective_from__lte=at)
        .select_related("plan")
        .order_by("-effective_from", "-number")
        .first()
    )


def version_for_registration(registration: Any) -> PlanVersion | None:
    """The version that decides what a registration earns: the one in force when it was approved
    (`decided_at`, which closing the deal does not move)."""
    moment = registration.decided_at or registration.closed_at
    if moment is None:
        return None
    return plan_version_in_force(timezone.localdate(moment))


def upcoming_version(today: date | None = None) -> PlanVersion | None:
    """A published version that takes effect after today (partners are told ahead)."""
    today = today or timezone.localdate()
    return (
        PlanVersion.objects.filter(status=PlanVersion.Status.PUBLISHED, effective_from__gt=today)
        .order_by("effective_from")
        .first()
    )


def version_sentences(version: PlanVersion | None):
    if version is None:
        return []
    return plan_sentences(
        version, tiers=Tier.objects.order_by("rank"), payable_after_days=version.plan.payable_after_days
    )


# --- Plan settings and drafts --------------------------------------------------------------------------------------


def plan_update(*, actor: User, name: str, payable_after_days: Any) -> IncentivePlan:
    _require_admin(actor)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the plan a name."]
    try:
        days = int(str(payable_after_days).strip())
        if not 0 <= days <= 365:
            raise ValueError
    except ValueError:
        errors["payable_after_days"] = ["Give a number of days between 0 and 365."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = IncentivePlan.objects.select_for_update().get(pk=plan_get().pk)
        before = {"name": plan.name, "payable_after_days": plan.payable_after_days}
        plan.name, plan.payable_after_days = name, days
        plan.save(update_fields=["name", "payable_after_days", "updated_at"])
        audit_record(
            actor=actor,
            verb="incentives.plan_updated",
            target=plan,
            before=before,
            after={"name": name, "payable_after_days": days},
        )
    return plan


def version_create_draft(*, actor: User) -> PlanVersion:
    """A new draft, a copy of the newest published version (or empty for the first). One draft at a time."""
    _require_admin(actor)
    with transaction.atomic():
        plan = IncentivePlan.objects.select_for_update().get(pk=plan_get().pk)
        draft = plan.versions.filter(status=PlanVersion.Status.DRAFT).first()
        if draft is not None:
            raise ValidationError(f"Version {draft.number} is a draft already: edit it or publish it first.")
        source = plan.versions.filter(status=PlanVersion.Status.PUBLISHED).order_by("-effective_from").first()
        number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = PlanVersion.objects.create(
            plan=plan,
            number=number,
            created_by=actor,
            first_win_bonus=source.first_win_bonus if source else None,
            first_win_currency=source.first_win_currency if source else "",
            renewal_rebate_percent=source.renewal_rebate_percent if source else None,
        )
        if source is not None:
            for rule in source.payout_rules.all():
                rule.pk, rule.id, rule.version = None, None, version
                rule._state.adding = True
                rule.save()
            for boost in source.boosts.all():
                boost.pk, boost.id, boost.version = None, None, version
                boost._state.adding = True
                boost.save()
        audit_record(
            actor=actor,
            verb="incentives.version_drafted",
            target=version,
            after={"number": number, "copied_from": source.number if source else None},
        )
    return version


def _percent(value: Any, *, field: str, label: str, required: bool, errors: dict) -> Decimal | None:
    text = str(value if value is not None else "").strip().rstrip("%").strip()
    if not text:
        if required:
            errors[field] = [f"Give the {label}."]
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors[field] = [f"Give the {label} as a number, like 10 or 2.5."]
        return None
    if not number.is_finite():
        errors[field] = [f"Give the {label} as a number, like 10 or 2.5."]
    elif number < 0:
        errors[field] = [f"The {label} cannot be negative."]
    elif number > MAX_PERCENT:
        errors[field] = [f"The {label} cannot be more than 100%."]
    elif number != number.quantize(Decimal("0.01")):
        errors[field] = [f"Give the {label} with at most two decimals."]
    else:
        return number
    return None


def _money(value: Any, *, field: str, label: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return parse_money(value, label=label)
    except ValidationError as exc:
        errors[field] = exc.messages
        return None


def _currency(value: Any, *, field: str, errors: dict) -> str:
    if not str(value or "").strip():
        return ""
    try:
        return parse_currency(value)
    except ValidationError as exc:
        errors[field] = exc.messages
        return ""


def version_update(*, actor: User, version: PlanVersion, data: dict[str, Any]) -> PlanVersion:
    """The version's own rules: first-win bonus (amount and currency), renewal rebate, notes."""
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    bonus = _money(data.get("first_win_bonus"), field="first_win_bonus", label="first-win bonus", errors=errors)
    currency = _currency(data.get("first_win_currency"), field="first_win_currency", errors=errors)
    if bonus and not currency and "first_win_currency" not in errors:
        errors["first_win_currency"] = ["Give the currency of the first-win bonus, like USD."]
    rebate = _percent(
        data.get("renewal_rebate_percent"),
        field="renewal_rebate_percent",
        label="renewal rebate percent",
        required=False,
        errors=errors,
    )
    notes = (data.get("notes") or "").strip()
    if len(notes) > 2000:
        errors["notes"] = ["The notes are at most 2,000 characters."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = PlanVersion.objects.select_for_update().get(pk=version.pk)
        _require_draft(current)
        before = {f: str(getattr(current, f) or "") for f in (*PlanVersion.RULE_FIELDS, "notes")}
        current.first_win_bonus = bonus or None
        current.first_win_currency = currency if bonus else ""
        current.renewal_rebate_percent = rebate or None
        current.notes = notes
        current.save()
        after = {f: str(getattr(current, f) or "") for f in (*PlanVersion.RULE_FIELDS, "notes")}
        audit_record(actor=actor, verb="incentives.version_updated", target=current, before=before, after=after)
    return current


def _clean_payout(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    involvement = data.get("involvement") or ""
    if involvement not in INVOLVEMENTS:
        errors["involvement"] = ["Choose how the partner was involved."]
    kind = data.get("kind") or DealPayoutRule.Kind.PERCENT
    if kind not in DealPayoutRule.Kind.values:
        errors["kind"] = ["Choose a percent of the won amount or a fixed fee."]
    currency = _currency(data.get("currency"), field="currency", errors=errors)
    percent = fixed = None
    if kind == DealPayoutRule.Kind.PERCENT:
        percent = _percent(data.get("percent"), field="percent", label="percent", required=True, errors=errors)
    else:
        fixed = _money(data.get("fixed_amount"), field="fixed_amount", label="fee", errors=errors)
        if fixed is None and "fixed_amount" not in errors:
            errors["fixed_amount"] = ["Give the fee."]
    minimum = _money(data.get("min_deal_amount"), field="min_deal_amount", label="minimum deal size", errors=errors)
    cap = _money(data.get("cap_amount"), field="cap_amount", label="cap", errors=errors)
    if kind == DealPayoutRule.Kind.FIXED and cap is not None:
        errors["cap_amount"] = ["A fixed fee has no cap: leave it empty."]
    if (fixed is not None or minimum is not None or cap is not None) and not currency and "currency" not in errors:
        errors["currency"] = ["Give the currency of the fee, minimum or cap, like USD."]
    if errors:
        raise ValidationError(errors)
    return {
        "involvement": involvement,
        "kind": kind,
        "percent": percent,
        "fixed_amount": fixed,
        "currency": currency,
        "min_deal_amount": minimum,
        "cap_amount": cap,
    }


def payout_rule_save(
    *, actor: User, version: PlanVersion, data: dict[str, Any], rule: DealPayoutRule | None = None
) -> DealPayoutRule:
    """Add (or change) the payout for one involvement and currency of a draft."""
    _require_admin(actor)
    values = _clean_payout(data)
    with transaction.atomic():
        current = PlanVersion.objects.select_for_update().get(pk=version.pk)
        _require_draft(current)
        clash = current.payout_rules.filter(involvement=values["involvement"], currency=values["currency"])
        if rule is not None:
            clash = clash.exclude(pk=rule.pk)
        if clash.exists():
            raise ValidationError(
                {"involvement": ["There is already a payout for this involvement and currency: change that one."]}
            )
        before = {}
        if rule is None:
            rule = DealPayoutRule(version=current)
        else:
            before = {k: str(getattr(rule, k)) for k in values}
        for key, value in values.items():
            setattr(rule, key, value)
        try:
            with transaction.atomic():
                rule.save()
        except IntegrityError:
            raise ValidationError("This payout could not be saved: check the values.") from None
        audit_record(
            actor=actor,
            verb="incentives.payout_rule_saved",
            target=current,
            before=before,
            after={k: str(v) for k, v in values.items()},
        )
    return rule


def payout_rule_delete(*, actor: User, rule: DealPayoutRule) -> None:
    _require_admin(actor)
    with transaction.atomic():
        version = PlanVersion.objects.select_for_update().get(pk=rule.version_id)
        _require_draft(version)
        audit_record(
            actor=actor,
            verb="incentives.payout_rule_removed",
            target=version,
            before={"involvement": rule.involvement, "currency": rule.currency},
        )
        rule.delete()


SCOPE_FIELDS = ("region", "country", "product", "segment", "partner_type", "tier")


def _scopes_can_meet(a: dict[str, Any], b: Boost) -> bool:
    """Whether one deal could be in both scopes: on every dimension one is blank or both are the same."""
    for name in SCOPE_FIELDS:
        mine = a[name]
        theirs = getattr(b, "tier_id" if name == "tier" else name)
        if name == "tier":
            mine = mine.pk if mine else None
        if name == "product":
            mine, theirs = (mine or "").casefold(), (theirs or "").casefold()
            if mine and theirs and mine not in theirs and theirs not in mine:
                return False
            continue
        if mine and theirs and mine != theirs:
            return False
    return True


def _clean_boost(data: dict[str, Any]) -> dict[str, Any]:
    from partners.models import Partner

    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = ["Give the boost a name partners recognise, like “EMEA spring push”."]
    elif len(name) > 80:
        errors["name"] = ["The name is at most 80 characters."]
    kind = data.get("kind") or Boost.Kind.EXTRA_PERCENT
    if kind not in Boost.Kind.values:
        errors["kind"] = ["Choose an extra percent or a multiplier."]
    value = None
    if kind == Boost.Kind.MULTIPLIER:
        raw = str(data.get("value") or "").strip().lstrip("×x")
        try:
            value = Decimal(raw)
            if not value.is_finite() or value <= 1 or value > 10:
                errors["value"] = ["A multiplier is more than 1 and at most 10, like 1.5."]
        except InvalidOperation:
            errors["value"] = ["Give the multiplier as a number, like 1.5."]
    else:
        value = _percent(data.get("value"), field="value", label="extra percent", required=True, errors=errors)
        if value is not None and value == 0:
            errors["value"] = ["The extra percent must be more than zero."]
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if not isinstance(starts, date):
        errors["starts_on"] = ["Give the first day of the boost."]
    if not isinstance(ends, date):
        errors["ends_on"] = ["Give the last day of the boost."]
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        errors["ends_on"] = ["The boost cannot end before it starts."]
    scope = {
        "region": data.get("region") or "",
        "country": (data.get("country") or "").strip().upper(),
        "product": (data.get("product") or "").strip(),
        "segment": data.get("segment") or "",
        "partner_type": data.get("partner_type") or "",
        "tier": data.get("tier") or None,
    }
    if scope["region"] and scope["region"] not in Partner.Region.values:
        errors["region"] = ["Choose a region from the list."]
    if scope["segment"] and scope["segment"] not in Partner.Segment.values:
        errors["segment"] = ["Choose a segment from the list."]
    if scope["partner_type"] and scope["partner_type"] not in Partner.Type.values:
        errors["partner_type"] = ["Choose a partner type from the list."]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "kind": kind, "value": value, "starts_on": starts, "ends_on": ends, **scope}


def boost_save(*, actor: User, version: PlanVersion, data: dict[str, Any], boost: Boost | None = None) -> Boost:
    """Add (or change) a boost of a draft. Two boosts that could apply to the same deal on the same day are refused:
    a deal gets at most one boost, so what it earns is never a surprise."""
    _require_admin(actor)
    values = _clean_boost(data)
    with transaction.atomic():
        current = PlanVersion.objects.select_for_update().get(pk=version.pk)
        _require_draft(current)
        others = current.boosts.filter(starts_on__lte=values["ends_on"], ends_on__gte=values["starts_on"])
        if boost is not None:
            others = others.exclude(pk=boost.pk)
        for other in others:
            if _scopes_can_meet(values, other):
                raise ValidationError(
                    {
                        "starts_on": [
                            f"This boost overlaps “{other.name}” ({other.starts_on:%b %-d, %Y} to "
                            f"{other.ends_on:%b %-d, %Y}) for the same deals. A deal gets at most one boost: change "
                            "the dates or narrow the scope."
                        ]
                    }
                )
        before = {}
        if boost is None:
            boost = Boost(version=current)
        else:
            before = {k: str(getattr(boost, k)) for k in values}
        for key, value in values.items():
            setattr(boost, key, value)
        boost.save()
        audit_record(
            actor=actor,
            verb="incentives.boost_saved",
            target=current,
            before=before,
            after={k: str(v) for k, v in values.items()},
        )
    return boost


def boost_delete(*, actor: User, boost: Boost) -> None:
    _require_admin(actor)
    with transaction.atomic():
        version = PlanVersion.objects.select_for_update().get(pk=boost.version_id)
        _require_draft(version)
        audit_record(actor=actor, verb="incentives.boost_removed", target=version, before={"name": boost.name})
        boost.delete()


# --- Publishing ---------------------------------------------------------------------------------------------------


def version_publish(*, actor: User, version: PlanVersion, effective_from: date | None) -> tuple[PlanVersion, int]:
    """Publish a draft from `effective_from` (today or later, after every published version's date). Its rules are
    frozen from now on. Every partner's admins are told what changes, in plain words, before it takes effect.
    Returns the version and how many partners were told."""
    _require_admin(actor)
    today = timezone.localdate()
    if not isinstance(effective_from, date):
        raise ValidationError({"effective_from": ["Give the date the version takes effect."]})
    if effective_from < today:
        raise ValidationError(
            {"effective_from": ["The effective date cannot be in the past: terms never change retroactively."]}
        )
    with transaction.atomic():
        current = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
        _require_draft(current)
        if not current.payout_rules.exists() and not current.first_win_bonus and not current.renewal_rebate_percent:
            raise ValidationError("This version has no rule yet: add a deal payout, a bonus or a rebate first.")
        latest = (
            PlanVersion.objects.filter(plan=current.plan, status=PlanVersion.Status.PUBLISHED)
            .order_by("-effective_from")
            .first()
        )
        if latest is not None and effective_from <= latest.effective_from:
            raise ValidationError(
                {
                    "effective_from": [
                        f"Version {latest.number} takes effect on {latest.effective_from:%b %-d, %Y}: this one must "
                        "take effect after it."
                    ]
                }
            )
        previous = plan_version_in_force(effective_from) or latest
        updated = PlanVersion.objects.filter(pk=current.pk, status=PlanVersion.Status.DRAFT).update(
            status=PlanVersion.Status.PUBLISHED,
            effective_from=effective_from,
            published_at=timezone.now(),
            published_by=actor,
        )
        if updated != 1:
            raise ValidationError("This version was published meanwhile.")
        current.refresh_from_db()
        lines = plan_diff(version_sentences(previous) if previous else None, version_sentences(current))
        event = audit_record(
            actor=actor,
            verb="incentives.version_published",
            target=current,
            after={"number": current.number, "effective_from": effective_from.isoformat(), "changes": lines},
        )
        told = _announce(version=current, lines=lines, event_pk=event.pk)
    return current, told


def _announce(*, version: PlanVersion, lines: list[str], event_pk: int) -> int:
    url = reverse("portal:incentives_plan")
    told = 0
    for partner in Partner.objects.filter(status__in=TOLD_STATUSES).order_by("pk"):
        people = partner_people(partner)
        for user in people:
            notify(
                key=f"audit:{event_pk}:incentives_plan:{partner.pk}:{user.pk}",
                template="incentives_plan_published",
                recipient=user,
                partner=partner,
                url=url,
                action_label="Read the plan",
                context={"partner": partner, "version": version, "lines": lines, "notes": version.notes},
            )
        told += 1 if people else 0
    return told
