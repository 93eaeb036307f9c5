from django.http import HttpRequest, HttpResponse

from prm.access import manager_required
from prm.sections import coming_soon


@manager_required
def index(request: HttpRequest) -> HttpResponse:
    return coming_soon(request, "mdf", "manage")
