"""TODO(directory/profile): being written. Stubs keep the URL map importable."""

from django.http import Http404, HttpRequest, HttpResponse

from prm.access import partner_required


@partner_required
def company(request: HttpRequest) -> HttpResponse:
    raise Http404
