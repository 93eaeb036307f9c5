"""Channel managers' accounts and direct pipeline pages. (Being written: placeholders keep the URL map importable.)"""

from django.http import HttpRequest, HttpResponse

from prm.access import manager_required
from prm.sections import coming_soon


@manager_required
def account_list(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "deals", "manage")


@manager_required
def account_create(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "deals", "manage")


@manager_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return coming_soon(request, "deals", "manage")


@manager_required
def opportunity_create(request: HttpRequest, pk: int) -> HttpResponse:
    return coming_soon(request, "deals", "manage")


@manager_required
def account_import(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "deals", "manage")
