"""TODO(recruitment): being written. Stubs keep the URL map importable."""

from django.http import Http404, HttpRequest, HttpResponse

from prm.access import manager_required, partner_required, public


@public
def apply(request: HttpRequest) -> HttpResponse:
    raise Http404


@public
def apply_thanks(request: HttpRequest) -> HttpResponse:
    raise Http404


@manager_required
def application_list(request: HttpRequest) -> HttpResponse:
    raise Http404


@manager_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


@manager_required
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


@manager_required
def application_decline(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


@partner_required
def reseller_list(request: HttpRequest) -> HttpResponse:
    raise Http404


@partner_required
def reseller_invite(request: HttpRequest) -> HttpResponse:
    raise Http404


@partner_required
def reseller_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
