"""Channel managers' lead pages: the list (filters, CSV), a lead (its flags, the ranked candidates with their reasons,
the offers and their answers, the history), the offer actions, the form, the distribution settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leads import selectors, services
from leads.forms import FilterForm, LeadForm, OfferForm, ReasonForm, SettingsForm, lead_initial
from leads.metrics import lead_numbers
from leads.models import DistributionSettings, Lead, LeadOffer
from leads.ranking import rank_partners
from leads.wording import assignment_rules
from partners.models import Partner
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.models import AuditEvent
from prm.sla import sla_clock

PER_PAGE = 50
HISTORY_WORDS = {
    "lead.created": "Lead created",
    "lead.updated": "Lead edited",
    "lead.match_confirmed": "Flag confirmed: offered anyway",
    "lead.offered": "Offered",
    "lead.offer_withdrawn": "Offer withdrawn",
    "lead.accepted": "Accepted",
    "lead.declined": "Declined",
    "lead.expired": "Offer expired",
    "lead.unassigned": "Back with the channel team",
    "lead.converted": "Converted: registration approved",
    "lead.won": "Won",
    "lead.lost": "Lost",
    "lead.closed": "Closed",
}


def _errors(exc: ValidationError) -> list[str]:
    return [m for messages_ in getattr(exc, "message_dict", {"": exc.messages}).values() for m in messages_]


@manager_required
@exports_csv("manage:lead_export")
def lead_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.lead_list(filters=filters), PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    numbers = lead_numbers(start=now - timezone.timedelta(days=90), end=now)
    partner = Partner.objects.filter(pk=filters["partner"]).first() if filters.get("partner") else None
    return render(
        request,
        "leads/manage/list.html",
        {
            "nav": "leads",
            "page": page,
            "rows": list(page.object_list),
            "filters": filters,
            "filter_form": form,
            "is_filtered": bool(filters),
            "statuses": FilterForm.STATUSES[1:],
            "sources": Lead.Source.choices,
            "numbers": numbers,
            "filter_partner": partner,
        },
    )


@manager_required
def lead_export(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    leads = selectors.lead_list(filters=form.filters()).prefetch_related("products")
    header = [
        "id", "company", "website", "country", "industry", "size", "products", "interest", "contact name",
        "contact email", "contact phone", "source", "status", "flag", "partner", "registration", "created", "accepted",
    ]  # fmt: skip

    def rows():
        for lead in leads.iterator(chunk_size=500):
            yield [
                lead.pk,
                lead.name,
                lead.website,
                str(lead.country or ""),
                lead.industry,
                lead.get_size_display() if lead.size else "",
                ", ".join(p.name for p in lead.products.all()),
                lead.interest,
                lead.contact_name,
                lead.contact_email,
                lead.contact_phone,
                lead.get_source_display(),
                lead.get_status_display(),
                lead.get_match_kind_display() if lead.match_kind else "",
                lead.partner.name if lead.partner else "",
                lead.registration_id or "",
                csv_time(lead.created_at),
                csv_time(lead.accepted_at),
            ]

    return csv_response(name="leads", header=header, rows=rows())


def _save_lead(request: HttpRequest, form: LeadForm, lead: Lead | None):
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("products", "source")}
    products = [p.pk for p in form.cleaned_data["products"]]
    if lead is None:
        return services.create_lead(
            actor=request.user,
            company_name=data["name"],
            website=data["website"],
            country=data["country"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
            industry=data["industry"],
            size=data["size"],
            interest=data["interest"],
            notes=data["notes"],
            source=form.cleaned_data["source"],
            products=products,
        )
    return services.lead_update(actor=request.user, lead=lead, data=data, products=products)


@manager_required
def lead_create(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = _save_lead(request, form, None)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _created_message(lead))
            return redirect("manage:lead_detail", lead.pk)
    return render(request, "leads/manage/form.html", {"nav": "leads", "form": form, "lead": None})


def _created_message(lead: Lead) -> str:
    if lead.needs_match_confirmation:
        return "Lead saved. The account matcher flagged the company: read why before you offer it."
    if lead.status == Lead.Status.OFFERED:
        return "Lead saved and offered as the distribution settings say."
    return "Lead saved. Offer it to a partner from the ranked list."


def _attach(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@manager_required
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(pk=pk)
    form = LeadForm(request.POST or None, initial=lead_initial(lead), editing=True, lead=lead)
    if request.method == "POST" and form.is_valid():
        try:
            _save_lead(request, form, lead)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, "Lead saved.")
            return redirect("manage:lead_detail", lead.pk)
    return render(request, "leads/manage/form.html", {"nav": "leads", "form": form, "lead": lead})


@manager_required
def lead_detail(request: HttpRequest, pk: int, offer_form: OfferForm | None = None, status: int = 200) -> HttpResponse:
    lead = selectors.lead_get(pk=pk)
    offers = list(lead.offers.select_related("partner", "responder", "offered_by").order_by("-offered_at", "-pk"))
    now = timezone.now()
    for offer in offers:
        if offer.is_open:
            offer.clock, offer.overdue = sla_clock(offer.deadline, now)
    candidates = rank_partners(lead, limit=15) if lead.status in Lead.OPEN else []
    history = AuditEvent.objects.filter(target_type="leads.lead", target_id=str(lead.pk)).order_by("created_at", "pk")
    history = list(history.select_related("actor")[:200])
    for event in history:
        event.words = HISTORY_WORDS.get(event.verb, event.verb)
    settings = services.distribution_settings()
    return render(
        request,
        "leads/manage/detail.html",
        {
            "nav": "leads",
            "lead": lead,
            "offers": offers,
            "candidates": candidates,
            "history": history,
            "other_partners": list(
                Partner.objects.filter(status=Partner.Status.ACTIVE).order_by("name").values_list("pk", "name")[:500]
            ),
            "offer_form": offer_form or OfferForm(initial={"count": settings.top_n}),
            "close_form": ReasonForm(),
            "settings": settings,
            "can_offer": lead.status in Lead.OPEN,
            "products": list(lead.products.all()),
            "match_lines": lead.match_reason.splitlines(),
        },
        status=status,
    )


@manager_required
@require_POST
def lead_offer(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(pk=pk)
    form = OfferForm(request.POST)
    if not form.is_valid():
        return lead_detail(request, pk, offer_form=form, status=400)
    action, reason = form.cleaned_data["action"], form.cleaned_data["confirm_reason"]
    try:
        if action == "pick":
            offers = services.lead_offer(
                actor=request.user, lead=lead, partner_ids=[form.cleaned_data["partner"]], confirm_reason=reason
            )
        elif action == "auto":
            offers = services.lead_auto_offer(actor=request.user, lead=lead, confirm_reason=reason)
        else:
            offers = services.lead_offer_top(
                actor=request.user, lead=lead, count=form.cleaned_data["count"], confirm_reason=reason
            )
    except ValidationError as exc:
        form.add_error(None, _errors(exc))
        return lead_detail(request, pk, offer_form=form, status=400)
    if offers:
        names = ", ".join(o.partner.name for o in offers)
        messages.success(request, f"Offered to {names}. They have until {offers[0].deadline:%b %-d, %H:%M} to answer.")
    else:
        messages.warning(request, "No eligible partner is left: the lead is back with you.")
    return redirect("manage:lead_detail", lead.pk)


@manager_required
@require_POST
def lead_close(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Give a reason for closing the lead.")
        services.lead_close(actor=request.user, lead=lead, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, "Lead closed.")
    return redirect("manage:lead_detail", lead.pk)


@manager_required
@require_POST
def offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(LeadOffer.objects.select_related("lead"), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Give a reason: the partner reads it.")
        services.offer_withdraw(actor=request.user, offer=offer, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, "Offer withdrawn; the partner is told.")
    return redirect("manage:lead_detail", offer.lead_id)


@manager_required
def distribution_settings_page(request: HttpRequest) -> HttpResponse:
    current = services.distribution_settings()
    form = SettingsForm(request.POST or None, instance=DistributionSettings.objects.get(pk=current.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.distribution_settings_update(
                actor=request.user, data={k: form.cleaned_data[k] for k in form.Meta.fields}
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, "Saved. Partners read the new rules on their “How leads are assigned” page.")
            return redirect("manage:lead_settings")
    return render(
        request,
        "leads/manage/settings.html",
        {"nav": "leads", "form": form, "rules": assignment_rules(current)},
    )
