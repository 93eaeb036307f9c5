"""Settings, fiscal periods, budgets, tier pools and allocations.

Periods are counted from the fiscal year's first month in blocks of `period_months` and named after the calendar
year in which the fiscal year ENDS ("FY2026 Q3"; with a July start, July 2025 – June 2026 is FY2026). They are
created on first use; a period that already covers a day is kept even if the settings changed since.
"""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from mdf.ledger import balance_of, entry_add, lock_budget
from mdf.models import Budget, LedgerEntry, MdfSettings, Period, TierPool
from partners.models import Partner, PartnerMembership, Tier
from partners.selectors import partner_people
from prm.audit import audit_record
from prm.models import User
from prm.money import format_money
from prm.notifications import notify_each

from .common import clean_money, clean_text, fmt_date, require_manager


def mdf_settings() -> MdfSettings:
    """The MDF settings (one row, created on first use)."""
    settings, _ = MdfSettings.objects.get_or_create(pk=1)
    return settings


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_bounds(day: date, settings: MdfSettings) -> tuple[date, date, str]:
    """(first day, last day, name) of the fiscal period containing `day` under these settings."""
    first_month = settings.fiscal_year_start_month
    length = settings.period_months
    fy_start = date(day.year if day.month >= first_month else day.year - 1, first_month, 1)
    index = ((day.month - first_month) % 12) // length
    starts = _add_months(fy_start, index * length)
    ends = _add_months(starts, length) - timedelta(days=1)
    fy = fy_start.year if first_month == 1 else fy_start.year + 1
    if length == 3:
        name = f"FY{fy} Q{index + 1}"
    elif length == 6:
        name = f"FY{fy} H{index + 1}"
    else:
        name = f"FY{fy}"
    return starts, ends, name


def period_for(day: date) -> Period:
    """The period containing `day` (created on first use)."""
    existing = Period.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("-starts_on").first()
    if existing is not None:
        return existing
    starts, ends, name = period_bounds(day, mdf_settings())
    try:
        with transaction.atomic():
            period, _ = Period.objects.get_or_create(starts_on=starts, defaults={"ends_on": ends, "name": name})
    except IntegrityError:  # created concurrently
        period = Period.objects.get(starts_on=starts)
    return period


def current_period(today: date | None = None) -> Period:
    return period_for(today or timezone.localdate())


def next_period(period: Period) -> Period:
    return period_for(period.ends_on + timedelta(days=1))


def budget_for(*, partner: Partner, period: Period) -> Budget:
    """The partner's budget for the period (created on first use, in the program's currency)."""
    try:
        with transaction.atomic():
            budget, _ = Budget.objects.get_or_create(
                partner=partner, period=period, defaults={"currency": mdf_settings().currency}
            )
    except IntegrityError:
        budget = Budget.objects.get(partner=partner, period=period)
    return budget


def funds_expire_on(period: Period) -> date:
    """The last day the period's unused funds can be used (its end plus the grace days)."""
    return period.ends_on + timedelta(days=mdf_settings().expiry_grace_days)


# --- Tier pools -------------------------------------------------------------------------------------------------


def pool_remaining(pool: TierPool) -> Decimal:
    """The pool's amount minus what allocations drew from it (corrections give back)."""
    drawn = LedgerEntry.objects.filter(pool=pool, kind=LedgerEntry.Kind.ALLOCATION).aggregate(s=Sum("amount"))["s"]
    return pool.amount - (drawn or Decimal("0"))


def pool_set(*, actor: User, period: Period, tier: Tier, amount: Decimal) -> TierPool:
    """Set aside `amount` for the partners of `tier` in `period` (create or change). It cannot go below what
    allocations already drew from it."""
    require_manager(actor, what="set MDF pools")
    amount = clean_money(amount, field="amount", label="pool amount", allow_zero=True)
    with transaction.atomic():
        pool = TierPool.objects.select_for_update().filter(period=period, tier=tier).first()
        before = {"amount": str(pool.amount)} if pool else {}
        if pool is None:
            pool = TierPool.objects.create(period=period, tier=tier, amount=amount, currency=mdf_settings().currency)
        else:
            drawn = pool.amount - pool_remaining(pool)
            if amount < drawn:
                raise ValidationError(
                    {
                        "amount": f"Allocations already drew {format_money(drawn, pool.currency)} from this pool; "
                        "it cannot be smaller than that."
                    }
                )
            pool.amount = amount
            pool.save(update_fields=["amount"])
        audit_record(
            actor=actor,
            verb="mdf.pool_set",
            target=pool,
            before=before,
            after={"tier": tier.name, "period": period.name, "amount": str(amount)},
        )
    return pool


# --- Allocations ------------------------------------------------------------------------------------------------


def require_eligible(partner: Partner) -> None:
    """MDF eligibility is a tier benefit shown to partners: once the program has tiers, funds go only to partners
    whose tier says "MDF eligible" (corrections that take funds back are always allowed). A program without tiers
    is one level, and every partner may receive funds."""
    if not Tier.objects.exists():
        return
    tier = partner.tier
    if tier is None or not tier.mdf_eligible:
        where = f"its tier, {tier.name}," if tier is not None else "it has no tier, and"
        raise ValidationError(
            {
                "partner": f"{partner} cannot receive MDF: {where} is not MDF eligible. Move it to an eligible tier, "
                "or make its tier eligible in the program's tiers, first."
            }
        )


def allocate(
    *, actor: User, partner: Partner, period: Period, amount: Decimal, memo: str = "", pool: TierPool | None = None
) -> LedgerEntry:
    """The allocation itself, without the checks on the actor (allocations_import shares it). Runs inside the
    caller's transaction or its own."""
    settings = mdf_settings()
    if amount > 0 and pool is None:  # a pool is its tier's: the pool's own check says who may draw on it
        require_eligible(partner)
    if period.funds_expired_at is not None:
        raise ValidationError(
            {
                "period": f"The unused funds of {period} expired on {fmt_date(period.funds_expired_at.date())}: "
                "allocate to a current or future period."
            }
        )
    with transaction.atomic():
        if pool is not None:
            pool = TierPool.objects.select_for_update(of=("self",)).select_related("tier").get(pk=pool.pk)
            if pool.period_id != period.pk:
                raise ValidationError({"pool": f"This pool belongs to {pool.period}, not {period}."})
            if partner.tier_id != pool.tier_id:
                raise ValidationError(
                    {"pool": f"{partner} is not in the {pool.tier} tier, so it cannot draw from its pool."}
                )
            left = pool_remaining(pool)
            if amount > left:
                raise ValidationError(
                    {"amount": f"The {pool.tier} pool has {format_money(left, pool.currency)} left for {period}."}
                )
        budget = lock_budget(budget_for(partner=partner, period=period))
        balance = balance_of(budget)
        if amount < 0 and balance.available + amount < 0 and not settings.allow_overspend:
            raise ValidationError(
                {
                    "amount": f"{partner} has {format_money(balance.available, budget.currency)} available in {period} "
                    f"(the rest is reserved or paid), so its allocation can be reduced by at most that."
                }
            )
        entry = entry_add(
            budget=budget, kind=LedgerEntry.Kind.ALLOCATION, amount=amount, actor=actor, pool=pool, memo=memo
        )
        event = audit_record(
            actor=actor,
            verb="mdf.allocated" if amount > 0 else "mdf.allocation_corrected",
            target=budget,
            partner=partner,
            before={"available": str(balance.available)},
            after={
                "amount": str(amount),
                "money": format_money(amount, budget.currency),
                "period": period.name,
                "available": str(balance.available + amount),
                "pool": pool.pk if pool else None,
            },
            reason=memo,
        )
        url = reverse("portal:mdf")
        notify_each(
            key=f"audit:{event.pk}:mdf_allocated",
            template="mdf_allocated",
            users=partner_people(partner, roles=(PartnerMembership.Role.MARKETING,)),
            partner=partner,
            url=url,
            label="See your funds",
            context={
                "period": period,
                "amount": format_money(abs(amount), budget.currency),
                "correction": amount < 0,
                "available": format_money(balance.available + amount, budget.currency),
                "memo": memo,
                "expires_on": fmt_date(funds_expire_on(period)),
            },
        )
    return entry


def allocation_create(
    *, actor: User, partner: Partner, period: Period, amount: Decimal, memo: str = "", pool: TierPool | None = None
) -> LedgerEntry:
    """Allocate funds to a partner for a period (a negative amount corrects an earlier allocation). A correction
    cannot take the allocation below what is reserved and paid (unless overspending is allowed); a pool cannot be
    over-drawn. The partner's admins and marketing people are told."""
    require_manager(actor, what="allocate MDF funds")
    amount = clean_money(amount, field="amount", label="amount", allow_negative=True)
    memo = clean_text(memo, what="the note", required=False, max_length=300)
    return allocate(actor=actor, partner=partner, period=period, amount=amount, memo=memo, pool=pool)


SETTINGS_FIELDS = (
    "currency",
    "fiscal_year_start_month",
    "period_months",
    "expiry_grace_days",
    "claim_days",
    "review_business_days",
    "admin_approval_above",
    "allow_overspend",
    "claim_reminder_days",
)


def mdf_settings_update(*, actor: User, **fields) -> MdfSettings:
    """Change the MDF settings (a form has validated the values). Existing periods keep their dates; a change of
    fiscal calendar applies to periods created from now on. Audited."""
    require_manager(actor, what="change the MDF settings")
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown settings: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        settings = MdfSettings.objects.select_for_update().get(pk=mdf_settings().pk)
        before = {name: str(getattr(settings, name)) for name in fields}
        for name, value in fields.items():
            setattr(settings, name, value)
        settings.full_clean()
        settings.save()
        audit_record(
            actor=actor,
            verb="mdf.settings_updated",
            target=settings,
            before=before,
            after={name: str(getattr(settings, name)) for name in fields},
        )
    return settings
