"""TODO(onboarding): being written. Stubs keep the URL map importable."""

from django.http import Http404, HttpRequest, HttpResponse

from prm.access import manager_required, partner_required


@partner_required
def agreement(request: HttpRequest) -> HttpResponse:
    raise Http404


@manager_required
def step_complete(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    raise Http404
