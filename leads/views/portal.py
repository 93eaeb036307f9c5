"""The partner's lead offers (/portal/leads/): before accepting, only the industry, size, country and region and the
interest (the company and its contact are not sent to the page at all); after accepting, the whole lead and its
registration. Another partner's offer is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leads import selectors, services
from leads.forms import ReasonForm
from leads.models import LeadOffer
from leads.services.distribution import offer_facts
from leads.wording import assignment_rules
from partners.models import PartnerMembership
from prm.access import partner_required
from prm.sla import sla_clock

ANSWERING = (PartnerMembership.Role.ADMIN, PartnerMembership.Role.SALES)


@partner_required(roles=ANSWERING)
def offer_list(request: HttpRequest) -> HttpResponse:
    offers = list(selectors.offers_for_partner(partner=request.partner))  # type: ignore[attr-defined]
    now = timezone.now()
    rows = []
    for offer in offers:
        clock, overdue = sla_clock(offer.deadline, now) if offer.is_open else ("", False)
        rows.append({"offer": offer, "facts": offer_facts(offer.lead), "clock": clock, "overdue": overdue,
                     "sees_contact": selectors.sees_contact(offer)})  # fmt: skip
    waiting = [r for r in rows if r["offer"].is_open]
    return render(
        request,
        "leads/portal/list.html",
        {"nav": "leads", "waiting": waiting, "past": [r for r in rows if not r["offer"].is_open]},
    )


@partner_required(roles=ANSWERING)
def offer_detail(request: HttpRequest, pk: int, decline_form: ReasonForm | None = None, status: int = 200):
    offer = selectors.access_offer(partner=request.partner, pk=pk)  # type: ignore[attr-defined]
    clock, overdue = sla_clock(offer.deadline, timezone.now()) if offer.is_open else ("", False)
    sees_contact = selectors.sees_contact(offer)
    return render(
        request,
        "leads/portal/detail.html",
        {
            "nav": "leads",
            "offer": offer,
            "facts": offer_facts(offer.lead),
            "lead": offer.lead if sees_contact else None,
            "clock": clock,
            "overdue": overdue,
            "decline_form": decline_form or ReasonForm(),
        },
        status=status,
    )


@partner_required(roles=ANSWERING)
@require_POST
def offer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.access_offer(partner=request.partner, pk=pk)  # type: ignore[attr-defined]
    try:
        services.offer_accept(actor=request.user, offer=offer)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The lead is yours: its deal registration is below.")
    return redirect("portal:lead_offer_detail", offer.pk)


@partner_required(roles=ANSWERING)
@require_POST
def offer_decline(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.access_offer(partner=request.partner, pk=pk)  # type: ignore[attr-defined]
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return offer_detail(request, pk, decline_form=form, status=400)
    try:
        services.offer_decline(actor=request.user, offer=offer, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return offer_detail(request, pk, decline_form=form, status=400)
    messages.success(request, "Declined. Thank you for saying why.")
    return redirect("portal:leads")


@partner_required
def how_assigned(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "leads/portal/how.html",
        {"nav": "leads", "rules": assignment_rules(services.distribution_settings()), "statuses": LeadOffer.Status},
    )
