"""Single sign-on for the startup's staff through an OpenID Connect provider (issue 17, item 4).

Configured from the environment (SSO_OIDC_ISSUER, SSO_OIDC_CLIENT_ID, SSO_OIDC_SECRET; prm/settings.py), served by
django-allauth's `openid_connect` provider at /accounts/oidc/<provider id>/login/.

Who gets in: the identity provider must vouch for the person's email address (`email_verified`, or a domain listed
in SSO_OIDC_TRUSTED_EMAIL_DOMAINS), and that address must belong to an existing, active staff account that is not a
partner member. That account is connected to the provider's subject (`sub`) and signed in. Everyone else is sent
back to the sign-in page with a message saying why: nobody is ever created here (people join through invitations),
and partners keep signing in with their email and password.

Staff MFA: the identity provider does the second factor, so a session signed in through it satisfies the staff MFA
requirement (`signed_in_with_sso`, read by prm.middleware.RequireMFAMiddleware). A staff member who has also set up
an authenticator in prm is still asked for it by allauth.

Audit: a connection ("auth.sso_connected"), every sign-in ("auth.sso_signed_in") and every refusal of a known
account ("auth.sso_refused") are recorded on that account. A refusal of an address nobody has is only logged: anyone
with an account at a public provider (Google) can cause one, and the audit trail is not theirs to fill.
"""

import logging
import time
from typing import Any, NoReturn
from urllib.parse import urlsplit

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.signals import user_logged_in
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest
from django.shortcuts import redirect

from prm.access import user_membership
from prm.audit import audit_record
from prm.models import User

logger = logging.getLogger(__name__)

PROVIDER = "openid_connect"
SESSION_KEY = "prm_sso"

# Why a sign-in was refused → what the person reads on the sign-in page ({email} filled in). The provider is "your
# company sign-in": its configured name is the button's label ("Sign in with …"), not a noun.
REFUSALS = {
    "unverified": (
        "Your company sign-in did not confirm that the email address of your account is verified, so prm cannot "
        "tell which account is yours. Ask your administrator to verify the address there."
    ),
    "unknown": (
        "There is no staff account in prm for {email}. prm does not create accounts on single sign-on: ask a "
        "program admin to add you, then sign in again."
    ),
    "inactive": "The prm account for {email} is deactivated. Ask a program admin to reactivate it.",
    "partner": (
        "Single sign-on is for the startup's staff. {email} belongs to a partner's account: sign in with your "
        "email address and password below."
    ),
    "not_staff": (
        "Single sign-on is for the startup's staff, and the prm account for {email} is not a staff account. Sign in "
        "with your email address and password below."
    ),
    "other_account": (
        "This company account is connected to another prm account than the one for {email}. Ask a program admin "
        "to check the accounts' email addresses."
    ),
    "wrong_user": (
        "You are signed in to prm as someone else than {email}. Sign out first, then use your company sign-in."
    ),
}


class SSORefused(Exception):
    def __init__(self, why: str, user: User | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.user = user


def verified_email(sociallogin: SocialLogin) -> str:
    """The first address the provider vouches for ("" if none): allauth marks it verified from the `email_verified`
    claim, or from the app's `verified_email` domains (SSO_OIDC_TRUSTED_EMAIL_DOMAINS)."""
    for address in sociallogin.email_addresses:
        if address.verified and address.email:
            return address.email.strip().lower()
    return ""


def staff_account_for(sociallogin: SocialLogin) -> User:
    """The staff account this provider login may sign in to, or `SSORefused` saying why not."""
    email = verified_email(sociallogin)
    if not email:
        raise SSORefused("unverified")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise SSORefused("unknown")
    if not user.is_active:
        raise SSORefused("inactive", user)
    if user_membership(user) is not None:
        raise SSORefused("partner", user)
    if not user.is_staff:
        raise SSORefused("not_staff", user)
    if sociallogin.is_existing and sociallogin.user is not None and sociallogin.user.pk != user.pk:
        raise SSORefused("other_account", user)
    return user


def _client_ip(request: HttpRequest) -> str:
    try:
        return get_account_adapter(request).get_client_ip(request)
    except PermissionDenied:  # allauth refuses to guess an address it cannot see; the audit entry then says so
        return "unknown"


def _provider_id(sociallogin: SocialLogin) -> str:
    app = getattr(sociallogin.provider, "app", None)
    return getattr(app, "provider_id", "") or sociallogin.account.provider


class StaffSSOAdapter(DefaultSocialAccountAdapter):
    """allauth's social-account hooks, narrowed to "existing staff, matched by verified email"."""

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        process = sociallogin.state.get("process")
        email = verified_email(sociallogin)
        try:
            user = staff_account_for(sociallogin)
            if process == AuthProcess.CONNECT and request.user.is_authenticated and request.user.pk != user.pk:
                raise SSORefused("wrong_user", request.user)
        except SSORefused as refusal:
            self._refuse(request, sociallogin, refusal, email)
        if not sociallogin.is_existing and process != AuthProcess.CONNECT:
            sociallogin.connect(request, user)
            audit_record(
                actor=None,
                verb="auth.sso_connected",
                target=user,
                after={"provider": _provider_id(sociallogin), "subject": sociallogin.account.uid, "email": email},
                reason=f"The identity provider '{_provider_id(sociallogin)}' vouched for {email}: connected.",
            )

    def _refuse(self, request: HttpRequest, sociallogin: SocialLogin, refusal: SSORefused, email: str) -> NoReturn:
        ip = _client_ip(request)
        if refusal.user is not None:
            audit_record(
                actor=None,
                verb="auth.sso_refused",
                target=refusal.user,
                after={"provider": _provider_id(sociallogin), "address": ip, "why": refusal.why, "email": email},
                reason=f"Single sign-on through '{_provider_id(sociallogin)}' refused ({refusal.why}) from {ip}.",
            )
        else:
            logger.warning(
                "Single sign-on through %s refused (%s) for an address at %s from %s",
                _provider_id(sociallogin),
                refusal.why,
                email.partition("@")[2] or "no verified address",
                ip,
            )
        messages.error(request, REFUSALS[refusal.why].format(email=email or "your address"))
        raise ImmediateHttpResponse(redirect("account_login"))

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False  # never reached: pre_social_login refuses anyone without an account

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """The provider refused, the person cancelled, or the exchange failed (a stale state, an unreachable
        provider): back to the sign-in page with a message, not allauth's bare error page."""
        logger.warning("Single sign-on did not complete: %s %r", error, exception)
        if str(error) == "cancelled":
            text = "The company sign-in was cancelled."
        else:
            text = (
                "The company sign-in did not complete: the identity provider refused or could not be reached. Try "
                "again; if it keeps failing, ask your administrator."
            )
        messages.error(request, text)
        raise ImmediateHttpResponse(redirect("account_login"))


@receiver(user_logged_in, dispatch_uid="prm.sso.remember_sso_sign_in")
def remember_sso_sign_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Mark the session as signed in through the identity provider (and audit it), or clear that mark when the
    sign-in was another kind (a password, a passkey)."""
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is None or getattr(sociallogin.provider, "id", "") != PROVIDER or request is None:
        if request is not None and hasattr(request, "session"):
            request.session.pop(SESSION_KEY, None)
        return
    provider_id = _provider_id(sociallogin)
    request.session[SESSION_KEY] = {"user": user.pk, "provider": provider_id, "at": int(time.time())}
    ip = _client_ip(request)
    audit_record(
        actor=user,
        verb="auth.sso_signed_in",
        target=user,
        after={"provider": provider_id, "address": ip},
        reason=f"Signed in through the identity provider '{provider_id}' from {ip}.",
    )


def identity_provider_origins() -> list[str]:
    """The origins (scheme://host[:port]) of the configured providers' issuers, for the sign-in pages'
    Content-Security-Policy (prm.security): the SSO button's form is redirected there."""
    apps = (settings.SOCIALACCOUNT_PROVIDERS.get(PROVIDER) or {}).get("APPS") or []
    origins = []
    for app in apps:
        url = urlsplit((app.get("settings") or {}).get("server_url") or "")
        if url.scheme in ("http", "https") and url.netloc and f"{url.scheme}://{url.netloc}" not in origins:
            origins.append(f"{url.scheme}://{url.netloc}")
    return origins


def signed_in_with_sso(request: HttpRequest) -> bool:
    """This session's user signed in through the identity provider (which did their second factor)."""
    session = getattr(request, "session", None)
    mark = session.get(SESSION_KEY) if session is not None else None
    user = getattr(request, "user", None)
    return bool(mark and getattr(user, "is_authenticated", False) and mark.get("user") == user.pk)
