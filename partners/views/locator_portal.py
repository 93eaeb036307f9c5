"""The partner's public profile in the portal: its admins choose what the public partner locator shows, with a
preview of the card; everyone in the company can see it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partners import locator
from partners.forms.locator import PublicProfileForm
from partners.models import Partner
from partners.services import locator as services
from partners.views.locator import logo_response
from prm.access import partner_required
from prm.forms import attach_errors


def _preview(partner: Partner, profile) -> locator.Card:
    logo_url = (
        f"{reverse('portal:public_profile_logo')}?v={int(profile.updated_at.timestamp())}" if profile.logo else ""
    )
    return locator.preview_card(partner, profile, logo_url=logo_url)


def _render(request: HttpRequest, profile, form: PublicProfileForm | None, status: int = 200) -> HttpResponse:
    partner = request.partner
    is_active = partner.status == Partner.Status.ACTIVE
    visible = bool(profile.pk and profile.listed and is_active and profile.slug)
    context = {
        "partner": partner,
        "profile": profile,
        "form": form,
        "is_admin": request.membership.is_admin,
        "card": _preview(partner, profile),
        "visible": visible,
        "is_active": is_active,
        "public_url": reverse("locator_profile", args=[profile.slug]) if visible else "",
        "website": profile.public_website or partner.website,
        "services": profile.services or [],
        "nav": "company",
    }
    return render(request, "partners/locator/portal_profile.html", context, status=status)


@partner_required
def public_profile(request: HttpRequest) -> HttpResponse:
    partner = request.partner
    profile = services.public_profile_for(partner)
    is_admin = request.membership.is_admin
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied("Only your company's admins can change its public profile. Ask one of them.")
        form = PublicProfileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                profile = services.public_profile_update(
                    actor=request.user,
                    partner=partner,
                    data=form.profile_data(),
                    logo=form.cleaned_data.get("logo"),
                    remove_logo=form.cleaned_data.get("remove_logo", False),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _saved_message(partner, profile))
                return redirect("portal:public_profile")
        return _render(request, services.public_profile_for(partner), form, status=400)
    form = PublicProfileForm(initial=PublicProfileForm.initial_for(profile)) if is_admin else None
    return _render(request, profile, form)


def _saved_message(partner: Partner, profile) -> str:
    if not profile.listed:
        return "Your public profile was saved. It is not shown in the partner locator."
    if partner.status != Partner.Status.ACTIVE:
        return "Your public profile was saved. It appears in the partner locator once your partnership is active."
    return "Your public profile was saved and is shown in the partner locator."


@partner_required
def public_profile_logo(request: HttpRequest) -> HttpResponse:
    """The company's own logo, for the preview (listed or not)."""
    return logo_response(services.public_profile_for(request.partner), public=False)
