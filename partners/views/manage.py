"""Channel managers' partner pages: the directory (filters, sorting, CSV export), a partner's page, its edit form
and notes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from partners import selectors, services
from partners.forms import InvitationForm, PartnerCreateForm
from partners.forms.profile import NoteForm, OwnerForm, PartnerManageForm
from partners.hooks import partner_summaries
from partners.models import Invitation, Partner, PartnerMembership
from prm.access import manager_required
from prm.audit import audit_timeline
from prm.csv_export import csv_response, csv_time, exports_csv

PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200
PER_PAGE_CHOICES = (25, 50, 100, 200)

# The directory's columns: (sort key or None, heading, extra CSS class).
COLUMNS = (
    ("name", "Name", ""),
    ("type", "Type", ""),
    ("status", "Status", ""),
    ("tier", "Tier", ""),
    (None, "Owner", ""),
    (None, "Distributor", ""),
    (None, "People", "num"),
    ("created", "Added", ""),
    ("last_activity", "Last activity", ""),
)


@exports_csv("manage:partner_export")
@manager_required
def partner_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.DirectoryFilters.from_query(request.GET)
    per_page = _per_page(request)
    page = Paginator(selectors.partner_directory(filters), per_page).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "per_page": per_page,
        "per_page_choices": PER_PAGE_CHOICES,
        "columns": _sort_columns(filters.sort),
        # Counting again would cost a query: with no filter, an empty page means an empty directory.
        "any_partner": filters.is_filtered or page.paginator.count > 0,
        "types": Partner.Type.choices,
        "statuses": Partner.Status.choices,
        "regions": Partner.Region.choices,
        "routes": Partner.RouteToMarket.choices,
        "tiers": selectors.tier_list(),  # lazy: only the full page's filter form reads them
        "owners": selectors.channel_managers(),
        "unassigned": selectors.UNASSIGNED,
    }
    template = "partners/manage/partner_list.html"
    if request.htmx and request.htmx.target == "partner-results" and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)


def _per_page(request: HttpRequest) -> int:
    try:
        value = int(request.GET.get("per_page", PER_PAGE_DEFAULT))
    except (TypeError, ValueError):
        return PER_PAGE_DEFAULT
    return min(max(value, 1), PER_PAGE_MAX)


def _sort_columns(current: str) -> list[dict]:
    """Each column's heading with the ?sort= a click applies: the column ascending, or reversed if it is the one
    sorted ascending already."""
    columns = []
    for key, label, css in COLUMNS:
        column = {"key": key, "label": label, "css": css, "aria_sort": "", "next": ""}
        if key:
            if current == key:
                column["aria_sort"], column["next"] = "ascending", f"-{key}"
            elif current == f"-{key}":
                column["aria_sort"], column["next"] = "descending", key
            else:
                column["next"] = key
        columns.append(column)
    return columns


# The CSV export: a header row, then one row per partner matching the directory's current filters.
EXPORT_HEADER = (
    "name",
    "type",
    "status",
    "tier",
    "owner email",
    "website",
    "regions",
    "countries",
    "route to market",
    "members",
    "created",
    "activated",
    "last activity",
)


def _export_row(partner: Partner) -> list[object]:
    return [
        partner.name,
        partner.get_type_display(),
        partner.get_status_display(),
        partner.tier.name if partner.tier else "",
        partner.owner.email if partner.owner else "",
        partner.website,
        "; ".join(partner.labels("regions")),
        "; ".join(sorted(c.name for c in partner.countries)),
        partner.get_route_to_market_display(),
        partner.member_count,
        csv_time(partner.created_at),
        csv_time(partner.activated_at),
        csv_time(partner.last_activity_at),
    ]


@manager_required
def partner_export(request: HttpRequest) -> StreamingHttpResponse:
    """Every partner matching the directory's current filters (not just the page shown), streamed."""
    filters = selectors.DirectoryFilters.from_query(request.GET)
    partners = selectors.partner_directory(filters).iterator(chunk_size=1000)
    return csv_response(name="partners", header=EXPORT_HEADER, rows=(_export_row(partner) for partner in partners))


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
    return _render_detail(request, selectors.partner_get(pk=pk))


def _render_detail(
    request: HttpRequest,
    partner: Partner,
    *,
    invite_form: InvitationForm | None = None,
    note_form: NoteForm | None = None,
    owner_form: OwnerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "partner": partner,
        "profile": _profile_rows(partner),
        "missing_profile": partner.missing_profile_fields(),
        "members": selectors.partner_members(partner=partner),
        "invitations": selectors.partner_open_invitations(partner=partner),
        "children": partner.children.order_by("name"),
        "timeline": audit_timeline(partner=partner, limit=30),
        "summaries": partner_summaries(partner),
        "notes": selectors.partner_notes(partner=partner),
        "invite_form": invite_form or InvitationForm(initial={"role": PartnerMembership.Role.ADMIN}),
        "note_form": note_form or NoteForm(),
        "owner_form": owner_form or OwnerForm(initial={"owner": partner.owner_id}),
    }
    return render(request, "partners/manage/partner_detail.html", context, status=status)


def _profile_rows(partner: Partner) -> list[tuple[str, object]]:
    """The partner's classification in words, in the order of the playbook's lenses."""
    seller_count = partner.seller_count
    return [
        ("Type", partner.get_type_display()),
        ("What they do", ", ".join(partner.labels("functions"))),
        ("Influence", partner.get_influence_display()),
        ("Commercial model", partner.get_commercial_model_display()),
        ("Route to market", partner.get_route_to_market_display()),
        ("Regions", ", ".join(partner.labels("regions"))),
        ("Countries", ", ".join(sorted(c.name for c in partner.countries))),
        ("Industries", ", ".join(partner.verticals or [])),
        ("Customer segments", ", ".join(partner.labels("segments"))),
        ("Number of sellers", "" if seller_count is None else f"{seller_count:,}"),
        ("Came from", partner.get_source_display()),
    ]


@manager_required
@require_POST
def partner_invite(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get(pk=pk)
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
    return _render_detail(request, partner, invite_form=form, status=400)


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


@manager_required
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get(pk=pk)
    if request.method == "POST" and request.POST.get("quick") == "owner":
        return _quick_owner(request, partner)
    form = PartnerManageForm(request.POST or None, partner=partner, initial=PartnerManageForm.initial_for(partner))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.partner_update_profile(actor=request.user, partner=partner, data=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"{partner.name} was saved.")
                return redirect("manage:partner_detail", pk=partner.pk)
        return render(request, "partners/manage/partner_edit.html", {"partner": partner, "form": form}, status=400)
    return render(request, "partners/manage/partner_edit.html", {"partner": partner, "form": form})


def _quick_owner(request: HttpRequest, partner: Partner) -> HttpResponse:
    """The owner select on the partner page posts here (the full form is not needed to change one field)."""
    form = OwnerForm(request.POST)
    if form.is_valid():
        owner = form.cleaned_data["owner"]
        try:
            services.partner_set_owner(actor=request.user, partner=partner, owner=owner)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            who = "nobody" if owner is None else ("you" if owner == request.user else owner.display_name)
            messages.success(request, f"{partner.name} is now owned by {who}.")
            return redirect("manage:partner_detail", pk=partner.pk)
    return _render_detail(request, partner, owner_form=form, status=400)


@manager_required
@require_POST
def partner_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get(pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.partner_note_add(actor=request.user, partner=partner, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your note was added.")
            return redirect(reverse("manage:partner_detail", args=[partner.pk]) + "#notes")
    return _render_detail(request, partner, note_form=form, status=400)
