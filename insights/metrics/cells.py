"""Registration facts as cells: (kind, month, involvement, currency, status, passed POC) -> count and amount.

The same cells come from two places: `live_cells` aggregates the registrations themselves (any filter, any days),
`rollup_cells` reads the monthly roll-ups that insights.summary keeps (program-wide, whole months). Metrics are
computed from cells only, so both paths give the same numbers (tests/insights/test_summary.py proves it).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from insights.metrics.period import Filters, Period

SUBMITTED, WON, LOST, DECIDED = "submitted", "won", "lost", "decided"
ZERO = Decimal("0")


@dataclass(frozen=True)
class Cell:
    kind: str
    month: date
    involvement: str
    currency: str
    status: str = ""
    passed_poc: bool = False
    count: int = 0
    amount: Decimal | None = None
    within_sla: int = 0
    hours: Decimal = ZERO


def registrations(filters: Filters):
    from dealreg.models import Registration

    return Registration.objects.filter(**filters.lookup()).order_by()


def _month(field: str):
    return TruncMonth(field, output_field=DateField())


def _hours(duration) -> Decimal:
    if duration is None:
        return ZERO
    if isinstance(duration, timedelta):
        return Decimal(duration.total_seconds()) / Decimal(3600)
    return Decimal(duration) / Decimal(3_600_000_000)  # microseconds, as some backends return


def live_cells(period: Period, filters: Filters) -> list[Cell]:
    """Four aggregate queries over the registrations of the filtered partners in the period."""
    from dealreg.models import Registration

    Status = Registration.Status
    base = registrations(filters)
    start, end = period.start_at, period.end_at
    cells: list[Cell] = []

    submitted = (
        base.filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(status=Status.DRAFT)
        .annotate(m=_month("submitted_at"))
        .values("m", "involvement", "currency", "status", "passed_poc")
        .annotate(n=Count("id"), amount=Sum("value"))
    )
    cells += [
        Cell(SUBMITTED, r["m"], r["involvement"], r["currency"], r["status"], r["passed_poc"], r["n"], r["amount"])
        for r in submitted
    ]
    won = (
        base.filter(status=Status.WON, closed_at__gte=start, closed_at__lt=end)
        .annotate(m=_month("closed_at"))
        .values("m", "involvement", "currency", "passed_poc")
        .annotate(n=Count("id"), amount=Sum(Coalesce("won_amount", "value")))
    )
    cells += [
        Cell(WON, r["m"], r["involvement"], r["currency"], Status.WON, r["passed_poc"], r["n"], r["amount"])
        for r in won
    ]
    lost = (
        base.filter(status=Status.LOST, closed_at__gte=start, closed_at__lt=end)
        .annotate(m=_month("closed_at"))
        .values("m", "involvement", "currency", "passed_poc")
        .annotate(n=Count("id"), amount=Sum("value"))
    )
    cells += [
        Cell(LOST, r["m"], r["involvement"], r["currency"], Status.LOST, r["passed_poc"], r["n"], r["amount"])
        for r in lost
    ]
    decided = (
        base.filter(decided_at__gte=start, decided_at__lt=end, submitted_at__isnull=False)
        .annotate(m=_month("decided_at"))
        .values("m", "involvement", "currency")
        .annotate(
            n=Count("id"),
            within=Count("id", filter=Q(decision_due_at__isnull=False, decided_at__lte=F("decision_due_at"))),
            took=Sum(ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())),
        )
    )
    cells += [
        Cell(
            DECIDED,
            r["m"],
            r["involvement"],
            r["currency"],
            count=r["n"],
            within_sla=r["within"],
            hours=_hours(r["took"]),
        )
        for r in decided
    ]
    return cells


def rollup_cells(period: Period) -> list[Cell]:
    """The roll-ups of the period's months (one query). The caller makes sure they are fresh and that the period
    is made of whole months."""
    from insights.models import RegistrationMonth

    rows = RegistrationMonth.objects.filter(month__gte=period.start.replace(day=1), month__lte=period.end)
    return [
        Cell(
            r.kind,
            r.month,
            r.involvement,
            r.currency,
            r.status,
            r.passed_poc,
            r.count,
            r.amount if r.kind != DECIDED else None,
            r.within_sla,
            r.hours,
        )
        for r in rows
    ]
