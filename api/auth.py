"""The API's door: `Authorization: Bearer prm_…` on every operation (a few public ones say `auth=None`).

After the token checks out (api.services.authenticate) and its rate limit allows the request, the request looks
like a portal or manager request to the code behind it: `request.user` is the token's owner and, for a partner
token, `request.membership` / `request.partner` are set as `prm.access.partner_required` sets them.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer

from api import services
from api.models import ApiToken
from prm.access import user_membership

STAFF_ONLY = "This endpoint is for staff tokens (a channel manager's); a partner token cannot use it."
PARTNER_ONLY = "This endpoint is for partner tokens (a partner member's); a staff token cannot use it."


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        if not header:
            raise services.TokenRefused("Send your API token in the header “Authorization: Bearer prm_…”.")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            raise services.TokenRefused("Use the Bearer scheme: “Authorization: Bearer prm_…”.")
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        api_token = services.authenticate(token)
        services.rate_limit_hit(api_token)
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        membership = user_membership(api_token.user) if api_token.partner_id else None
        request.membership = membership  # type: ignore[attr-defined]
        request.partner = membership.partner if membership is not None else None  # type: ignore[attr-defined]
        return api_token


def require_staff(request: HttpRequest) -> None:
    if getattr(request, "partner", None) is not None:
        raise PermissionDenied(STAFF_ONLY)


def require_partner(request: HttpRequest) -> None:
    if getattr(request, "partner", None) is None:
        raise PermissionDenied(PARTNER_ONLY)
