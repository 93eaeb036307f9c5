"""The series and breakdowns behind the dashboard's charts, and won revenue per partner (tier requirements, top
partners). Same definitions as compute.py; amounts converted to the reporting currency, unconverted parts kept."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DateField, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from insights.metrics.catalogue import INVOLVEMENTS
from insights.metrics.cells import SUBMITTED, WON, registrations
from insights.metrics.compute import _cells, reporting_currency
from insights.metrics.period import Filters, Period, _add_months
from prm.money import Converted, Rates, convert
from prm.request_cache import memo


def series(*, filters: Filters | None = None, months: list[date]) -> list[dict]:
    """Per month: pipeline submitted and revenue won, by involvement, converted ({inv: Converted})."""
    filters = filters or Filters()
    if not months:
        return []
    months = sorted(months)
    period = Period(months[0], _add_months(months[-1], 1) - timedelta(days=1), "custom")
    cells, _ = _cells(period, filters)
    currency = reporting_currency()
    rates = Rates.load(currency, months=months)
    out = []
    for month in months:
        row: dict[str, Any] = {"month": month, "pipeline": {}, "revenue": {}}
        for inv in INVOLVEMENTS:
            row["pipeline"][inv] = convert(
                (
                    (c.amount, c.currency, c.month)
                    for c in cells
                    if c.kind == SUBMITTED
                    and c.month == month
                    and c.involvement == inv
                    and c.status != "rejected"
                    and c.amount
                ),
                to=currency,
                rates=rates,
            )
            row["revenue"][inv] = convert(
                (
                    (c.amount, c.currency, c.month)
                    for c in cells
                    if c.kind == WON and c.month == month and c.involvement == inv and c.amount
                ),
                to=currency,
                rates=rates,
            )
        out.append(row)
    return out


def funnel(*, filters: Filters | None = None) -> list[tuple[str, str, int]]:
    """Partners applied → onboarding → active → dormant, today (one query)."""
    from partners.models import Partner

    filters = filters or Filters()
    qs = (filters.partners() if not filters.is_empty else Partner.objects.all()).order_by()
    counts = dict(qs.values_list("status").annotate(n=Count("id")))
    steps = [Partner.Status.APPLIED, Partner.Status.ONBOARDING, Partner.Status.ACTIVE, Partner.Status.DORMANT]
    return [(s.value, str(s.label), counts.get(s.value, 0)) for s in steps]


def _rate_case(rates: Rates, currency: str, months: list[date], *, month_field: str = "", at_field: str = "") -> Case:
    """SQL giving each row the rate of its currency and month (NULL when nobody entered it): by a month column of
    the roll-ups, or by a timestamp's month range on live rows."""
    whens = [When(currency=currency, then=Value(Decimal(1)))]
    for (code, month), rate in rates.table.items():
        if month not in months:
            continue
        if month_field:
            whens.append(When(currency=code, **{month_field: month}, then=Value(rate)))
        else:
            start = timezone.make_aware(datetime.combine(month, time.min))
            end = timezone.make_aware(datetime.combine(_add_months(month, 1), time.min))
            whens.append(When(currency=code, **{f"{at_field}__gte": start, f"{at_field}__lt": end}, then=Value(rate)))
    return Case(*whens, default=None, output_field=DecimalField(max_digits=18, decimal_places=8))


def won_by_partner(
    *, period: Period, filters: Filters | None = None, partner_ids: list[int] | None = None, limit: int | None = None
) -> dict[int, Converted]:
    """Won revenue per partner in the period, converted (ranked and summed in the database; with `limit`, only the
    best `limit` partners). Whole months read the per-partner roll-ups, other periods the registrations. Three
    queries, plus one when some amounts have no rate (they are listed apart, never dropped)."""
    from insights.models import PartnerWonMonth

    filters = filters or Filters()
    currency = reporting_currency()
    months = period.months()
    rates = Rates.load(currency, months=months)
    if period.is_whole_months():
        from insights.summary import summary_ensure_fresh

        summary_ensure_fresh()
        qs = PartnerWonMonth.objects.filter(month__gte=period.start.replace(day=1), month__lte=period.end)
        if not filters.is_empty:
            qs = qs.filter(partner_id__in=filters.partners().values("pk"))
        amount, month = F("amount"), F("month")
        case = _rate_case(rates, currency, months, month_field="month")
    else:
        qs = registrations(filters).filter(status="won", closed_at__gte=period.start_at, closed_at__lt=period.end_at)
        amount, month = Coalesce("won_amount", "value"), TruncMonth("closed_at", output_field=DateField())
        case = _rate_case(rates, currency, months, at_field="closed_at")
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=partner_ids)
    qs = qs.order_by()
    ranked = (
        qs.annotate(rate=case)
        .values("partner_id")
        .annotate(converted=Sum(amount * F("rate"), output_field=DecimalField(max_digits=20, decimal_places=2)))
        .order_by(F("converted").desc(nulls_last=True), "partner_id")
    )
    if limit:
        ranked = ranked[:limit]
    cent = Decimal("0.01")
    totals = {r["partner_id"]: Converted(currency, (r["converted"] or Decimal(0)).quantize(cent)) for r in ranked}
    pairs = set(qs.annotate(m=month).values_list("currency", "m").distinct())
    used = {m for c, m in pairs if c != currency and rates.rate(c, m) is not None}
    missing = [(c, m) for c, m in pairs if rates.rate(c, m) is None]
    for total in totals.values():
        total.months |= used
    if missing:
        condition = Q()
        for c, m in missing:
            condition |= Q(currency=c, m=m)
        rows = qs.annotate(m=month).filter(condition)
        if limit:
            rows = rows.filter(partner_id__in=list(totals))
        for r in rows.values("partner_id", "currency").annotate(raw=Sum(amount)).order_by():
            totals.setdefault(r["partner_id"], Converted(currency)).unconverted.add(r["raw"], r["currency"])
    return totals


def top_partners(*, period: Period, filters: Filters | None = None, limit: int = 10) -> list[tuple[Any, Converted]]:
    """The partners that won the most in the period (converted), best first."""
    from partners.models import Partner

    totals = won_by_partner(period=period, filters=filters, limit=limit)
    partners = Partner.objects.in_bulk(list(totals))
    rows = [(partners[pk], total) for pk, total in totals.items() if pk in partners]
    rows.sort(key=lambda row: (-row[1].total, row[0].name.lower()))
    return rows[:limit]


def breakdown(
    *, period: Period, filters: Filters | None = None, by: str = "rtm"
) -> list[tuple[str, str, int, Converted]]:
    """Won revenue and partner counts per route to market or region (a partner in two regions counts in both)."""
    from partners.models import Partner

    filters = filters or Filters()
    choices = Partner.RouteToMarket.choices if by == "rtm" else Partner.Region.choices
    labels = dict(choices)
    partners = (filters.partners() if not filters.is_empty else Partner.objects.all()).order_by()
    field = "route_to_market" if by == "rtm" else "regions"
    counts: dict[str, int] = defaultdict(int)
    keys_of: dict[int, list[str]] = {}
    for pk, value in partners.exclude(status__in=["declined", "offboarded"]).values_list("pk", field):
        keys = (value or []) if by != "rtm" else [value]
        keys = [k for k in keys if k] or [""]
        keys_of[pk] = keys
        for key in keys:
            counts[key] += 1
    currency = reporting_currency()
    # Both breakdowns of a page share one computation (prm.request_cache).
    won = memo(("insights:won_by_partner", period, filters), lambda: won_by_partner(period=period, filters=filters))
    money: dict[str, Converted] = defaultdict(lambda: Converted(currency))
    for pk, total in won.items():
        for key in keys_of.get(pk, [""]):
            bucket = money[key]  # added in place: thousands of partners, no new objects
            bucket.total += total.total
            bucket.months |= total.months
            bucket.count += total.count
            if total.unconverted:
                bucket.unconverted = bucket.unconverted + total.unconverted
    rows = [(k, str(labels[k]), counts.get(k, 0), money.get(k) or Converted(currency)) for k, _ in choices]
    if counts.get("") or money.get(""):
        rows.append(("", "Not set", counts.get("", 0), money.get("") or Converted(currency)))
    return rows


def partner_won_revenue(partner_ids: list[int], since=None) -> dict[int, Converted]:
    """Won revenue per partner in the last 12 months (this month and the eleven before, as the dashboard's and the
    scorecard's "Last 12 months"), converted: what the won-revenue tier requirement reads. `since` is accepted for
    the tier registry's signature; the window is always those twelve months, so every page says the same number."""
    return won_by_partner(period=Period.named("12m"), partner_ids=list(partner_ids))
