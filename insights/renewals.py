"""What the customer contracts say about renewals, for the dashboard's charts: what comes up in the next months
and what happened to the renewals due in a period. Amounts per currency, converted to the reporting currency."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from insights.metrics.period import _add_months
from insights.models import CustomerContract, RenewalOutcome
from partners.models import Partner
from prm.money import Converted, Rates, Totals, convert, month_of


@dataclass(frozen=True)
class RenewalMonth:
    month: date
    count: int
    amounts: Totals  # per currency, as recorded
    total: Converted  # in the reporting currency, at this month's rates (future months have none yet)


@dataclass(frozen=True)
class OutcomeRow:
    outcome: str
    label: str
    count: int
    partner_count: int  # of which partner-acquired customers
    amounts: Totals  # the renewed (new) amounts, per currency
    total: Converted


def _contracts(partners: QuerySet[Partner] | None) -> QuerySet[CustomerContract]:
    qs = CustomerContract.objects.all()
    return qs if partners is None else qs.filter(partner__in=partners)


def renewals_upcoming(
    *, currency: str, partners: QuerySet[Partner] | None = None, months: int = 6, today: date | None = None
) -> list[RenewalMonth]:
    """Active contracts coming up for renewal in each of the next `months` months (this one first), counted and
    summed per currency in the database; totals converted at this month's rates (the future has no rates yet).
    `partners` narrows to their customers (None: every contract, direct ones too)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    ends = _add_months(first, months)
    rows = (
        _contracts(partners)
        .filter(status=CustomerContract.Status.ACTIVE, renewal_on__gte=first, renewal_on__lt=ends)
        .annotate(month=TruncMonth("renewal_on"))
        .values("month", "currency")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
    )
    by_month: dict[date, list[tuple[int, Decimal, str]]] = defaultdict(list)
    for r in rows:
        month = r["month"].date() if isinstance(r["month"], datetime) else r["month"]
        by_month[month].append((r["n"], r["amount"], r["currency"]))
    rates = Rates.load(currency, months=[first])
    out = []
    for i in range(months):
        month = _add_months(first, i)
        items = by_month.get(month, [])
        out.append(
            RenewalMonth(
                month=month,
                count=sum(n for n, _, _ in items),
                amounts=Totals((a, c) for _, a, c in items),
                total=convert(((a, c, first) for _, a, c in items), to=currency, rates=rates),
            )
        )
    return out


def renewal_outcomes(
    *, start: date, end: date, currency: str, partners: QuerySet[Partner] | None = None
) -> list[OutcomeRow]:
    """Outcomes of renewals due from `start` to `end` (both included): how many renewed, expanded or churned,
    how many of those were partner-acquired customers, and the renewed amounts (converted at the rates of the
    month each was due)."""
    qs = RenewalOutcome.objects.filter(due_on__gte=start, due_on__lte=end)
    if partners is not None:
        qs = qs.filter(contract__partner__in=partners)
    rows = list(
        qs.annotate(month=TruncMonth("due_on"))
        .values("outcome", "month", "currency")
        .annotate(
            n=Count("pk"),
            partner_n=Count("pk", filter=Q(contract__partner__isnull=False)),
            amount=Sum("new_amount"),
        )
        .order_by()
    )
    months = {month_of(r["month"]) for r in rows}
    rates = Rates.load(currency, months=months)
    out = []
    for value, label in RenewalOutcome.Outcome.choices:
        mine = [r for r in rows if r["outcome"] == value]
        out.append(
            OutcomeRow(
                outcome=value,
                label=label,
                count=sum(r["n"] for r in mine),
                partner_count=sum(r["partner_n"] for r in mine),
                amounts=Totals((r["amount"], r["currency"]) for r in mine),
                total=convert(((r["amount"], r["currency"], r["month"]) for r in mine), to=currency, rates=rates),
            )
        )
    return out
