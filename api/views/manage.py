"""The manager app's API tokens page (/manage/api-tokens/): a channel manager makes staff tokens (acting with their
own permissions: every partner) and revokes any staff token."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from api import selectors
from api.views.common import revoke, token_page
from prm.access import manager_required


@manager_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    return token_page(
        request,
        template="api/manage_tokens.html",
        tokens=selectors.staff_tokens(),
        revoke_url="manage:api_token_revoke",
        context={"nav": "partners"},
    )


@manager_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.access_staff_token(pk=pk)
    return revoke(request, token, "manage:api_tokens")
