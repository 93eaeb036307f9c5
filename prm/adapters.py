from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse

from prm import login_throttle


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Nobody signs up on their own: people join through an invitation (see partners.views.invitations)."""
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("home")

    # --- Failed sign-ins slow down the address that fails, never the owner elsewhere (prm/login_throttle.py) ---

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        super().pre_authenticate(request, **credentials)  # allauth's per-address limit (ACCOUNT_RATE_LIMITS)
        wait = login_throttle.wait_seconds(credentials.get("email", ""), self.get_client_ip(request))
        if wait:
            self._rollback_login_failed_rl_usage()  # a refused attempt is not another failure
            raise ValidationError(
                "Too many failed sign-ins for this account from your network. Try again in "
                f"{login_throttle.wait_words(wait)}. If this is your account, the link we emailed you lets you in "
                "at once; or reset your password."
            )

    def authenticate(self, request: HttpRequest, **credentials: Any):
        user = super().authenticate(request, **credentials)
        if user is not None:
            login_throttle.record_success(credentials.get("email", ""), self.get_client_ip(request))
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        from prm.login_alerts import failed_sign_in

        failed_sign_in(email=credentials.get("email", ""), ip=self.get_client_ip(request))
