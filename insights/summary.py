"""The registration roll-ups (insights.models.RegistrationMonth, PartnerWonMonth) the dashboard reads.

- `summary_refresh()` recomputes the months touched by registrations changed since the watermark (their submission,
  decision and closing months), from the registrations themselves (`live_cells`), so roll-ups and live numbers are
  the same by construction. `full=True` rebuilds every month (nightly, and whenever registrations were deleted).
- `summary_ensure_fresh()` is what a page calls before reading roll-ups: one indexed query when nothing changed,
  else an incremental refresh inline, so a number never lags behind what the partner just did. A worker runs the
  refresh every five minutes, so pages rarely pay for it.
Runs under a lock on the state row, so a page and the worker never write the same month twice.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from insights.metrics.cells import DECIDED, live_cells
from insights.metrics.period import Filters, Period, _add_months
from insights.models import PartnerWonMonth, RegistrationMonth, SummaryState
from prm.request_cache import forget, memo


def _month_period(month: date) -> Period:
    return Period(month, _add_months(month, 1) - timedelta(days=1), "custom")


def _rows(month: date) -> list[RegistrationMonth]:
    return [
        RegistrationMonth(
            month=cell.month,
            kind=cell.kind,
            involvement=cell.involvement,
            currency=cell.currency,
            status=cell.status,
            passed_poc=cell.passed_poc,
            count=cell.count,
            amount=cell.amount or 0,
            within_sla=cell.within_sla,
            hours=round(cell.hours, 2) if cell.kind == DECIDED else 0,
        )
        for cell in live_cells(_month_period(month), Filters())
    ]


def _partner_rows(month: date) -> list[PartnerWonMonth]:
    from dealreg.models import Registration

    period = _month_period(month)
    rows = (
        Registration.objects.filter(status="won", closed_at__gte=period.start_at, closed_at__lt=period.end_at)
        .values("partner_id", "currency")
        .annotate(n=Count("id"), amount=Sum(Coalesce("won_amount", "value")))
        .order_by()
    )
    return [
        PartnerWonMonth(
            partner_id=r["partner_id"], month=month, currency=r["currency"], count=r["n"], amount=r["amount"] or 0
        )
        for r in rows
    ]


def _all_months() -> list[date]:
    from dealreg.models import Registration

    bounds = Registration.objects.aggregate(
        a=Min("submitted_at"), b=Min("closed_at"), c=Min("decided_at"), d=Max("closed_at"), e=Max("decided_at")
    )
    firsts = [v for v in (bounds["a"], bounds["b"], bounds["c"]) if v]
    if not firsts:
        return []
    lasts = [v for v in (bounds["d"], bounds["e"], timezone.now()) if v]
    month = timezone.localtime(min(firsts)).date().replace(day=1)
    last = timezone.localtime(max(lasts)).date().replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = _add_months(month, 1)
    return months


def _changed_months(since: datetime) -> set[date]:
    from dealreg.models import Registration

    changed = Registration.objects.filter(updated_at__gt=since).order_by()
    months: set[date] = set()
    for field in ("submitted_at", "closed_at", "decided_at"):
        rows = (
            changed.filter(**{f"{field}__isnull": False})
            .annotate(m=TruncMonth(field))
            .values_list("m", flat=True)
            .distinct()
        )
        months |= {timezone.localtime(m).date().replace(day=1) if isinstance(m, datetime) else m for m in rows}
    return months


def summary_refresh(*, full: bool = False) -> dict:
    """Bring the roll-ups up to date. Returns what it did ({"months": n, "full": bool})."""
    from dealreg.models import Registration

    with transaction.atomic():
        state, _ = SummaryState.objects.select_for_update().get_or_create(pk=1)
        watermark = Registration.objects.aggregate(m=Max("updated_at"))["m"]
        now = timezone.now()
        full = full or state.watermark is None
        if full:
            months = _all_months()
            RegistrationMonth.objects.all().delete()
            PartnerWonMonth.objects.all().delete()
        else:
            months = sorted(_changed_months(state.watermark)) if watermark and watermark > state.watermark else []
            RegistrationMonth.objects.filter(month__in=months).delete()
            PartnerWonMonth.objects.filter(month__in=months).delete()
        rows = [row for month in months for row in _rows(month)]
        RegistrationMonth.objects.bulk_create(rows, batch_size=2000)
        PartnerWonMonth.objects.bulk_create([r for month in months for r in _partner_rows(month)], batch_size=5000)
        state.watermark = watermark or state.watermark or now
        state.computed_at = now
        if full:
            state.full_rebuild_at = now
        state.save()
    forget("insights:summary_fresh")
    return {"months": len(months), "rows": len(rows), "full": full}


def summary_ensure_fresh() -> datetime:
    """Refresh the roll-ups if any registration changed since they were computed; returns when they were computed.
    Asked once per request (prm.request_cache), however many numbers the page shows."""
    return memo("insights:summary_fresh", _ensure_fresh)


def _ensure_fresh() -> datetime:
    from dealreg.models import Registration

    state = SummaryState.objects.filter(pk=1).first()
    stale = (
        state is None or state.watermark is None or Registration.objects.filter(updated_at__gt=state.watermark).exists()
    )
    if stale:
        summary_refresh()
        state = SummaryState.objects.get(pk=1)
    return state.computed_at


def summary_invalidate() -> None:
    """Registrations were deleted: the next refresh rebuilds everything."""
    SummaryState.objects.filter(pk=1).update(watermark=None)
    forget("insights:summary_fresh")
