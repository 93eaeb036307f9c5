"""The channel manager's home (/manage/): what needs you now, the metrics the program's PMI stage leads with, the
rest, and charts; and the Insights page (/manage/insights/): every metric with its definition, and the CSV."""

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from insights import queues
from insights.chartdata import ChartSet
from insights.metrics import PERIOD_CHOICES, Filters, Period, Snapshot, period_from_params, program_snapshot
from partners.models import Partner, Program
from partners.selectors import channel_managers, tier_list
from partners.services.setup import wizard_due
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time

REPORT_TARGET = "insights-report"

# DOMAIN.md's PMI table: the partner profiles each early stage should recruit first, and why.
RECRUIT_NEXT: dict[int, list[tuple[str, str]]] = {
    Program.Stage.VALIDATION: [
        (Partner.Type.DESIGN, "shape the product with you and become your first references"),
        (Partner.Type.ALLIANCE, "integrations and credibility with the platforms your customers use"),
        (Partner.Type.VAR, "a few, to prove that someone else can sell it"),
    ],
    Program.Stage.EXPANSION: [
        (Partner.Type.VAR, "resell and add services in the routes you test"),
        (Partner.Type.SI, "regional SIs that run pilots and deliver"),
        (Partner.Type.RESELLER, "reach beyond your own sellers"),
        (Partner.Type.ALLIANCE, "hyperscaler programs and marketplaces: co-sell and procurement"),
    ],
}


def _params(request: HttpRequest) -> tuple[Period, Filters, list[str]]:
    """The period and filters the page asks for, and what was wrong with them in words (never an error page)."""
    period, period_errors = period_from_params(request.GET)
    filters, filter_errors = Filters.from_params(request.GET)
    return period, filters, period_errors + filter_errors


def _query(period: Period, filters: Filters) -> str:
    return "&".join(part for part in (period.query(), filters.query()) if part)


def _form_context(period: Period, filters: Filters) -> dict[str, Any]:
    """What the period and filter form shows (lazy querysets: a partial refresh does not read them)."""
    return {
        "period": period,
        "filters": filters,
        "period_choices": PERIOD_CHOICES,
        "types": Partner.Type.choices,
        "routes": Partner.RouteToMarket.choices,
        "regions": Partner.Region.choices,
        "tiers": tier_list(),
        "owners": channel_managers(),
        "partner_name": (
            Partner.objects.filter(pk=filters.partner).values_list("name", flat=True).first() if filters.partner else ""
        ),
        "query": _query(period, filters),
    }


def _recruit_next(stage: int) -> list[dict[str, Any]]:
    """At PMI stages 1–2: the partner types to recruit next, with how many the program has (active, onboarding)."""
    wanted = RECRUIT_NEXT.get(stage, [])
    if not wanted:
        return []
    counts: dict[tuple[str, str], int] = {
        (t, s): n
        for t, s, n in Partner.objects.filter(
            type__in=[t for t, _ in wanted], status__in=[Partner.Status.ACTIVE, Partner.Status.ONBOARDING]
        )
        .values_list("type", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    labels = dict(Partner.Type.choices)
    return [
        {
            "type": t,
            "label": labels[t],
            "why": why,
            "active": counts.get((t, Partner.Status.ACTIVE), 0),
            "onboarding": counts.get((t, Partner.Status.ONBOARDING), 0),
        }
        for t, why in wanted
    ]


def _metrics_csv(snap: Snapshot) -> HttpResponse:
    header = [
        "metric",
        "label",
        "unit",
        "value",
        "previous value",
        "change",
        "currency",
        "not converted",
        "previous not converted",
        "detail",
        "period start",
        "period end",
        "previous period start",
        "previous period end",
        "as of",
        "definition",
    ]

    def rows():
        for m in snap.metrics.values():
            money = m.unit == "money"
            yield [
                m.key,
                m.label,
                m.unit,
                m.value,
                m.previous,
                m.change,
                snap.currency if money else "",
                m.money.unconverted.words() if money and m.money is not None and m.money.unconverted else "",
                m.previous_money.unconverted.words()
                if money and m.previous_money is not None and m.previous_money.unconverted
                else "",
                m.detail,
                snap.period.start,
                snap.period.end,
                snap.previous_period.start,
                snap.previous_period.end,
                csv_time(snap.computed_at),
                m.definition,
            ]

    return csv_response(name="insights-metrics", header=header, rows=rows())


@manager_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The channel manager's start page. `?format=csv&chart=<name>` downloads one chart's numbers."""
    period, filters, errors = _params(request)
    has_partners = Partner.objects.exists()
    snap = program_snapshot(period=period, filters=filters) if has_partners else None
    charts = ChartSet(snap, filters) if snap is not None else None
    if request.GET.get("format") == "csv" and charts is not None:
        name = request.GET.get("chart", "")
        if name in charts.names:
            chart = charts.get(name)
            return csv_response(name=f"insights-{name}", header=chart.csv_header, rows=chart.csv_rows)
        errors.append(f"There is no chart {name!r} to download: pick one of the Numbers links below.")
    context: dict[str, Any] = {
        "errors": errors,
        "has_partners": has_partners,
        "snap": snap,
        "charts": charts.all() if charts is not None else [],
        **_form_context(period, filters),
    }
    if request.htmx and request.htmx.target == REPORT_TARGET and not request.htmx.history_restore_request:
        return render(request, "insights/dashboard.html#report", context)
    stage = (
        snap.pmi_stage if snap is not None else Program.objects.filter(pk=1).values_list("pmi_stage", flat=True).first()
    )
    context["queues"] = queues.for_request(request)
    context["wizard_due"] = not has_partners and wizard_due(request.user)
    context["recruit"] = _recruit_next(stage or Program.Stage.VALIDATION)
    context["stage_label"] = Program.Stage(stage or Program.Stage.VALIDATION).label
    return render(request, "insights/dashboard.html", context)


@manager_required
def manage_index(request: HttpRequest) -> HttpResponse:
    """Every metric with its definition, for a period and filters; `?format=csv` downloads them all (this period
    and the previous one)."""
    period, filters, errors = _params(request)
    snap = program_snapshot(period=period, filters=filters)
    if request.GET.get("format") == "csv":
        return _metrics_csv(snap)
    context = {"errors": errors, "snap": snap, **_form_context(period, filters)}
    if request.htmx and request.htmx.target == REPORT_TARGET and not request.htmx.history_restore_request:
        return render(request, "insights/dashboard/metrics.html#report", context)
    return render(request, "insights/dashboard/metrics.html", context)


manage_urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("insights/", manage_index, name="insights"),
]
portal_urlpatterns: list = []
