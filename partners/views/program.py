"""TODO(program): being written. Stubs keep the URL map importable."""

from django.http import Http404, HttpRequest, HttpResponse

from prm.access import manager_required, partner_required


@manager_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    raise Http404


@manager_required
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


@manager_required
def requirement_tick(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    raise Http404


@partner_required
def portal_program(request: HttpRequest) -> HttpResponse:
    raise Http404
