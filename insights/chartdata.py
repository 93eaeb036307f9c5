"""The dashboard's charts: numbers from insights.metrics (and the renewals of insights.queues) shaped once for three
readers: Chart.js (labels and datasets, sent as json_script), the "Numbers" table beside each chart, and its CSV.

Nothing here computes a metric: it arranges what the metrics module returns. Amounts are in the reporting
currency, each chart says at which months' rates they were converted, and what had no rate is listed apart
(a column of its own), never added at face value."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.urls import reverse

from insights import renewals
from insights.metrics import Filters, Period, Snapshot, breakdown, funnel, series, top_partners
from insights.metrics.catalogue import INVOLVEMENTS
from prm.money import Converted, Totals, format_money, month_words

INVOLVEMENT_LABELS = {
    "sourced": "Sourced",
    "influenced": "Influenced",
    "fulfilled": "Fulfilled",
    "cosell": "Co-sell",
}


@dataclass
class Chart:
    name: str
    title: str
    kind: str  # bar | line | doughnut
    labels: list[str]
    datasets: list[dict[str, Any]]  # {"label": str, "data": [number, ...]}
    header: list[str]  # the Numbers table and the CSV
    rows: list[list[str]]  # formatted cells (money with its currency)
    csv_rows: list[list[Any]]  # raw cells (amounts as decimals; the currency in a column)
    csv_header: list[str] = field(default_factory=list)
    description: str = ""
    money: bool = False  # values are amounts in `currency`
    currency: str = ""
    stacked: bool = False
    horizontal: bool = False
    months: set[date] = field(default_factory=set)  # the rates used
    unconverted: Totals = field(default_factory=Totals)
    row_links: list[str] = field(default_factory=list)  # a link for each row's first cell (its detail page)

    @property
    def is_empty(self) -> bool:
        return not any(v for d in self.datasets for v in d["data"])

    @property
    def rates_note(self) -> str:
        return f"Converted to {self.currency} at {month_words(self.months)} rates." if self.months else ""

    @property
    def unconverted_note(self) -> str:
        return f"Not converted (no rate entered): {self.unconverted.words(places=0)}." if self.unconverted else ""

    @property
    def table_rows(self) -> list[tuple[str, str, list[str]]]:
        """(link or "", first cell, the other cells) for each row of the Numbers table."""
        links = self.row_links or [""] * len(self.rows)
        return [(link, row[0], row[1:]) for link, row in zip(links, self.rows, strict=True)]

    def config(self) -> dict[str, Any]:
        """What static/js/insights-charts.js draws."""
        return {
            "type": self.kind,
            "labels": self.labels,
            "datasets": self.datasets,
            "money": self.money,
            "currency": self.currency,
            "stacked": self.stacked,
            "horizontal": self.horizontal,
            "title": self.title,
        }


def _n(value: Decimal | int | None) -> float:
    return float(value or 0)


def _m(total: Converted, places: int = 0) -> str:
    return format_money(total.total, total.currency, places=places)


def _unconverted(total: Converted) -> str:
    return total.unconverted.words(places=0) if total.unconverted else ""


def _track(chart: Chart, *totals: Converted) -> None:
    for total in totals:
        chart.months |= total.months
        chart.unconverted = chart.unconverted + total.unconverted


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _with_unconverted(chart: Chart, totals_per_row: list[list[Converted]]) -> Chart:
    """Add a "Not converted" column to the table and CSV when any amount had no rate."""
    if not chart.unconverted:
        return chart
    chart.header.append("Not converted")
    chart.csv_header.append("not converted")
    for row, csv_row, totals in zip(chart.rows, chart.csv_rows, totals_per_row, strict=True):
        words = " + ".join(w for t in totals if (w := _unconverted(t)))
        row.append(words)
        csv_row.append(words)
    return chart


# --- The charts ---------------------------------------------------------------------------------------------------


def trend_months(period: Period) -> list[date]:
    """The 12 months ending with the month the period ends in."""
    last = period.end.replace(day=1)
    months = [last]
    while len(months) < 12:
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    return months


def _over_time(rows: list[dict], kind: str, currency: str) -> Chart:
    title = "Pipeline submitted per month" if kind == "pipeline" else "Revenue won per month"
    chart = Chart(
        name=kind,
        title=title,
        kind="bar",
        labels=[f"{r['month']:%b %Y}" for r in rows],
        datasets=[
            {"label": INVOLVEMENT_LABELS[inv], "data": [_n(r[kind][inv].total) for r in rows]} for inv in INVOLVEMENTS
        ],
        header=["Month", *(INVOLVEMENT_LABELS[inv] for inv in INVOLVEMENTS), "Total"],
        rows=[],
        csv_header=["month", *INVOLVEMENTS, "total", "currency"],
        csv_rows=[],
        description=(
            "Value of registrations submitted each month (drafts and rejected left out), by the partner's involvement."
            if kind == "pipeline"
            else "Won amount of registrations won each month, by how the partner is involved."
        ),
        money=True,
        currency=currency,
        stacked=True,
    )
    per_row = []
    for r in rows:
        totals = [r[kind][inv] for inv in INVOLVEMENTS]
        whole = sum((t.total for t in totals), Decimal(0))
        _track(chart, *totals)
        chart.rows.append([f"{r['month']:%b %Y}", *(_m(t) for t in totals), format_money(whole, currency, places=0)])
        chart.csv_rows.append([f"{r['month']:%Y-%m}", *(t.total for t in totals), whole, currency])
        per_row.append(totals)
    return _with_unconverted(chart, per_row)


def _mix(snap: Snapshot) -> Chart:
    previous = {key: (money, share) for key, _, money, share in snap.previous_mix}
    chart = Chart(
        name="mix",
        title="Blended mix of won revenue",
        kind="bar",
        labels=[label for _, label, _, _ in snap.mix],
        datasets=[
            {"label": snap.period.label, "data": [_n(money.total) for _, _, money, _ in snap.mix]},
            {
                "label": f"Previous ({snap.previous_period.label})",
                "data": [_n(previous[key][0].total) if key in previous else 0 for key, _, _, _ in snap.mix],
            },
        ],
        header=["Group", "This period", "Share", "Previous period", "Share"],
        rows=[],
        csv_header=["group", "amount", "share", "previous amount", "previous share", "currency"],
        csv_rows=[],
        description="Won revenue split into partner-led (sourced), partner-executed (fulfilled) and hybrid "
        "(influenced, co-sell) deals, this period against the previous one.",
        money=True,
        currency=snap.currency,
    )
    per_row = []
    for key, label, money, share in snap.mix:
        before, before_share = previous.get(key, (Converted(snap.currency), None))
        _track(chart, money, before)
        chart.rows.append([label, _m(money), _pct(share), _m(before), _pct(before_share)])
        chart.csv_rows.append([label, money.total, share, before.total, before_share, snap.currency])
        per_row.append([money, before])
    return _with_unconverted(chart, per_row)


def _counts(name: str, title: str, rows: list[tuple[str, str, int]], description: str, link: str, **kw: Any) -> Chart:
    return Chart(
        name=name,
        title=title,
        kind="bar",
        labels=[label for _, label, _ in rows],
        datasets=[{"label": title, "data": [n for _, _, n in rows]}],
        header=["", "Count"],
        rows=[[label, f"{n:,}"] for _, label, n in rows],
        csv_header=["key", "label", "count"],
        csv_rows=[[key, label, n] for key, label, n in rows],
        description=description,
        row_links=[f"{link}?status={key}" for key, _, _ in rows],
        **kw,
    )


def _top(period: Period, filters: Filters, currency: str) -> Chart:
    rows = top_partners(period=period, filters=filters, limit=10)
    chart = Chart(
        name="top_partners",
        title="Top partners by won revenue",
        kind="bar",
        labels=[p.name for p, _ in rows],
        datasets=[{"label": "Won revenue", "data": [_n(t.total) for _, t in rows]}],
        header=["Partner", "Won revenue"],
        rows=[],
        csv_header=["partner id", "partner", "won revenue", "currency"],
        csv_rows=[],
        description="The ten partners whose registrations won the most in the period.",
        money=True,
        currency=currency,
        horizontal=True,
    )
    for partner, total in rows:
        _track(chart, total)
        chart.rows.append([partner.name, _m(total)])
        chart.csv_rows.append([partner.pk, partner.name, total.total, currency])
    chart.row_links = [reverse("manage:partner_detail", args=[p.pk]) for p, _ in rows]
    return _with_unconverted(chart, [[t] for _, t in rows])


def _breakdown(period: Period, filters: Filters, currency: str, by: str) -> Chart:
    rows = breakdown(period=period, filters=filters, by=by)
    what = "route to market" if by == "rtm" else "region"
    chart = Chart(
        name=by,
        title=f"Won revenue by {what}",
        kind="bar",
        labels=[label for _, label, _, _ in rows],
        datasets=[{"label": "Won revenue", "data": [_n(t.total) for _, _, _, t in rows]}],
        header=[what.capitalize(), "Partners", "Won revenue"],
        rows=[],
        csv_header=[by, "label", "partners", "won revenue", "currency"],
        csv_rows=[],
        description=f"Partners (declined and offboarded left out) and their won revenue in the period, per {what}"
        + (" (a partner in two regions counts in both)." if by == "region" else "."),
        money=True,
        currency=currency,
        horizontal=True,
    )
    for key, label, count, total in rows:
        _track(chart, total)
        chart.rows.append([label, f"{count:,}", _m(total)])
        chart.csv_rows.append([key, label, count, total.total, currency])
    return _with_unconverted(chart, [[t] for *_, t in rows])


def _renewals(filters: Filters, currency: str) -> Chart:
    partners = None if filters.is_empty else filters.partners()
    rows = renewals.renewals_upcoming(currency=currency, partners=partners)
    chart = Chart(
        name="renewals",
        title="Renewals coming up",
        kind="bar",
        labels=[f"{r.month:%b %Y}" for r in rows],
        datasets=[{"label": "Contract value up for renewal", "data": [_n(r.total.total) for r in rows]}],
        header=["Month", "Contracts", "Value", "As recorded"],
        rows=[],
        csv_header=["month", "contracts", "value", "currency", "as recorded"],
        csv_rows=[],
        description="Active customer contracts whose renewal date falls in each of the next six months"
        + (" (customers of the filtered partners)." if partners is not None else ", partner-acquired and direct."),
        money=True,
        currency=currency,
    )
    for r in rows:
        _track(chart, r.total)
        chart.rows.append([f"{r.month:%b %Y}", f"{r.count:,}", _m(r.total), r.amounts.words(places=0)])
        chart.csv_rows.append([f"{r.month:%Y-%m}", r.count, r.total.total, currency, r.amounts.words(places=2)])
    return _with_unconverted(chart, [[r.total] for r in rows])


def _outcomes(period: Period, filters: Filters, currency: str) -> Chart:
    partners = None if filters.is_empty else filters.partners()
    rows = renewals.renewal_outcomes(start=period.start, end=period.end, currency=currency, partners=partners)
    chart = Chart(
        name="renewal_outcomes",
        title="Renewal outcomes in the period",
        kind="doughnut",
        labels=[r.label for r in rows],
        datasets=[{"label": "Renewals", "data": [r.count for r in rows]}],
        header=["Outcome", "Renewals", "Partner-acquired", "Renewed value"],
        rows=[],
        csv_header=["outcome", "renewals", "partner-acquired", "renewed value", "currency"],
        csv_rows=[],
        description="Outcomes recorded for renewals due in the period, and how many were customers acquired "
        "through a partner.",
        currency=currency,
    )
    for r in rows:
        _track(chart, r.total)
        chart.rows.append([r.label, f"{r.count:,}", f"{r.partner_count:,}", _m(r.total)])
        chart.csv_rows.append([r.outcome, r.count, r.partner_count, r.total.total, currency])
    return _with_unconverted(chart, [[r.total] for r in rows])


@dataclass
class ChartSet:
    """Builds each chart on first use, so a CSV of one chart computes only that chart."""

    snap: Snapshot
    filters: Filters
    _built: dict[str, Chart] = field(default_factory=dict)
    _series: list[dict] | None = None

    @property
    def period(self) -> Period:
        return self.snap.period

    def _trend(self) -> list[dict]:
        if self._series is None:
            self._series = series(filters=self.filters, months=trend_months(self.period))
        return self._series

    def builders(self) -> dict[str, Callable[[], Chart]]:
        snap, filters, period, currency = self.snap, self.filters, self.period, self.snap.currency
        return {
            "pipeline": lambda: _over_time(self._trend(), "pipeline", currency),
            "revenue": lambda: _over_time(self._trend(), "revenue", currency),
            "mix": lambda: _mix(snap),
            "funnel": lambda: _counts(
                "funnel",
                "Partner funnel",
                funnel(filters=filters),
                "Partners by where they are today: applied, onboarding, active, dormant.",
                reverse("manage:partner_list"),
                horizontal=True,
            ),
            "status": lambda: _counts(
                "status",
                "Registrations by status",
                snap.by_status,
                "Registrations submitted in the period, by their status today.",
                reverse("manage:deals"),
                horizontal=True,
            ),
            "top_partners": lambda: _top(period, filters, currency),
            "rtm": lambda: _breakdown(period, filters, currency, "rtm"),
            "region": lambda: _breakdown(period, filters, currency, "region"),
            "renewals": lambda: _renewals(filters, currency),
            "renewal_outcomes": lambda: _outcomes(period, filters, currency),
        }

    @property
    def names(self) -> list[str]:
        return list(self.builders())

    def get(self, name: str) -> Chart:
        if name not in self._built:
            self._built[name] = self.builders()[name]()
        return self._built[name]

    def all(self) -> list[Chart]:
        return [self.get(name) for name in self.names]
