"""Leads: /api/v1/leads (staff tokens: create, list, detail) and /api/v1/lead-offers (partner tokens: the company's
own offers, accept, decline).

The pages' rules apply as they are: a lead is created by `leads.services.create_lead` (source "api": the account
matcher's flags, then the distribution settings), answers go through `offer_accept` / `offer_decline`. A partner
sees only its own offers (another's is a 404) and, before accepting, only the industry, size, country, region and
interest: `lead` is null until its company accepted it.
"""

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from api.auth import require_partner, require_staff
from api.pagination import DEFAULT_LIMIT, page
from api.routers.common import ERRORS, check_id, check_limit, partner_ref
from api.schemas import Strict
from leads import selectors, services
from leads.models import Lead, LeadOffer
from leads.services.distribution import offer_facts

router = Router(tags=["Leads"])

LeadStatus = Literal[("open", *Lead.Status.values)]  # type: ignore[valid-type]
OfferStatus = Literal[tuple(LeadOffer.Status.values)]  # type: ignore[valid-type]


# --- Schemas ---------------------------------------------------------------------------------------------------


class Reason(Schema):
    points: int
    text: str


class LeadOut(Schema):
    id: int
    name: str
    website: str
    country: str
    contact_name: str
    contact_email: str
    contact_phone: str
    industry: str
    size: str
    products: list[str]
    interest: str
    notes: str
    source: str
    status: str
    match_kind: str = Field(description="customer, registration or direct when the account matcher flagged it")
    match_reason: str
    match_confirmed: bool
    preferred_partner: dict[str, Any] | None
    partner: dict[str, Any] | None = Field(description="The partner holding it once accepted")
    registration_id: int | None
    created_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None


class LeadPage(Schema):
    items: list[LeadOut]
    next: str | None


class LeadIn(Strict):
    company_name: str = Field(min_length=1, max_length=200)
    website: str = Field("", max_length=300)
    country: str = Field("", max_length=60, description="ISO code like DE, or the English name")
    contact_name: str = Field(min_length=1, max_length=160)
    contact_email: str = Field(min_length=3, max_length=254)
    contact_phone: str = Field("", max_length=40)
    industry: str = Field("", max_length=100)
    size: Literal["", "smb", "midmarket", "enterprise"] = ""
    interest: str = Field("", max_length=300)
    notes: str = Field("", max_length=4000)
    products: list[int] = Field(default_factory=list, max_length=50, description="Catalogue product ids")


class OfferFacts(Schema):
    industry: str
    size: str
    country: str
    region: str
    interest: str
    products: list[str]


class AcceptedLead(Schema):
    id: int
    name: str
    website: str
    contact_name: str
    contact_email: str
    contact_phone: str
    notes: str
    registration_id: int | None


class OfferOut(Schema):
    id: int
    status: str
    offered_at: datetime
    deadline: datetime
    responded_at: datetime | None
    decline_reason: str
    score: int
    rank: int | None
    reasons: list[Reason]
    facts: OfferFacts
    lead: AcceptedLead | None = Field(description="The company and its contact: only once your company accepted")


class OfferPage(Schema):
    items: list[OfferOut]
    next: str | None


class DeclineIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


# --- Serialising -------------------------------------------------------------------------------------------------


def lead_out(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.pk,
        "name": lead.name,
        "website": lead.website,
        "country": str(lead.country or ""),
        "contact_name": lead.contact_name,
        "contact_email": lead.contact_email,
        "contact_phone": lead.contact_phone,
        "industry": lead.industry,
        "size": lead.size,
        "products": [p.name for p in lead.products.all()],
        "interest": lead.interest,
        "notes": lead.notes,
        "source": lead.source,
        "status": lead.status,
        "match_kind": lead.match_kind,
        "match_reason": lead.match_reason,
        "match_confirmed": lead.match_confirmed_at is not None,
        "preferred_partner": partner_ref(lead.preferred_partner),
        "partner": partner_ref(lead.partner),
        "registration_id": lead.registration_id,
        "created_at": lead.created_at,
        "accepted_at": lead.accepted_at,
        "closed_at": lead.closed_at,
    }


def offer_out(offer: LeadOffer) -> dict[str, Any]:
    lead = offer.lead
    accepted = None
    if selectors.sees_contact(offer):
        accepted = {
            "id": lead.pk,
            "name": lead.name,
            "website": lead.website,
            "contact_name": lead.contact_name,
            "contact_email": lead.contact_email,
            "contact_phone": lead.contact_phone,
            "notes": lead.notes,
            "registration_id": lead.registration_id,
        }
    return {
        "id": offer.pk,
        "status": offer.status,
        "offered_at": offer.offered_at,
        "deadline": offer.deadline,
        "responded_at": offer.responded_at,
        "decline_reason": offer.decline_reason,
        "score": offer.score,
        "rank": offer.rank,
        "reasons": offer.reasons,
        "facts": offer_facts(lead),
        "lead": accepted,
    }


# --- Staff: leads ------------------------------------------------------------------------------------------------


class LeadFilters(Schema):
    status: LeadStatus | None = None
    partner: int | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.post("/leads", response={201: LeadOut, **ERRORS}, summary="Create a lead")
def lead_create(request: HttpRequest, payload: LeadIn):
    """A new lead (source "api"). Its company is checked against our accounts and registrations first; a flagged
    lead waits for a channel manager, any other is offered as the lead distribution settings say."""
    require_staff(request)
    lead = services.create_lead(
        actor=request.user,
        company_name=payload.company_name,
        website=payload.website,
        country=payload.country,
        contact_name=payload.contact_name,
        contact_email=payload.contact_email,
        contact_phone=payload.contact_phone,
        industry=payload.industry,
        size=payload.size,
        interest=payload.interest,
        notes=payload.notes,
        source=Lead.Source.API,
        products=payload.products,
    )
    return Status(201, lead_out(selectors.lead_get(pk=lead.pk)))


@router.get("/leads", response={200: LeadPage, **ERRORS}, summary="List leads")
def lead_list(request: HttpRequest, filters: Query[LeadFilters]):
    """Newest first; `status` (or `open`: new, offered, back with us) and `partner` (offered to or held by) filter."""
    require_staff(request)
    wanted = {"status": filters.status, "partner": check_id(filters.partner, "partner")}
    queryset = selectors.lead_list(filters={k: v for k, v in wanted.items() if v}).prefetch_related("products")
    rows, next_cursor = page(queryset, cursor=filters.cursor, limit=check_limit(filters.limit), scope="leads")
    return {"items": [lead_out(lead) for lead in rows], "next": next_cursor}


@router.get("/leads/{id:lead_id}", response={200: LeadOut, **ERRORS}, summary="One lead")
def lead_detail(request: HttpRequest, lead_id: int):
    require_staff(request)
    check_id(lead_id, "lead")
    lead = Lead.objects.select_related("partner", "preferred_partner").filter(pk=lead_id).first()
    if lead is None:
        raise Http404("Not found")
    return lead_out(lead)


# --- Partners: their offers --------------------------------------------------------------------------------------


class OfferFilters(Schema):
    status: OfferStatus | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


def _offer(request: HttpRequest, offer_id: int) -> LeadOffer:
    require_partner(request)
    check_id(offer_id, "offer")
    return selectors.access_offer(partner=request.partner, pk=offer_id)  # type: ignore[attr-defined]


@router.get("/lead-offers", response={200: OfferPage, **ERRORS}, summary="Your lead offers")
def offer_list(request: HttpRequest, filters: Query[OfferFilters]):
    """Leads offered to your company, newest first; `status` filters (`offered`: waiting for your answer)."""
    require_partner(request)
    queryset = selectors.offers_for_partner(partner=request.partner)  # type: ignore[attr-defined]
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    rows, next_cursor = page(queryset, cursor=filters.cursor, limit=check_limit(filters.limit), scope="lead-offers")
    return {"items": [offer_out(o) for o in rows], "next": next_cursor}


@router.get("/lead-offers/{id:offer_id}", response={200: OfferOut, **ERRORS}, summary="One lead offer")
def offer_detail(request: HttpRequest, offer_id: int):
    return offer_out(_offer(request, offer_id))


@router.post("/lead-offers/{id:offer_id}/accept", response={200: OfferOut, **ERRORS}, summary="Accept a lead")
def offer_accept(request: HttpRequest, offer_id: int):
    """Accept before the deadline: the lead becomes your deal registration (its id in `lead.registration_id`). When
    several partners were offered it, the first to accept gets it (a 400 says another partner was quicker)."""
    offer = _offer(request, offer_id)
    services.offer_accept(actor=request.user, offer=offer)
    return offer_out(selectors.access_offer(partner=request.partner, pk=offer.pk))  # type: ignore[attr-defined]


@router.post("/lead-offers/{id:offer_id}/decline", response={200: OfferOut, **ERRORS}, summary="Decline a lead")
def offer_decline(request: HttpRequest, offer_id: int, payload: DeclineIn):
    """Decline with a reason (the channel team reads it); the lead moves on."""
    offer = _offer(request, offer_id)
    services.offer_decline(actor=request.user, offer=offer, reason=payload.reason)
    return offer_out(selectors.access_offer(partner=request.partner, pk=offer.pk))  # type: ignore[attr-defined]
