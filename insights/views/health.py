"""Partner health for the channel team: the at-risk list (with the watch band on request), its CSV, and the
scorecard's "Recalculate" button. Reads the stored snapshots (insights.health_store); partners never see these
pages (their own scorecard shows their health live)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from insights.health_store import LIST_BANDS, at_risk_count, at_risk_rows, compute_for, last_computed_at
from partners.selectors import partner_get
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time, exports_csv

SHOWN = 200
BAND_CHOICES = (("at_risk", "At risk"), ("watch", "Watch"), ("both", "At risk and watch"))


def _filters(request: HttpRequest) -> tuple[str, int | None, bool]:
    band = request.GET.get("band", "at_risk")
    if band not in LIST_BANDS:
        band = "at_risk"
    mine = request.GET.get("mine") == "1"
    return band, (request.user.pk if mine else None), mine


@exports_csv("manage:health_at_risk_export")
@manager_required
def at_risk(request: HttpRequest) -> HttpResponse:
    """Partners at risk (or on watch), lowest score first, with what pulls them down and what to do next."""
    band, owner_id, mine = _filters(request)
    rows = at_risk_rows(band=band, owner_id=owner_id, limit=SHOWN)
    total = len(rows) if len(rows) < SHOWN else at_risk_count(band=band, owner_id=owner_id)
    context = {
        "rows": rows,
        "total": total,
        "band": band,
        "band_label": dict(BAND_CHOICES)[band],
        "band_choices": BAND_CHOICES,
        "mine": mine,
        "computed_at": last_computed_at(),
        "nav": "insights",
    }
    return render(request, "insights/health/at_risk.html", context)


@manager_required
def at_risk_export(request: HttpRequest) -> HttpResponse:
    """Every partner the page's filters match (not only the first 200 it shows)."""
    band, owner_id, _ = _filters(request)
    rows = (
        [
            row.partner.name,
            row.partner.pk,
            row.partner.owner.email if row.partner.owner_id else "",
            row.snapshot.score,
            row.snapshot.band_label,
            "" if row.change is None else row.change,
            " | ".join(f"{r.text} ({r.points})" for r in row.top_reasons),
            row.action.label if row.action else "",
            request.build_absolute_uri(row.action.url) if row.action else "",
            row.snapshot.day.isoformat(),
            csv_time(row.snapshot.computed_at),
        ]
        for row in at_risk_rows(band=band, owner_id=owner_id)
    )
    header = [
        "partner",
        "partner id",
        "owner email",
        "score",
        "band",
        "change in 7 days",
        "top reasons",
        "next action",
        "next action link",
        "day",
        "computed at",
    ]
    return csv_response(name=f"partner-health-{band.replace('_', '-')}", header=header, rows=rows)


@manager_required
@require_POST
def recalculate(request: HttpRequest, pk: int) -> HttpResponse:
    """Score the partner now and store today's snapshot (the scorecard's "Recalculate" button)."""
    partner = partner_get(pk=pk)
    snapshot = compute_for(partner)
    if snapshot is None:
        messages.info(request, f"{partner.name} is not scored while it is {partner.get_status_display().lower()}.")
    else:
        messages.success(request, f"Health recalculated: {snapshot.score} / 100, {snapshot.band_label.lower()}.")
    return redirect(f"{reverse('manage:partner_scorecard', args=[partner.pk])}#health")
