from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from prm.sso import signed_in_with_sso

# Pages a person without MFA may still reach: setting MFA up, signing out, static files, the API (tokens).
_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/")
# What counts as a second factor: an authenticator app, or a security key / passkey (WebAuthn).
_SECOND_FACTORS = ("totp", "webauthn")


def mfa_required_for(user) -> str:
    """Why this signed-in user must have a second factor ("staff" or "partner"), or "" when they need not.
    Staff: unless REQUIRE_MFA_FOR_STAFF is off (it is on by default without DEBUG). Partner members: when their
    company's admins require it."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if user.is_staff:
        return "staff" if settings.PRM_REQUIRE_MFA_FOR_STAFF else ""
    from prm.access import user_membership

    membership = user_membership(user)
    return "partner" if membership is not None and membership.partner.require_mfa else ""


def has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type__in=_SECOND_FACTORS).exists()


class RequireMFAMiddleware:
    """Staff (REQUIRE_MFA_FOR_STAFF, on by default in production) and members of a partner that requires it must
    activate an authenticator app or a security key before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(_EXEMPT_PREFIXES):
            why = mfa_required_for(request.user)
            if why and not has_second_factor(request.user) and not (why == "staff" and signed_in_with_sso(request)):
                return redirect(f"{reverse('mfa_activate_totp')}?required={why}")
        return self.get_response(request)


# The old name, for settings that still list it.
RequireStaffMFAMiddleware = RequireMFAMiddleware
