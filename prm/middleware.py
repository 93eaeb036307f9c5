from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Pages a staff member without MFA may still reach: setting MFA up, signing out, static files.
_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")


class RequireStaffMFAMiddleware:
    """With REQUIRE_MFA_FOR_STAFF on, staff must activate an authenticator app before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.PRM_REQUIRE_MFA_FOR_STAFF and self._must_enroll(request):
            return redirect(f"{reverse('mfa_activate_totp')}?required=1")
        return self.get_response(request)

    @staticmethod
    def _must_enroll(request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return False
        if request.path.startswith(_EXEMPT_PREFIXES):
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
