"""The partner's company profile in the portal: everyone in the company sees it, its admins edit it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partners import selectors, services
from partners.forms.profile import PartnerProfileForm
from prm.access import partner_required


@partner_required
def company(request: HttpRequest) -> HttpResponse:
    partner = request.partner
    is_admin = request.membership.is_admin
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied("Only your company's admin users can edit the company profile. Ask one of them.")
        form = PartnerProfileForm(request.POST)
        if form.is_valid():
            try:
                services.partner_update_profile(actor=request.user, partner=partner, data=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your company profile was saved.")
                return redirect("portal:company")
        return _render(request, form, status=400)
    form = PartnerProfileForm(initial=PartnerProfileForm.initial_for(partner)) if is_admin else None
    return _render(request, form)


def _render(request: HttpRequest, form: PartnerProfileForm | None, status: int = 200) -> HttpResponse:
    partner = request.partner
    context = {
        "partner": partner,
        "form": form,
        "is_admin": request.membership.is_admin,
        "admins": selectors.partner_admins(partner=partner),
        "missing": partner.missing_profile_fields(),
        "owner": partner.owner,
        "distributor": partner.parent,
        "functions": partner.labels("functions"),
        "regions": partner.labels("regions"),
        "segments": partner.labels("segments"),
        "countries": sorted(c.name for c in partner.countries),
    }
    return render(request, "partners/portal/company.html", context, status=status)
