"""The agreement gate: with Program.require_agreement_first on, a partner's people use the portal only once their
company has accepted the current partner agreement. Everything outside /portal/ (sign-in, inbox, static files,
health check, admin) is never gated, and neither is the agreement page itself."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from partners.models import AgreementAcceptance, AgreementVersion, Program
from prm.access import user_membership

GATED_PREFIX = "/portal/"
GATED_STATUSES = frozenset({"onboarding", "active", "dormant"})


def agreement_gate_version(request: HttpRequest) -> AgreementVersion | None:
    """The current AgreementVersion if the viewer's partner must still accept it before using the portal, else
    None. Costs the membership lookup (cached on the user, shared with the view's guard) plus one query, once
    per request."""
    if hasattr(request, "_prm_agreement_gate"):
        return request._prm_agreement_gate
    gate = None
    user = getattr(request, "user", None)
    membership = user_membership(user) if user is not None else None
    # Applicants, declined and offboarded companies have nothing to sign: their home page explains their state.
    if membership is not None and membership.partner.status in GATED_STATUSES:
        gate = (
            AgreementVersion.objects.filter(is_current=True)
            .annotate(
                required=Subquery(Program.objects.filter(pk=1).values("require_agreement_first")[:1]),
                accepted=Exists(
                    AgreementAcceptance.objects.filter(partner_id=membership.partner_id, version=OuterRef("pk"))
                ),
            )
            .only("pk", "version", "title")
            .first()
        )
        # No program row yet means the defaults, and the default is to require the agreement.
        if gate is not None and (gate.accepted or gate.required is False):
            gate = None
    request._prm_agreement_gate = gate  # type: ignore[attr-defined]
    return gate


class AgreementGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.agreement_path = reverse("portal:agreement")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(GATED_PREFIX) and not path.startswith(self.agreement_path):
            version = agreement_gate_version(request)
            if version is not None:
                return self._to_agreement(request, version)
        return self.get_response(request)

    def _to_agreement(self, request: HttpRequest, version: AgreementVersion) -> HttpResponse:
        membership = user_membership(request.user)
        partner = membership.partner
        if membership.is_admin:
            text = (
                f"Before you use the portal, please read and accept the partner agreement "
                f"(version {version.version}) on behalf of {partner.name}."
            )
        else:
            text = (
                f"{partner.name} has not accepted the partner agreement (version {version.version}) yet. "
                "One of your company's admins needs to accept it before you can use the portal."
            )
        url = self.agreement_path
        if request.method == "GET" and request.path != reverse("portal:home"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        messages.warning(request, text, fail_silently=True)
        if getattr(request, "htmx", False):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)
