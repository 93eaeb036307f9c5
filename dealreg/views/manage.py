"""Channel managers' deal registration pages. (Being written: placeholders keep the URL map importable.)"""

from django.http import HttpRequest, HttpResponse

from prm.access import manager_required
from prm.sections import coming_soon


@manager_required
def registration_list(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "deals", "manage")


@manager_required
def review_queue(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "deals", "manage")


@manager_required
def registration_export(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "deals", "manage")


@manager_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return coming_soon(request, "deals", "manage")


@manager_required
def registration_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return coming_soon(request, "deals", "manage")


@manager_required
def conflict_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return coming_soon(request, "deals", "manage")
