"""Building plans and won deals for the incentives tests."""

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from dealreg.models import Registration
from incentives.models import Boost, DealPayoutRule, PlanVersion
from incentives.services import plan_get


def moment(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def published_version(number: int, effective_from: date, **fields) -> PlanVersion:
    """A version published in the past (the service refuses past dates, history needs them)."""
    return PlanVersion.objects.create(
        plan=plan_get(),
        number=number,
        status=PlanVersion.Status.PUBLISHED,
        effective_from=effective_from,
        published_at=moment(effective_from),
        **fields,
    )


def draft_version(number: int = 1, **fields) -> PlanVersion:
    return PlanVersion.objects.create(plan=plan_get(), number=number, **fields)


def with_rules(version: PlanVersion, *, payouts=(), boosts=()) -> PlanVersion:
    """Add rules to a version (published ones too: tests build history in place, the draft check is bypassed)."""
    status = version.status
    PlanVersion.objects.filter(pk=version.pk).update(status=PlanVersion.Status.DRAFT)
    for payout in payouts:
        DealPayoutRule.objects.create(version=version, **payout)
    for boost in boosts:
        Boost.objects.create(version=version, **boost)
    PlanVersion.objects.filter(pk=version.pk).update(status=status)
    version.refresh_from_db()
    return version


def won_deal(
    partner,
    *,
    amount: str,
    approved: date,
    won: date,
    currency: str = "USD",
    involvement: str = "sourced",
    name: str = "Acme rollout",
    **fields,
) -> Registration:
    return Registration.objects.create(
        partner=partner,
        name=name,
        status=Registration.Status.WON,
        stage=Registration.Stage.WON,
        involvement=involvement,
        currency=currency,
        value=Decimal(amount),
        won_amount=Decimal(amount),
        submitted_at=moment(approved, 9),
        decided_at=moment(approved),
        closed_at=moment(won),
        **fields,
    )


def pct(value: str) -> dict:
    return {"kind": "percent", "percent": Decimal(value)}
