"""Every read the lead pages need, scoped to the viewer: the manager's list, a partner's own offers (another
partner's offer is a 404)."""

from django.db.models import Q, QuerySet

from leads.models import Lead, LeadOffer
from partners.models import Partner
from prm.access import scoped_get


def lead_list(*, filters: dict) -> QuerySet[Lead]:
    leads = Lead.objects.select_related("partner", "preferred_partner", "registration")
    status = filters.get("status")
    if status == "open":
        leads = leads.filter(status__in=Lead.OPEN)
    elif status:
        leads = leads.filter(status=status)
    if filters.get("source"):
        leads = leads.filter(source=filters["source"])
    if filters.get("partner"):
        leads = leads.filter(Q(partner_id=filters["partner"]) | Q(offers__partner_id=filters["partner"])).distinct()
    if filters.get("flagged"):
        leads = leads.exclude(match_kind="")
    q = (filters.get("q") or "").strip()
    if q:
        leads = leads.filter(
            Q(name__icontains=q) | Q(domain__icontains=q) | Q(contact_email__icontains=q) | Q(industry__icontains=q)
        )
    return leads.order_by("-created_at", "-pk")


def lead_get(*, pk: int) -> Lead:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Lead.objects.select_related("partner", "preferred_partner", "registration", "created_by", "match_confirmed_by"),
        pk=pk,
    )


def offers_for_partner(*, partner: Partner) -> QuerySet[LeadOffer]:
    return (
        LeadOffer.objects.filter(partner=partner)
        .select_related("lead", "lead__registration")
        .prefetch_related("lead__products")
        .order_by("-offered_at", "-pk")
    )


def access_offer(*, partner: Partner, pk: int) -> LeadOffer:
    """One of the partner's own offers, or 404: a partner never sees a lead offered to another partner."""
    return scoped_get(LeadOffer.objects.select_related("lead", "lead__registration", "partner"), partner=partner, pk=pk)


def sees_contact(offer: LeadOffer) -> bool:
    """The company and its contact are for the partner that accepted the lead, and only once it did."""
    return offer.status == LeadOffer.Status.ACCEPTED and offer.lead.partner_id == offer.partner_id
