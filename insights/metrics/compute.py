"""Computing every metric for a period and a filter: one Snapshot, read by the dashboard, scorecards, tier
requirements, the portal and the CSV exports, so a number is the same on every page.

Registration metrics come from cells (see cells.py): the roll-ups when the whole program is asked for in whole
months, else the registrations themselves. Everything else is a fixed number of aggregate queries: the query count
never grows with the data.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from insights.metrics.catalogue import INFLUENCED, INVOLVEMENTS, METRICS, MIX_GROUPS, STAGE_LEADS
from insights.metrics.cells import DECIDED, LOST, SUBMITTED, WON, Cell, live_cells, registrations, rollup_cells
from insights.metrics.period import Filters, Period
from prm.money import Converted, Rates, convert, format_money, month_of
from prm.request_cache import memo

ACTIVE_WINDOW = timedelta(days=90)
OPEN_STATUSES = ("submitted", "needs_info", "approved")


def reporting_currency() -> str:
    """The program's reporting currency (one home: partners' program service; asked once per request)."""
    from partners.services.program import reporting_currency as program_currency

    return program_currency()


def _program() -> dict:
    from partners.models import Program

    def read() -> dict:
        row = Program.objects.filter(pk=1).values("pmi_stage", "internal_sellers", "reporting_currency").first()
        return row or {"pmi_stage": 1, "internal_sellers": 0, "reporting_currency": reporting_currency()}

    return memo("insights:program", read)


# --- Results ------------------------------------------------------------------------------------------------------


@dataclass
class Metric:
    key: str
    label: str
    definition: str
    unit: str
    value: Any = None
    money: Converted | None = None
    previous: Any = None
    previous_money: Converted | None = None
    detail: str = ""
    as_of: datetime | None = None
    currency: str = ""

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None or not self.previous:
            return None
        return ((Decimal(self.value) - Decimal(self.previous)) / abs(Decimal(self.previous))).quantize(
            Decimal("0.001"), rounding=ROUND_HALF_UP
        )

    @property
    def change_display(self) -> str:
        change = self.change
        if change is None:
            return ""
        if self.unit == "percent":  # a rate moves by points, not by a percentage of itself
            points = (Decimal(self.value) - Decimal(self.previous)) * 100
            return f"{'+' if points >= 0 else '−'}{abs(points):.0f} pts"
        return f"{'+' if change >= 0 else '−'}{abs(change) * 100:.0f}%"

    @property
    def trend(self) -> str:
        change = self.change
        if change is None or change == 0:
            return "flat"
        better = change > 0
        if self.key in ("decision_hours", "time_to_activate", "time_to_first_deal", "lead_hours_to_accept"):
            better = not better
        return "up" if better else "down"

    def _show(self, value: Any, money: Converted | None) -> str:
        if value is None:
            return "—"
        if self.unit == "money":
            return format_money(value, self.currency, places=0)
        if self.unit == "percent":
            return f"{Decimal(value) * 100:.0f}%"
        if self.unit == "days":
            return f"{Decimal(value):.0f} days"
        if self.unit == "hours":
            return f"{Decimal(value):.0f} h"
        if self.unit == "ratio":
            return f"{Decimal(value):.1f}×"
        return f"{int(value):,}"

    @property
    def display(self) -> str:
        return self._show(self.value, self.money)

    @property
    def previous_display(self) -> str:
        return self._show(self.previous, self.previous_money)

    @property
    def unconverted(self):
        return self.money.unconverted if self.money is not None and self.money.unconverted else None

    @property
    def note(self) -> str:
        return self.money.note if self.money is not None else ""


@dataclass
class Snapshot:
    period: Period
    previous_period: Period
    filters: Filters
    currency: str
    computed_at: datetime
    pmi_stage: int
    metrics: dict[str, Metric]
    by_status: list[tuple[str, str, int]] = field(default_factory=list)
    mix: list[tuple[str, str, Converted, Decimal | None]] = field(default_factory=list)
    previous_mix: list[tuple[str, str, Converted, Decimal | None]] = field(default_factory=list)
    source: str = "live"  # "rollup" when read from the roll-ups

    def __getitem__(self, key: str) -> Metric:
        return self.metrics[key]

    def lead_metrics(self) -> list[Metric]:
        return [self.metrics[k] for k in STAGE_LEADS.get(self.pmi_stage, STAGE_LEADS[1]) if k in self.metrics]

    def other_metrics(self) -> list[Metric]:
        lead = set(STAGE_LEADS.get(self.pmi_stage, STAGE_LEADS[1]))
        return [m for k, m in self.metrics.items() if k not in lead]


# --- One period's raw values --------------------------------------------------------------------------------------


def _cells(period: Period, filters: Filters) -> tuple[list[Cell], str]:
    if filters.is_empty and period.is_whole_months():
        from insights.summary import summary_ensure_fresh

        summary_ensure_fresh()
        return rollup_cells(period), "rollup"
    return live_cells(period, filters), "live"


def _money_items(rows, amount="amount", currency="currency", month="m"):
    return [(r[amount], r[currency], r[month]) for r in rows if r[amount]]


def _median(values: list[float]) -> Decimal | None:
    return Decimal(str(round(statistics.median(values), 1))) if values else None


def _ratio(part, whole) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


class _Values:
    """Everything of one period, as plain values and Converted totals."""

    def __init__(self, period: Period, filters: Filters, currency: str, *, today: date) -> None:
        self.period, self.filters, self.currency, self.today = period, filters, currency, today
        self.cells, self.source = _cells(period, filters)
        self.rows: dict[str, list] = {}
        self._gather()
        months = {c.month for c in self.cells} | {m for items in self.rows.values() for _, _, m in items}
        months.add(month_of(today))
        self.rates = Rates.load(currency, months={month_of(m) for m in months})

    def convert(self, items) -> Converted:
        return convert(items, to=self.currency, rates=self.rates)

    def cell_money(self, kind: str, involvements=INVOLVEMENTS, *, status_not=(), poc: bool | None = None) -> Converted:
        return self.convert(
            (c.amount, c.currency, c.month)
            for c in self.cells
            if c.kind == kind
            and c.involvement in involvements
            and c.status not in status_not
            and (poc is None or c.passed_poc == poc)
            and c.amount
        )

    def cell_count(self, kind: str, *, status_not=(), poc: bool | None = None) -> int:
        return sum(
            c.count
            for c in self.cells
            if c.kind == kind and c.status not in status_not and (poc is None or c.passed_poc == poc)
        )

    def _gather(self) -> None:
        from dealreg.models import Registration
        from enablement.models import CertificationAward, Enrollment
        from insights.models import CustomerContract, DirectRevenue, ProgramCost, RenewalOutcome
        from mdf.models import Attribution, FundRequest, LedgerEntry
        from partners.models import Partner

        p, f = self.period, self.filters
        start, end = p.start_at, p.end_at
        partners = f.partners() if not f.is_empty else Partner.objects.all()
        partners = partners.order_by()
        by_partner = f.lookup()
        month = lambda name: TruncMonth(name, output_field=DateField())  # noqa: E731

        # Partners: approvals, activations, first deals (one query each, rows bounded by partners).
        self.approved_by_end = partners.filter(approved_at__lt=end).count()
        self.active_by_end = partners.filter(approved_at__lt=end, activated_at__lt=end).count()
        self.new_partners = partners.filter(approved_at__gte=start, approved_at__lt=end).count()
        activated = partners.filter(
            activated_at__gte=start, activated_at__lt=end, approved_at__isnull=False
        ).values_list("approved_at", "activated_at")
        self.days_to_activate = [max((b - a).total_seconds(), 0) / 86400 for a, b in activated]
        first = partners.filter(first_deal_at__gte=start, first_deal_at__lt=end).values_list(
            "approved_at", "activated_at", "first_deal_at"
        )
        self.days_to_first_deal = []
        for approved, activated_at, first_deal in first:
            since = approved or activated_at
            if since is not None:
                self.days_to_first_deal.append(max((first_deal - since).total_seconds(), 0) / 86400)

        # Active partners: any registration, completion or MDF request in the 90 days before the end.
        window = end - ACTIVE_WINDOW
        self.active_partners = partners.filter(
            Exists(Registration.objects.filter(partner=OuterRef("pk"), submitted_at__gte=window, submitted_at__lt=end))
            | Exists(Enrollment.objects.filter(partner=OuterRef("pk"), completed_at__gte=window, completed_at__lt=end))
            | Exists(FundRequest.objects.filter(partner=OuterRef("pk"), submitted_at__gte=window, submitted_at__lt=end))
        ).count()

        # MDF paid, attributed won revenue, program costs, direct revenue.
        paid_filter = f.lookup("budget__partner")
        self.rows["mdf_paid"] = _money_items(
            LedgerEntry.objects.filter(
                kind=LedgerEntry.Kind.PAYOUT, created_at__gte=start, created_at__lt=end, **paid_filter
            )
            .annotate(m=month("created_at"))
            .values("m", "currency")
            .annotate(amount=Sum("amount"))
            .order_by()
        )
        self.rows["mdf_won"] = _money_items(
            Attribution.objects.filter(
                registration__status=Registration.Status.WON,
                registration__closed_at__gte=start,
                registration__closed_at__lt=end,
                **f.lookup("registration__partner"),
            )
            .annotate(m=month("registration__closed_at"), c=F("registration__currency"))
            .values("m", "c")
            .annotate(amount=Sum(Coalesce("registration__won_amount", "registration__value")))
            .order_by(),
            currency="c",
        )
        self.rows["costs"] = _money_items(
            ProgramCost.objects.filter(incurred_on__gte=p.start, incurred_on__lte=p.end, **by_partner)
            .annotate(m=month("incurred_on"))
            .values("m", "currency")
            .annotate(amount=Sum("amount"))
            .order_by()
        )
        # Money other apps register (insights.hooks): spend beside MDF and program costs, and series that are
        # metrics of their own. A function registered for both is asked once.
        from insights.hooks import metric_series, spend_sources

        asked: dict[Any, list] = {}

        def rows_of(func) -> list:
            if func not in asked:
                asked[func] = _money_items(func(p.start, p.end, f))
            return asked[func]

        self.spend = spend_sources()
        for source in self.spend:
            self.rows[f"spend:{source.name}"] = rows_of(source.func)
        self.series = metric_series()
        for key, func in self.series.items():
            self.rows[f"series:{key}"] = rows_of(func)
        self.rows["direct"] = _money_items(
            DirectRevenue.objects.filter(month__gte=p.start.replace(day=1), month__lte=p.end)
            .values("month", "currency")
            .annotate(amount=Sum("amount"))
            .order_by(),
            month="month",
        )

        # Certified people at the end of the period.
        self.certified = (
            CertificationAward.objects.filter(awarded_at__lt=end, expires_at__gte=p.end, **by_partner)
            .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=end))
            .values("user")
            .distinct()
            .count()
        )

        # Renewals that came up in the period: outcomes recorded, and those still waiting for one.
        outcomes = (
            RenewalOutcome.objects.filter(due_on__gte=p.start, due_on__lte=p.end, **f.lookup("contract__partner"))
            .values("contract__partner_id", "outcome")
            .annotate(n=Count("id"))
            .order_by()
        )
        self.renewals = {"partner": [0, 0], "direct": [0, 0]}  # [retained, decided]
        for row in outcomes:
            side = "direct" if row["contract__partner_id"] is None else "partner"
            self.renewals[side][1] += row["n"]
            if row["outcome"] in RenewalOutcome.RETAINED:
                self.renewals[side][0] += row["n"]
        waiting = (
            CustomerContract.objects.filter(
                status=CustomerContract.Status.ACTIVE,
                renewal_on__gte=p.start,
                renewal_on__lte=min(p.end, self.today),
                **by_partner,
            )
            .values("partner_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        self.renewals_waiting = {"partner": 0, "direct": 0}
        for row in waiting:
            self.renewals_waiting["direct" if row["partner_id"] is None else "partner"] += row["n"]


def _now_values(filters: Filters, currency: str, today: date, rates_month: date) -> dict:
    """Snapshot metrics of today: open pipeline, partners in pilots, effective sales force (three queries)."""
    from dealreg.models import Registration
    from partners.models import Partner

    if filters.is_empty:  # the roll-ups know every submitted registration's current status
        from insights.models import RegistrationMonth
        from insights.summary import summary_ensure_fresh

        summary_ensure_fresh()
        open_rows = (
            RegistrationMonth.objects.filter(kind=SUBMITTED, status__in=OPEN_STATUSES)
            .values("currency")
            .annotate(amount=Sum("amount"), n=Sum("count"))
            .order_by()
        )
    else:
        open_rows = (
            registrations(filters)
            .filter(status__in=OPEN_STATUSES, submitted_at__isnull=False)
            .values("currency")
            .annotate(amount=Sum("value"), n=Count("id"))
            .order_by()
        )
    open_rows = list(open_rows)
    partners = (filters.partners() if not filters.is_empty else Partner.objects.all()).order_by()
    # Reads the partial index registration_open_poc (open registrations at the POC stage only).
    pilots = (
        (
            Registration.objects.filter(
                status__in=OPEN_STATUSES, stage=Registration.Stage.POC, partner__in=partners.values("pk")
            )
            if not filters.is_empty
            else Registration.objects.filter(status__in=OPEN_STATUSES, stage=Registration.Stage.POC)
        )
        .order_by()
        .values("partner_id")
        .distinct()
        .count()
    )
    sellers = partners.filter(status=Partner.Status.ACTIVE).aggregate(n=Coalesce(Sum("seller_count"), 0))["n"]
    return {
        "open": [(r["amount"], r["currency"], rates_month) for r in open_rows if r["amount"]],
        "open_count": sum(r["n"] for r in open_rows),
        "pilots": pilots,
        "sellers": sellers,
    }


def _metrics(v: _Values, *, with_direct_total: Converted | None) -> dict[str, Any]:
    """{key: (value, money, detail)} of one period."""
    out: dict[str, Any] = {}
    rejected = ("rejected",)
    sp = v.cell_money(SUBMITTED, ("sourced",), status_not=rejected)
    ip = v.cell_money(SUBMITTED, INFLUENCED, status_not=rejected)
    sr = v.cell_money(WON, ("sourced",))
    ir = v.cell_money(WON, INFLUENCED)
    won = sr + ir
    won_n, lost_n = v.cell_count(WON), v.cell_count(LOST)

    def deals(kind, invs, status_not=()):
        return sum(c.count for c in v.cells if c.kind == kind and c.involvement in invs and c.status not in status_not)

    out["sourced_pipeline"] = (sp.total, sp, f"{deals(SUBMITTED, ('sourced',), rejected):,} deals")
    out["influenced_pipeline"] = (ip.total, ip, f"{deals(SUBMITTED, INFLUENCED, rejected):,} deals")
    out["sourced_revenue"] = (sr.total, sr, f"{deals(WON, ('sourced',)):,} deals won")
    out["influenced_revenue"] = (ir.total, ir, f"{deals(WON, INFLUENCED):,} deals won")
    out["partner_revenue"] = (won.total, won, f"{won_n:,} deals won")
    out["win_rate"] = (_ratio(won_n, won_n + lost_n), None, f"{won_n} won of {won_n + lost_n} closed")
    submitted = v.cell_count(SUBMITTED)
    out["registrations"] = (submitted, None, "")
    decided = [c for c in v.cells if c.kind == DECIDED]
    decided_n = sum(c.count for c in decided)
    hours = sum((c.hours for c in decided), Decimal(0))
    out["decision_hours"] = (
        (hours / decided_n).quantize(Decimal("0.1")) if decided_n else None,
        None,
        f"{decided_n:,} decided",
    )
    within = sum(c.within_sla for c in decided)
    out["decision_within_sla"] = (_ratio(within, decided_n), None, f"{within} of {decided_n}")
    out["activation_rate"] = (
        _ratio(v.active_by_end, v.approved_by_end),
        None,
        f"{v.active_by_end} of {v.approved_by_end} approved",
    )
    out["time_to_activate"] = (_median(v.days_to_activate), None, f"{len(v.days_to_activate)} activated")
    out["time_to_first_deal"] = (_median(v.days_to_first_deal), None, f"{len(v.days_to_first_deal)} first deals")
    out["active_partners"] = (v.active_partners, None, "")
    out["new_partners"] = (v.new_partners, None, "")
    out["pocs_initiated"] = (v.cell_count(SUBMITTED, status_not=rejected, poc=True), None, "")
    poc_won, poc_lost = v.cell_count(WON, poc=True), v.cell_count(LOST, poc=True)
    out["pocs_completed"] = (poc_won + poc_lost, None, f"{poc_won} went live")
    out["poc_to_production"] = (_ratio(poc_won, poc_won + poc_lost), None, f"{poc_won} of {poc_won + poc_lost}")
    paid = v.convert(v.rows["mdf_paid"])
    mdf_won = v.convert(v.rows["mdf_won"])
    costs = v.convert(v.rows["costs"])
    out["mdf_paid"] = (paid.total, paid, "")
    out["mdf_roi"] = (
        _ratio(mdf_won.total, paid.total),
        None,
        f"{format_money(mdf_won.total, v.currency, places=0)} won from MDF activities",
    )
    for key in v.series:
        money = v.convert(v.rows[f"series:{key}"])
        out[key] = (money.total, money, "")
    spend = paid + costs
    for source in v.spend:
        spend += v.convert(v.rows[f"spend:{source.name}"])
    parts = ", ".join(["MDF", *(source.label for source in v.spend), "program costs"])
    out["partner_roi"] = (
        _ratio(won.total, spend.total),
        None,
        f"{format_money(spend.total, v.currency, places=0)} spent ({parts})",
    )
    direct = v.convert(v.rows["direct"])
    out["direct_revenue"] = (direct.total, direct, "")
    total_won = (with_direct_total if with_direct_total is not None else won) + direct
    out["ecosystem_contribution"] = (
        _ratio(won.total, total_won.total),
        None,
        "" if not v.rows["direct"] else f"of {format_money(total_won.total, v.currency, places=0)} won in all",
    )
    out["certified_people"] = (v.certified, None, "")
    for side in ("partner", "direct"):
        kept, decided_side = v.renewals[side]
        waiting = v.renewals_waiting[side]
        detail = f"{kept} of {decided_side} renewed" + (f"; {waiting} awaiting an outcome" if waiting else "")
        out[f"retention_{side}"] = (_ratio(kept, decided_side), None, detail)
    return out


def _mix(v: _Values) -> list[tuple[str, str, Converted, Decimal | None]]:
    groups = [(key, label, v.cell_money(WON, invs)) for key, label, invs in MIX_GROUPS]
    total = sum((g[2].total for g in groups), Decimal(0))
    return [(key, label, money, _ratio(money.total, total)) for key, label, money in groups]


def program_snapshot(
    *, period: Period, filters: Filters | None = None, compare: bool = True, today: date | None = None
) -> "Snapshot":
    """Every metric of DOMAIN.md for the period and the filter, with the previous period's values."""
    filters = filters or Filters()
    today = today or timezone.localdate()
    program = _program()
    currency = program["reporting_currency"] or reporting_currency()
    current = _Values(period, filters, currency, today=today)
    previous_period = period.previous()
    previous = _Values(previous_period, filters, currency, today=today) if compare else None

    # The ecosystem ratio of a filtered view compares with everything the startup won (all partners + direct).
    def all_won(values: _Values | None, p: Period):
        if values is None or filters.is_empty:
            return None
        cells, _ = _cells(p, Filters())
        return values.convert((c.amount, c.currency, c.month) for c in cells if c.kind == WON and c.amount)

    now_vals = _now_values(filters, currency, today, month_of(today))
    now_rates = Rates.load(currency, months=[month_of(today)])
    open_money = convert(now_vals["open"], to=currency, rates=now_rates)
    cur = _metrics(current, with_direct_total=all_won(current, period))
    prev = _metrics(previous, with_direct_total=all_won(previous, previous_period)) if previous else {}
    cur["open_pipeline"] = (open_money.total, open_money, f"{now_vals['open_count']:,} open deals")
    cur["partners_in_pilots"] = (now_vals["pilots"], None, "")
    cur["effective_sales_force"] = (
        program["internal_sellers"] + now_vals["sellers"],
        None,
        f"{program['internal_sellers']} internal + {now_vals['sellers']} at active partners",
    )
    # Non-money metrics other apps own (insights.hooks.register_value_metrics): the lead rates, say.
    from insights.hooks import value_metrics

    cur.update((k, (v, None, d)) for k, (v, d) in value_metrics(period.start, period.end, filters).items())
    if previous:
        values = value_metrics(previous_period.start, previous_period.end, filters)
        prev.update((k, (v, None, d)) for k, (v, d) in values.items())
    computed_at = timezone.now()
    metrics: dict[str, Metric] = {}
    for key, definition in METRICS.items():
        if definition.hooked and key not in current.series and key not in cur:
            continue  # no app feeds it (insights.hooks): the metric does not exist here
        value, money, detail = cur.get(key, (None, None, ""))
        pvalue, pmoney, _ = prev.get(key, (None, None, "")) if definition.period_bound else (None, None, "")
        metrics[key] = Metric(
            key=key,
            label=definition.label,
            definition=definition.definition,
            unit=definition.unit,
            value=value,
            money=money,
            previous=pvalue,
            previous_money=pmoney,
            detail=detail,
            as_of=computed_at,
            currency=currency,
        )
    if not filters.is_empty and filters.partner:
        metrics["retention_direct"].value = None
        metrics["retention_direct"].previous = None
        metrics["retention_direct"].detail = "program-wide only"
    by_status_counts: dict[str, int] = {}
    for c in current.cells:
        if c.kind == SUBMITTED:
            by_status_counts[c.status] = by_status_counts.get(c.status, 0) + c.count
    from dealreg.models import Registration

    by_status = [
        (value, str(label), by_status_counts.get(value, 0))
        for value, label in Registration.Status.choices
        if value != Registration.Status.DRAFT
    ]
    return Snapshot(
        period=period,
        previous_period=previous_period,
        filters=filters,
        currency=currency,
        computed_at=computed_at,
        pmi_stage=program["pmi_stage"],
        metrics=metrics,
        by_status=by_status,
        mix=_mix(current),
        previous_mix=_mix(previous) if previous else [],
        source=current.source,
    )


def partner_snapshot(*, partner: Any, period: Period, compare: bool = True, today: date | None = None) -> Snapshot:
    """The program snapshot scoped to one partner (what its scorecard and the portal show)."""
    return program_snapshot(period=period, filters=Filters(partner=partner.pk), compare=compare, today=today)
