"""The partner scorecard: the channel manager's page (and the compact panel the partner page loads with htmx), and
the partner's own "My performance" page in the portal."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from insights.metrics import PERIOD_CHOICES, period_from_params
from insights.scorecard import partner_scorecard
from partners.models import Partner
from partners.selectors import partner_get
from prm.access import manager_required, partner_required


def _context(request: HttpRequest, partner: Partner, audience: str) -> dict:
    period, errors = period_from_params(request.GET)
    return {
        "partner": partner,
        "card": partner_scorecard(partner=partner, period=period, audience=audience),
        "period_choices": PERIOD_CHOICES,
        "period_errors": errors,
    }


@manager_required
def partner_scorecard_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The full scorecard; `?panel=1` (what the partner page loads) renders only the compact panel."""
    partner = partner_get(pk=pk)
    context = _context(request, partner, "manage")
    template = "insights/scorecard/manage.html"
    if request.GET.get("panel"):
        template = "insights/scorecard/_panel.html"
    return render(request, template, context)


@partner_required
def performance(request: HttpRequest) -> HttpResponse:
    """My performance: the partner's own scorecard, nothing of other partners."""
    context = _context(request, request.partner, "portal")
    context["nav"] = "performance"
    return render(request, "insights/scorecard/portal.html", context)


manage_urlpatterns = [
    path("partners/<id:pk>/scorecard/", partner_scorecard_page, name="partner_scorecard"),
]
portal_urlpatterns = [
    path("performance/", performance, name="performance"),
]
