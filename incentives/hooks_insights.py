"""Incentives in insights (issue 16, item 7), through insights.hooks (insights never imports incentives):

- partner ROI's spend: the incentive cost is what partners *accrued* in the period (earning lines by the day of
  their event, corrections subtracting, held lines left out). That is the cost the program committed when the deal
  was won or the customer renewed, so ROI sets the reward against the revenue that earned it in the same period;
  counting payments instead would put a deal's cost in whatever later quarter a payout run happened to be paid.
- the catalogue's metrics "Incentives accrued" (the same rows as the spend) and "Incentives paid" (lines paid in
  the period, by when they were paid);
- the weekly digest: questions about earnings awaiting an answer, payout runs waiting for approval.

Every function answers with one aggregate query, narrowed by the dashboard's partner filters.
"""

from datetime import date, datetime

from django.db.models import DateField, Sum
from django.db.models.functions import TruncMonth
from django.urls import NoReverseMatch, reverse

from incentives.models import EarningLine, LineQuestion, PayoutRun
from insights.hooks import DigestItem, register_digest_items, register_metric_series, register_spend_source
from insights.metrics.period import Filters, Period


def _by_month_and_currency(lines, month_of: str):
    return (
        lines.annotate(m=TruncMonth(month_of, output_field=DateField()))
        .values("m", "currency")
        .annotate(amount=Sum("amount"))
        .order_by()
    )


def earnings_accrued_rows(start: date, end: date, partner_filter: Filters):
    """Earning lines earned from `start` to `end` (both included), held ones left out, by month and currency."""
    lines = EarningLine.objects.filter(
        earned_on__gte=start, earned_on__lte=end, **partner_filter.lookup("partner")
    ).exclude(state=EarningLine.State.HELD)
    return _by_month_and_currency(lines, "earned_on")


def earnings_paid_rows(start: date, end: date, partner_filter: Filters):
    """Earning lines paid from `start` to `end` (by `paid_at`, in the installation's time zone), by month paid."""
    period = Period(start, end)
    lines = EarningLine.objects.filter(
        state=EarningLine.State.PAID,
        paid_at__gte=period.start_at,
        paid_at__lt=period.end_at,
        **partner_filter.lookup("partner"),
    )
    return _by_month_and_currency(lines, "paid_at")


def _url(name: str, fallback: str, query: str = "") -> str:
    """The page's address if it exists in this installation, else the earnings page's."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        try:
            return reverse(fallback)
        except NoReverseMatch:
            return ""


def digest_items(now: datetime) -> list[DigestItem]:
    """What waits for the channel team in incentives this week (two counts)."""
    questions = LineQuestion.objects.filter(status=LineQuestion.Status.OPEN).count()
    drafts = PayoutRun.objects.filter(status=PayoutRun.Status.DRAFT).count()
    return [
        DigestItem(
            f"{questions} question{'s' if questions != 1 else ''} about earnings "
            f"await{'s' if questions == 1 else ''} an answer",
            questions,
            _url("manage:incentives_questions", "manage:incentives_earnings", "?status=open"),
        ),
        DigestItem(
            f"{drafts} payout run{'s' if drafts != 1 else ''} wait{'s' if drafts == 1 else ''} for approval",
            drafts,
            _url("manage:incentives_payouts", "manage:incentives_earnings"),
        ),
    ]


def register() -> None:
    register_spend_source("incentives", "incentives", earnings_accrued_rows)
    register_metric_series("incentives_accrued", earnings_accrued_rows)
    register_metric_series("incentives_paid", earnings_paid_rows)
    register_digest_items("incentives", digest_items)
