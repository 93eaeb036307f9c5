"""Partner portal pages: the team (the home is insights.views.home). Every read is scoped to request.partner."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from partners import selectors, services
from partners.forms import InvitationForm, RoleForm
from partners.models import PartnerMembership
from prm.access import partner_required

ADMIN = [PartnerMembership.Role.ADMIN]


@partner_required
def team(request: HttpRequest) -> HttpResponse:
    return _render_team(request, InvitationForm())


def _render_team(request: HttpRequest, invite_form: InvitationForm, status: int = 200) -> HttpResponse:
    partner = request.partner
    context = {
        "partner": partner,
        "members": selectors.partner_members(partner=partner),
        "invitations": selectors.partner_open_invitations(partner=partner) if request.membership.is_admin else [],
        "invite_form": invite_form,
        "roles": PartnerMembership.Role.choices,
        "is_admin": request.membership.is_admin,
    }
    return render(request, "partners/portal/team.html", context, status=status)


@partner_required(roles=ADMIN)
@require_POST
def team_invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                actor=request.user,
                partner=request.partner,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}. The link is valid for 7 days.")
            return redirect("portal:team")
    return _render_team(request, form, status=400)


@partner_required(roles=ADMIN)
@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.access_membership(viewer=request.membership, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return redirect("portal:team")
    try:
        membership = services.membership_change_role(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"{membership.user.display_name} is now {membership.get_role_display().lower()}.")
    return redirect("portal:team")


@partner_required(roles=ADMIN)
@require_POST
def team_mfa(request: HttpRequest) -> HttpResponse:
    """Require (or stop requiring) two-factor authentication for everyone in the company."""
    required = request.POST.get("require_mfa") == "on"
    try:
        services.partner_require_mfa(actor=request.user, partner=request.partner, required=required)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            "Everyone at your company must now use two-factor authentication; each was told."
            if required
            else "Two-factor authentication is now optional at your company; each person was told.",
        )
    return redirect("portal:team")


@partner_required(roles=ADMIN)
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.access_membership(viewer=request.membership, pk=pk)
    try:
        services.membership_remove(actor=request.user, membership=membership, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"{membership.user.display_name} was removed from {request.partner.name}.")
    return redirect("portal:team")


@partner_required(roles=ADMIN)
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.access_invitation(viewer=request.membership, pk=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"The invitation to {invitation.email} was cancelled.")
    return redirect("portal:team")
