"""Onboarding pages: the partner agreement in the portal, and a channel manager ticking a manual step."""

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from partners import services
from partners.forms.onboarding import AgreementAcceptForm
from partners.models import AgreementAcceptance, AgreementVersion, Partner, PartnerMembership, PartnerStep
from prm.access import manager_required, partner_required


def _client_ip(request: HttpRequest) -> str | None:
    """The signer's address, read the way sign-in rate limits read it (honours the trusted proxy settings)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return None


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/portal/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _current_version() -> AgreementVersion | None:
    return AgreementVersion.objects.filter(is_current=True).first()


@partner_required
def agreement(request: HttpRequest) -> HttpResponse:
    """Every member may read the agreement; only the company's admins sign it."""
    partner = request.partner
    version = _current_version()
    acceptance = (
        AgreementAcceptance.objects.filter(partner=partner, version=version).select_related("user").first()
        if version
        else None
    )
    if request.method == "POST":
        return _agreement_sign(request, version, acceptance)
    form = None
    if version is not None and acceptance is None and request.membership.is_admin:
        form = AgreementAcceptForm(
            initial={"signer_name": request.user.get_full_name(), "version": version.pk}, partner_name=partner.name
        )
    return _render_agreement(request, version, acceptance, form)


def _agreement_sign(
    request: HttpRequest, version: AgreementVersion | None, acceptance: AgreementAcceptance | None
) -> HttpResponse:
    partner = request.partner
    if version is None or acceptance is not None:  # nothing to sign, or a double click
        if acceptance is not None:
            messages.info(request, f"{partner.name} has already accepted version {version.version}.")
        return redirect("portal:agreement")
    if not request.membership.is_admin:
        raise PermissionDenied(f"Only {partner.name}'s admins can accept the agreement. Ask one of them.")
    form = AgreementAcceptForm(request.POST, partner_name=partner.name)
    if form.is_valid():
        read = form.cleaned_data.get("version")
        try:
            services.agreement_accept(
                actor=request.user,
                partner=partner,
                signer_name=form.cleaned_data["signer_name"],
                signer_title=form.cleaned_data["signer_title"],
                ip=_client_ip(request),
                # Only the pk matters: the service refuses if it is not the current version any more.
                version=AgreementVersion(pk=read) if read else None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"Thank you: {partner.name} accepted the partner agreement (version {version.version})."
            )
            return redirect(_next_url(request) or "portal:home")
    # Show whichever version is current now, and sign that one next time.
    version = _current_version()
    form.data = form.data.copy()
    form.data["version"] = version.pk if version else ""
    return _render_agreement(request, version, None, form, status=400)


def _render_agreement(
    request: HttpRequest,
    version: AgreementVersion | None,
    acceptance: AgreementAcceptance | None,
    form: AgreementAcceptForm | None,
    status: int = 200,
) -> HttpResponse:
    partner = request.partner
    is_admin = request.membership.is_admin
    admins = (
        []
        if is_admin
        else partner.memberships.filter(role=PartnerMembership.Role.ADMIN, is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    context = {
        "partner": partner,
        "version": version,
        "acceptance": acceptance,
        "history": AgreementAcceptance.objects.filter(partner=partner)
        .select_related("version")
        .order_by("-accepted_at")[:10],
        "form": form,
        "is_admin": is_admin,
        "admins": admins,
        "next": _next_url(request),
    }
    return render(request, "partners/onboarding/agreement.html", context, status=status)


@manager_required
@require_POST
def step_complete(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    partner_step = get_object_or_404(PartnerStep.objects.select_related("step"), pk=step_pk, partner=partner)
    try:
        services.onboarding_step_complete(actor=request.user, partner_step=partner_step)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        partner.refresh_from_db(fields=["status"])
        if partner.status == Partner.Status.ACTIVE:
            messages.success(request, f"“{partner_step.step.title}” is done, and {partner.name} is now active.")
        else:
            messages.success(request, f"“{partner_step.step.title}” is marked done. {partner.name}'s admins were told.")
    return redirect("manage:partner_detail", pk=partner.pk)
