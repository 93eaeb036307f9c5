"""The portal home: what this person should do next, by role, as actions with links (insights.portal_home)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from insights.portal_home import portal_home
from partners.hooks import portal_panels
from partners.models import Application, Partner, Program
from prm.access import partner_required


@partner_required
def home(request: HttpRequest) -> HttpResponse:
    """Onboarding checklist while onboarding; role-aware actions once active or dormant; a plain explanation of
    every other state."""
    partner = request.partner
    context = {
        "partner": partner,
        "home": portal_home(membership=request.membership, user=request.user),
        "panels": portal_panels(partner, request.user),  # what other apps show the partner (and this person)
        "nav": "home",
    }
    if partner.status == Partner.Status.DECLINED:
        context["application"] = Application.objects.filter(partner=partner).only("decision_reason").first()
    elif partner.status == Partner.Status.DORMANT:
        context["dormancy_days"] = Program.objects.filter(pk=1).values_list("dormancy_days", flat=True).first() or 90
    return render(request, "insights/portal/home.html", context)


manage_urlpatterns: list = []
portal_urlpatterns = [
    path("", home, name="home"),
]
