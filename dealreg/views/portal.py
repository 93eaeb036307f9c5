"""Partner portal deal registration pages. (Being written: placeholders keep the URL map importable.)"""

from django.http import HttpRequest, HttpResponse

from prm.access import partner_required
from prm.sections import coming_soon


@partner_required
def registration_list(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "deals", "portal")


@partner_required
def registration_create(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "deals", "portal")


@partner_required
def registration_check(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "deals", "portal")


@partner_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return coming_soon(request, "deals", "portal")


@partner_required
def registration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return coming_soon(request, "deals", "portal")


@partner_required
def registration_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return coming_soon(request, "deals", "portal")
