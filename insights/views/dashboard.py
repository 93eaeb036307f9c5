from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from partners.models import Invitation, Partner
from prm.access import manager_required
from prm.sections import coming_soon


@manager_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The channel manager's start page: the program at a glance."""
    by_status = dict(Partner.objects.values_list("status").annotate(n=Count("id")).order_by())
    statuses = [(value, label, by_status.get(value, 0)) for value, label in Partner.Status.choices]
    context = {
        "statuses": statuses,
        "partner_total": sum(by_status.values()),
        "pending_invitations": Invitation.objects.pending().count(),
    }
    return render(request, "insights/dashboard.html", context)


@manager_required
def manage_index(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "insights", "manage")


manage_urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("insights/", manage_index, name="insights"),
]
portal_urlpatterns: list = []
