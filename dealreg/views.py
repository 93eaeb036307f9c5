from django.http import HttpRequest, HttpResponse

from prm.access import manager_required, partner_required
from prm.sections import coming_soon


@manager_required
def manage_index(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "deals", "manage")


@partner_required
def portal_index(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "deals", "portal")
