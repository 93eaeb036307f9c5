from django.http import HttpRequest, HttpResponse

from prm.access import partner_required
from prm.sections import coming_soon


@partner_required
def index(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "mdf", "portal")
