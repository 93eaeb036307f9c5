"""Partner portal deal registration pages: my company's registrations, registering one (with a live check while
typing), its page with the timeline, editing, submitting. Everything is read through `request.partner`; another
partner's registration is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dealreg import selectors, services
from dealreg.forms import (
    UPDATE_FIELDS,
    PortalFilterForm,
    RegistrationForm,
    RegistrationUpdateForm,
    initial_from,
    registration_initial,
)
from dealreg.hooks import deal_estimates
from dealreg.models import Product, Registration
from dealreg.policy import policy_get, protection_days
from dealreg.services.registrations.drafts import EDITABLE, UPDATABLE
from dealreg.services.registrations.requirements import registration_missing_to_submit
from dealreg.wording import involvement_short, list_note, status_explanation, verb_words
from partners.models import PartnerMembership
from prm.access import partner_required
from prm.models import AuditEvent
from prm.timeline import Line, partner_lines

# Who sees what every deal of the company earns (others: what their own deals earn).
SEES_EARNINGS = (PartnerMembership.Role.ADMIN, PartnerMembership.Role.FINANCE)

PER_PAGE = 50
TIMELINE_LIMIT = 100
Status = Registration.Status


# --- Timeline (the words are in dealreg/wording.py) -------------------------------------------------------------


def _timeline(registration: Registration, partner) -> list[Line]:
    """The registration's audit events as the partner may see them, as sentences: what happened, when, by whom (a
    colleague by name, anyone else as "our channel team", a sweep "automatically"), the reason told to the partner.
    Never before/after data, which may concern another partner's registration."""
    events = list(
        AuditEvent.objects.filter(target_type="dealreg.registration", target_id=str(registration.pk))
        .only("created_at", "actor_id", "verb", "reason")
        .order_by("created_at", "id")[:TIMELINE_LIMIT]
    )
    actor_ids = {e.actor_id for e in events if e.actor_id}
    colleague_names = {
        membership.user_id: membership.user.display_name
        for membership in PartnerMembership.objects.filter(partner=partner, user_id__in=actor_ids).select_related(
            "user"
        )
    }
    # The verb words hold no placeholders: braces in them are escaped so the sentence helper keeps them as they are.
    return partner_lines(
        events,
        names=colleague_names,
        words=lambda event: (verb_words(event.verb).replace("{", "{{").replace("}", "}}"), event.reason),
    )


# --- Pages -----------------------------------------------------------------------------------------------------


@partner_required
def registration_list(request: HttpRequest) -> HttpResponse:
    filter_form = PortalFilterForm(request.GET)
    filters = filter_form.filters()
    registrations = selectors.registration_list_for_partner(partner=request.partner, filters=filters)
    page = Paginator(registrations, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    now = timezone.now()
    for registration in rows:
        registration.note = list_note(registration, now)
        registration.involvement_short = involvement_short(registration)
    context = {
        "page": page,
        "rows": rows,
        "filter_form": filter_form,
        "is_filtered": bool(filters),
        "partner": request.partner,
        "protection_days": protection_days(policy_get(), request.partner),
        "nav": "deals",
    }
    template = "dealreg/portal/list.html"
    if request.htmx and request.htmx.target == "deal-results" and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)


def _render_form(
    request: HttpRequest, form: RegistrationForm, registration: Registration | None = None, status: int = 200
) -> HttpResponse:
    hints = []
    if form.is_bound:
        hints = _check_hints(request, form.data)
    context = {"form": form, "registration": registration, "hints": hints, "partner": request.partner, "nav": "deals"}
    return render(request, "dealreg/portal/form.html", context, status=status)


def _save_from_form(request: HttpRequest, registration: Registration | None) -> HttpResponse:
    """Save the posted form as a draft and, when the partner pressed "Submit for approval", submit it."""
    submitting = request.POST.get("action") == "submit"
    form = RegistrationForm(request.POST, for_submit=submitting, registration=registration)
    if not form.is_valid():
        return _render_form(request, form, registration, status=400)
    try:
        registration = services.registration_save_draft(
            actor=request.user, partner=request.partner, data=form.data_for_service(), registration=registration
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_form(request, form, registration, status=400)
    if not submitting:
        messages.success(request, "Draft saved. Nobody else sees it until you submit it.")
        return redirect("portal:deal_detail", pk=registration.pk)
    return _submit(request, registration)


def _submit(request: HttpRequest, registration: Registration) -> HttpResponse:
    try:
        registration = services.registration_submit(actor=request.user, registration=registration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal:deal_detail", pk=registration.pk)
    _, next_step = status_explanation(registration)
    if registration.status == Status.APPROVED:
        messages.success(request, f"Submitted and approved. {next_step}")
    elif registration.has_conflict:
        messages.warning(request, f"Submitted. {next_step}")
    else:
        messages.success(request, f"Submitted for approval. {next_step}")
    return redirect("portal:deal_detail", pk=registration.pk)


@partner_required
def registration_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_form(request, RegistrationForm())
    return _save_from_form(request, None)


def _check_hints(request: HttpRequest, params) -> list[str]:
    name = " ".join((params.get("name") or "").split())[:200]
    website = (params.get("website") or "").strip()[:300]
    if len(name) < 2 and not website:
        return []
    return services.registration_check_preview(
        partner=request.partner,
        name=name,
        website=website,
        country=(params.get("country") or "").strip()[:2],
    )


@partner_required
def registration_check(request: HttpRequest) -> HttpResponse:
    """The hints shown while the partner types the customer: a fragment for htmx, and a plain page otherwise."""
    hints = _check_hints(request, request.GET)
    template = "dealreg/portal/_check.html" if request.htmx else "dealreg/portal/check.html"
    return render(request, template, {"hints": hints, "checked": bool(request.GET.get("name")), "nav": "deals"})


def _estimate_data(params) -> dict | None:
    """The deal being typed (value, currency, involvement, products, country) for the earnings estimate, checked by
    the deal form's own fields, or None until the value is a positive amount the form would accept and the currency
    and involvement are ones it offers (an estimate of something the form refuses would mislead)."""
    from django_countries import countries

    fields = RegistrationForm.base_fields
    try:
        amount = fields["value"].clean((params.get("value") or "").strip()[:40])
        currency = fields["currency"].clean((params.get("currency") or "").strip().upper()[:3])
        involvement = fields["involvement"].clean((params.get("involvement") or "")[:20])
    except ValidationError:
        return None
    if amount is None or amount <= 0:
        return None
    ids = [int(i) for i in params.getlist("catalogue_products") if i.isdigit() and len(i) < 10]
    names = list(Product.objects.filter(pk__in=ids).values_list("name", flat=True)) if ids else []
    products = ", ".join([*names, (params.get("products") or "")[:500], (params.get("other_products") or "")[:500]])
    country = (params.get("country") or "").strip().upper()[:2]
    return {
        "amount": amount,
        "currency": currency,
        "involvement": involvement,
        "products": products.strip(", "),
        "country": country if countries.name(country) else "",
    }


@partner_required
def registration_estimate(request: HttpRequest) -> HttpResponse:
    """What the deal being typed would earn: the deal form's live panel (an htmx fragment). Opened as a page, it
    sends the partner to the deal form, where the panel lives."""
    if not request.htmx:
        return redirect("portal:deal_create")
    data = _estimate_data(request.GET)
    panels = deal_estimates(partner=request.partner, data=data) if data else []
    return render(request, "dealreg/portal/_estimates.html", {"panels": panels})


def _sees_earnings(request: HttpRequest, registration: Registration) -> bool:
    """Partner admins and finance people see what every deal earns; others what their own deals earn."""
    membership = request.membership  # type: ignore[attr-defined]
    return membership.role in SEES_EARNINGS or registration.created_by_id == request.user.pk


@partner_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.access_registration(partner=request.partner, pk=pk)
    update_form = None
    if registration.status in UPDATABLE:
        update_form = RegistrationUpdateForm(initial=initial_from(registration, UPDATE_FIELDS))
    return _render_detail(request, registration, update_form)


def _render_detail(
    request: HttpRequest, registration: Registration, update_form: RegistrationUpdateForm | None, status: int = 200
) -> HttpResponse:
    headline, next_step = status_explanation(registration)
    if registration.status == Status.APPROVED and registration.protected_until:
        # The protection section below shows the date and days left; say it once.
        next_step = "The deal is yours. Keep its stage and value up to date."
    context = {
        "registration": registration,
        "headline": headline,
        "next_step": next_step,
        "timeline": _timeline(registration, request.partner),
        "update_form": update_form,
        "can_edit": registration.status in EDITABLE,
        "partner": request.partner,
        "nav": "deals",
        "earnings": deal_estimates(registration=registration) if _sees_earnings(request, registration) else [],
    }
    return render(request, "dealreg/portal/detail.html", context, status=status)


@partner_required
def registration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.access_registration(partner=request.partner, pk=pk)
    if registration.status in UPDATABLE:
        return _update(request, registration)
    if registration.status not in EDITABLE:
        messages.info(request, f"A {registration.get_status_display().lower()} registration cannot be changed.")
        return redirect("portal:deal_detail", pk=pk)
    if request.method != "POST":
        form = RegistrationForm(initial=registration_initial(registration), registration=registration)
        return _render_form(request, form, registration)
    return _save_from_form(request, registration)


def _update(request: HttpRequest, registration: Registration) -> HttpResponse:
    if request.method != "POST":
        form = RegistrationUpdateForm(initial=initial_from(registration, UPDATE_FIELDS))
        return _render_detail(request, registration, form)
    form = RegistrationUpdateForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, registration, form, status=400)
    try:
        services.registration_update(actor=request.user, registration=registration, data=form.data_for_service())
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_detail(request, registration, form, status=400)
    messages.success(request, "Updated. The previous values are kept in the timeline.")
    return redirect("portal:deal_detail", pk=registration.pk)


@partner_required
@require_POST
def registration_submit(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.access_registration(partner=request.partner, pk=pk)
    if registration.status not in EDITABLE:
        messages.info(request, "This registration was submitted already.")
        return redirect("portal:deal_detail", pk=pk)
    if missing := registration_missing_to_submit(registration):
        # The same checks as the deal form's Submit: the partner completes the draft, nothing is lost.
        what = ", ".join(requirement.what for requirement in missing)
        messages.error(request, f"Before you submit, add {what}. Your draft is saved as it was.")
        return redirect("portal:deal_edit", pk=pk)
    return _submit(request, registration)
