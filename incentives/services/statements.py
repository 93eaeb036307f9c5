"""Monthly earnings statements: what a partner (or one of its people) earned in a month and what was paid in it.

A statement reads the ledger; it writes nothing. It is scoped like every earnings page: built for a membership it
holds only the lines that person may see (`incentives.selectors.earning_lines`: a partner's admins and finance see
all of its lines, everyone else the lines of the deals they registered); built for a partner (the channel team's
view) it holds all of the partner's lines.

- The lines *earned* in the month: those whose `earned_on` falls in it, with their current state and calculation.
- The *payments* made in the month: the paid lines whose payment falls in it. The payment day is the paying run's
  `paid_on` (the day the money went out); a paid line outside any run (older data) counts on the day it was marked
  paid.
- Totals per state, each per currency (`prm.money.Totals`: amounts in different currencies are never added).
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from incentives.models import EarningLine
from incentives.selectors import StateTotals, earning_lines, sees_all_earnings
from partners.models import Partner, PartnerMembership
from prm.money import Totals

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")
# The months a statement can be asked for: anything else in the address is a 404, not an error.
FIRST_YEAR, LAST_YEAR = 2000, 2999

CSV_HEADER = (
    "Section",
    "Line",
    "Earned on",
    "Kind",
    "For",
    "How it was calculated",
    "Amount",
    "Currency",
    "State",
    "Paid on",
    "Payment reference",
)


def parse_month(text: str) -> date | None:
    """ "2026-03" → 1 March 2026; None for anything else ("2026-3", "2026-13", "march")."""
    match = MONTH_PATTERN.fullmatch(text or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _lines(*, partner: Partner | None, membership: PartnerMembership | None) -> QuerySet[EarningLine]:
    if (partner is None) == (membership is None):
        raise ValueError("A statement is for a partner or for a membership: give exactly one.")
    if membership is not None:
        return earning_lines(membership=membership)
    return EarningLine.objects.filter(partner=partner).select_related(
        "plan_version", "registration", "renewal__contract"
    )


def _paid_between(first: date, last: date) -> Q:
    """Paid lines whose payment day falls between `first` and `last` (inclusive)."""
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return Q(state=EarningLine.State.PAID) & (
        Q(payout_run__paid_on__gte=first, payout_run__paid_on__lte=last)
        | Q(payout_run__paid_on__isnull=True, paid_at__gte=start, paid_at__lt=end)
    )


def paid_on(line: EarningLine) -> date | None:
    """The day a paid line was paid (its run's payment day), None when it is not paid."""
    if line.state != EarningLine.State.PAID:
        return None
    run = line.payout_run if line.payout_run_id else None
    if run is not None and run.paid_on:
        return run.paid_on
    return timezone.localdate(line.paid_at) if line.paid_at else None


def statement_months(*, partner: Partner | None = None, membership: PartnerMembership | None = None) -> list[date]:
    """The months that have lines (earned or paid in them), newest first, as first days of the month."""
    lines = _lines(partner=partner, membership=membership).order_by()
    months = set(lines.dates("earned_on", "month"))
    paid = lines.filter(state=EarningLine.State.PAID)
    months |= set(paid.filter(payout_run__paid_on__isnull=False).dates("payout_run__paid_on", "month"))
    months |= {
        timezone.localdate(moment).replace(day=1)
        for moment in paid.filter(payout_run__paid_on__isnull=True, paid_at__isnull=False).values_list(
            "paid_at", flat=True
        )
    }
    return sorted(months, reverse=True)


@dataclass
class Payment:
    line: EarningLine
    paid_on: date | None
    reference: str


@dataclass
class Statement:
    month: date
    partner: Partner
    lines: list[EarningLine]  # earned in the month, oldest first
    payments: list[Payment]  # paid in the month, in the order they were paid
    totals: StateTotals  # of the lines earned in the month, per state, each per currency
    earned: Totals = field(default_factory=Totals)  # everything earned in the month, per currency
    paid: Totals = field(default_factory=Totals)  # everything paid in the month, per currency
    whole_partner: bool = True  # False: only one person's deals (a sales user's own statement)

    @property
    def last_day(self) -> date:
        return month_end(self.month)

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.payments


def statement_build(
    *, month: date, partner: Partner | None = None, membership: PartnerMembership | None = None
) -> Statement:
    """The statement of `month` (any day in it) for a partner, or for what one membership may see."""
    month = month.replace(day=1)
    last = month_end(month)
    lines = _lines(partner=partner, membership=membership)
    earned = (
        lines.filter(earned_on__gte=month, earned_on__lte=last).select_related("payout_run").order_by("earned_on", "pk")
    )
    paid = (
        lines.filter(_paid_between(month, last))
        .select_related("payout_run")
        .order_by("payout_run__paid_on", "paid_at", "pk")
    )
    earned_lines = list(earned)
    payments = [
        Payment(line, paid_on(line), line.payout_run.payment_reference if line.payout_run else "") for line in paid
    ]
    payments.sort(key=lambda p: (p.paid_on or month, p.line.pk))
    owner = partner if partner is not None else membership.partner  # type: ignore[union-attr]
    return Statement(
        month=month,
        partner=owner,
        lines=earned_lines,
        payments=payments,
        totals=_state_totals(earned_lines),
        earned=Totals((line.amount, line.currency) for line in earned_lines),
        paid=Totals((p.line.amount, p.line.currency) for p in payments),
        whole_partner=membership is None or sees_all_earnings(membership),
    )


def _state_totals(lines: list[EarningLine]) -> StateTotals:
    totals = StateTotals()
    for line in lines:
        getattr(totals, line.state).add(line.amount, line.currency)
    return totals


def line_subject(line: EarningLine) -> str:
    """What a line is for, in a few words: the deal's name or the renewed customer."""
    if line.registration_id:
        return line.registration.name
    if line.renewal_id:
        return f"Renewal of {line.renewal.contract.customer_name}"
    return ""


def statement_rows(statement: Statement) -> list[list[object]]:
    """The statement as CSV rows (see `CSV_HEADER`): the lines earned in the month, then the payments made in it.
    Amounts are numbers (Decimal, negative for a correction) with their currency in the next column."""
    rows: list[list[object]] = []
    for line in statement.lines:
        rows.append(
            _row("Earned", line, paid_on(line), line.payout_run.payment_reference if line.payout_run_id else "")
        )
    for payment in statement.payments:
        rows.append(_row("Paid", payment.line, payment.paid_on, payment.reference))
    return rows


def _row(section: str, line: EarningLine, paid: date | None, reference: str) -> list[object]:
    return [
        section,
        line.pk,
        line.earned_on.isoformat(),
        line.get_rule_kind_display(),
        line_subject(line),
        line.calculation,
        Decimal(line.amount),
        line.currency,
        line.get_state_display(),
        paid.isoformat() if paid else "",
        reference,
    ]
