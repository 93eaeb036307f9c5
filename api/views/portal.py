"""The portal's API tokens page (/portal/api-tokens/): the company's admins make tokens for their company's
integrations and revoke any of the company's tokens."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from api import selectors
from api.views.common import revoke, token_page
from partners.models import PartnerMembership
from prm.access import partner_required

ADMINS = [PartnerMembership.Role.ADMIN]


@partner_required(roles=ADMINS)
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    return token_page(
        request,
        template="api/portal_tokens.html",
        tokens=selectors.tokens_for_partner(partner=request.partner),  # type: ignore[attr-defined]
        revoke_url="portal:api_token_revoke",
        context={"nav": "company", "partner": request.partner},  # type: ignore[attr-defined]
    )


@partner_required(roles=ADMINS)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.access_partner_token(partner=request.partner, pk=pk)  # type: ignore[attr-defined]
    return revoke(request, token, "portal:api_tokens")
