"""Channel managers' partner pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partners import selectors, services
from partners.forms import InvitationForm, PartnerCreateForm
from partners.models import Invitation, Partner, PartnerMembership
from prm.access import manager_required
from prm.audit import audit_timeline


@manager_required
def partner_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")
    type_, status = request.GET.get("type", ""), request.GET.get("status", "")
    page = Paginator(selectors.partner_list(search=search, type=type_, status=status), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "q": search,
        "type": type_,
        "status": status,
        "types": Partner.Type.choices,
        "statuses": Partner.Status.choices,
        "any_partner": Partner.objects.exists(),
    }
    template = "partners/manage/partner_list.html"
    if request.htmx and request.htmx.target == "partner-results":
        template += "#results"
    return render(request, template, context)


@manager_required
def partner_create(request: HttpRequest) -> HttpResponse:
    form = PartnerCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partner = services.partner_create(
                actor=request.user, name=data["name"], type=data["type"], parent=data["parent"]
            )
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            if data["admin_email"]:
                try:
                    services.invitation_create(
                        actor=request.user,
                        partner=partner,
                        email=data["admin_email"],
                        role=PartnerMembership.Role.ADMIN,
                    )
                except ValidationError as exc:
                    messages.warning(
                        request,
                        f"{partner.name} was created, but the invitation was not sent: {exc.messages[0]}",
                    )
                    return redirect("manage:partner_detail", pk=partner.pk)
                messages.success(request, f"{partner.name} was created and {data['admin_email']} was invited as admin.")
            else:
                messages.success(request, f"{partner.name} was created. Invite their first admin below.")
            return redirect("manage:partner_detail", pk=partner.pk)
    return render(request, "partners/manage/partner_form.html", {"form": form})


@manager_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner.objects.select_related("parent"), pk=pk)
    return _render_detail(request, partner, InvitationForm(initial={"role": PartnerMembership.Role.ADMIN}))


def _render_detail(
    request: HttpRequest, partner: Partner, invite_form: InvitationForm, status: int = 200
) -> HttpResponse:
    context = {
        "partner": partner,
        "members": selectors.partner_members(partner=partner),
        "invitations": selectors.partner_open_invitations(partner=partner),
        "children": partner.children.order_by("name"),
        "timeline": audit_timeline(partner=partner, limit=30),
        "invite_form": invite_form,
    }
    return render(request, "partners/manage/partner_detail.html", context, status=status)


@manager_required
@require_POST
def partner_invite(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                actor=request.user,
                partner=partner,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("manage:partner_detail", pk=partner.pk)
    return _render_detail(request, partner, form, status=400)


@manager_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("partner"), pk=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"The invitation to {invitation.email} was cancelled.")
    return redirect("manage:partner_detail", pk=invitation.partner_id)


# TODO(directory/profile): being written.
@manager_required
def partner_export(request: HttpRequest) -> HttpResponse:
    raise Http404


@manager_required
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


@manager_required
def partner_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
