"""What the lead services share: who may act, who is told, and the offer's deadline clock."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse

from leads.models import DistributionSettings, Lead, LeadOffer
from partners.models import Partner, PartnerMembership
from partners.selectors import channel_managers, partner_people
from prm.access import is_channel_manager, user_membership
from prm.models import User
from prm.notifications import notify
from prm.sla import add_business_hours

REASON_MAX = 2000


def require_manager(actor: User | None) -> None:
    if actor is not None and not is_channel_manager(actor):
        raise ValidationError("Only channel managers can do this with leads.")


def require_member(actor: User, partner_id: int) -> PartnerMembership:
    membership = user_membership(actor)
    if membership is None or membership.partner_id != partner_id:
        raise ValidationError("Only the people of the company this lead was offered to can answer it.")
    return membership


def clean_reason(value: str | None, *, what: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"Give {what}.")
    if len(value) > REASON_MAX:
        raise ValidationError(f"Keep {what} under {REASON_MAX:,} characters (it has {len(value):,}).")
    return value


def offer_deadline(now: datetime, settings: DistributionSettings) -> datetime:
    return add_business_hours(
        now, settings.response_hours, day_start=settings.day_starts_at, day_end=settings.day_ends_at
    )


def partner_recipients(partner: Partner) -> list[User]:
    """Who at a partner hears about lead offers: its admins and its sellers."""
    return partner_people(partner, roles=(PartnerMembership.Role.SALES,))


def manager_recipients(lead: Lead, partner: Partner | None = None) -> list[User]:
    """The partner's owner when it has one, else every channel manager."""
    if partner is not None and partner.owner_id and partner.owner.is_active:
        return [partner.owner]
    return list(channel_managers())


def tell_partner(*, offer: LeadOffer, key: str, template: str, context: dict) -> int:
    """Tell the offered partner's people (the context never carries the company's name or contact before they
    accept: the templates show the offer's facts only)."""
    url = reverse("portal:lead_offer_detail", args=[offer.pk])
    sent = 0
    for user in partner_recipients(offer.partner):
        sent += notify(
            key=f"{key}:{user.pk}",
            template=template,
            recipient=user,
            partner=offer.partner,
            url=url,
            action_label="Open the offer",
            context={"offer": offer, "partner": offer.partner, **context},
        ).sent_now
    return sent


def tell_managers(*, lead: Lead, key: str, template: str, context: dict, partner: Partner | None = None) -> int:
    url = reverse("manage:lead_detail", args=[lead.pk])
    sent = 0
    for user in manager_recipients(lead, partner):
        sent += notify(
            key=f"{key}:{user.pk}",
            template=template,
            recipient=user,
            partner=partner,
            url=url,
            action_label="Open the lead",
            context={"lead": lead, "partner": partner, **context},
        ).sent_now
    return sent
