"""Offering leads to partners and their answers.

- `lead_offer` (a channel manager's pick), `lead_offer_top` (the top N at once), `lead_auto_offer` (the top partner),
  `lead_distribute` (what the settings say), `lead_offer_locator` (the partner a visitor chose);
- `offer_accept`: under a row lock on the lead, so of N partners accepting at once exactly one wins (and the
  database allows one accepted offer per lead); accepting creates the partner's registration (leads.services.
  registration) and withdraws the other offers, whose partners are told;
- `offer_decline` (with a reason) and `offers_expire_due` (the beat sweep): the lead moves on to the next
  candidates in the automatic modes, else back to the channel team; both sides are told;
- `offer_withdraw` and `lead_close` by a channel manager.

Every state change is audited on the lead (verbs `lead.*`, which webhooks publish as lead events).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leads.models import DistributionSettings, Lead, LeadOffer
from leads.ranking import Candidate, gather_facts, lead_profile, rank, rank_partners, top_tier_rank
from partners.models import Partner
from prm.audit import audit_record
from prm.models import User

from .common import clean_reason, offer_deadline, require_manager, require_member, tell_managers, tell_partner
from .settings import distribution_settings

OFFERABLE = (Lead.Status.NEW, Lead.Status.OFFERED, Lead.Status.UNASSIGNED)
TAKEN = "another partner accepted this lead first"


def _locked(lead: Lead) -> Lead:
    return Lead.objects.select_for_update().get(pk=lead.pk)


def _confirm_match(*, actor: User | None, lead: Lead, reason: str, now: datetime) -> None:
    """A flagged lead goes out only once a channel manager says why it should anyway (recorded)."""
    if not lead.needs_match_confirmation:
        return
    if actor is None:
        raise ValidationError("This lead's company is flagged: a channel manager must confirm before it is offered.")
    reason = clean_reason(
        reason, what="the reason for offering it although the company is already ours or held by a partner"
    )
    lead.match_confirmed_at = now
    lead.match_confirmed_by = actor
    lead.match_confirm_reason = reason
    lead.save(update_fields=["match_confirmed_at", "match_confirmed_by", "match_confirm_reason", "updated_at"])
    audit_record(
        actor=actor,
        verb="lead.match_confirmed",
        target=lead,
        before={"match_kind": lead.match_kind},
        after={"confirmed": True},
        reason=reason,
        label=lead.name,
    )


def _candidates_for(lead: Lead, partner_ids: list[int], settings: DistributionSettings) -> list[Candidate]:
    """Scores (and ranks, when eligible) of the partners a manager picked: from the full ranking when they are in
    it, else scored on their own facts (a manager may pick a partner outside the lead's region)."""
    ranking = {c.partner_id: c for c in rank_partners(lead, settings=settings, only=partner_ids)}
    missing = [pk for pk in partner_ids if pk not in ranking]
    if missing:
        profile = lead_profile(lead)
        partners = Partner.objects.filter(pk__in=missing, status=Partner.Status.ACTIVE)
        extra = rank(
            profile,
            gather_facts(profile, partners),
            top_tier_rank=top_tier_rank(),
            max_open=settings.max_open_leads,
            limit=None,
        )
        for candidate in extra:
            ranking[candidate.partner_id] = Candidate(
                candidate.partner_id, candidate.name, candidate.score, candidate.reasons, rank=0
            )
    return [ranking[pk] for pk in partner_ids if pk in ranking]


def _send_offers(
    *,
    actor: User | None,
    lead: Lead,
    candidates: list[Candidate],
    mode: str,
    settings: DistributionSettings,
    now: datetime,
) -> list[LeadOffer]:
    """Create one open offer per candidate (the lead is locked by the caller), audit each, tell each partner."""
    deadline = offer_deadline(now, settings)
    partners = Partner.objects.in_bulk([c.partner_id for c in candidates])
    offers = []
    for candidate in candidates:
        offer = LeadOffer.objects.create(
            lead=lead,
            partner=partners[candidate.partner_id],
            mode=mode,
            offered_at=now,
            deadline=deadline,
            offered_by=actor,
            rank=candidate.rank or None,
            score=candidate.score,
            reasons=candidate.reasons_json(),
        )
        event = audit_record(
            actor=actor,
            verb="lead.offered",
            target=lead,
            partner=offer.partner,
            before={"status": lead.status},
            after={
                "status": Lead.Status.OFFERED,
                "offer": offer.pk,
                "mode": mode,
                "deadline": deadline.isoformat(),
                "rank": offer.rank,
                "score": offer.score,
            },
            label=lead.name,
        )
        tell_partner(
            offer=offer,
            key=f"audit:{event.pk}:lead_offered",
            template="lead_offered",
            context={"facts": offer_facts(lead), "reasons": offer.reasons},
        )
        offers.append(offer)
    if offers:
        lead.status = Lead.Status.OFFERED
        lead.save(update_fields=["status", "updated_at"])
    return offers


def offer_facts(lead: Lead) -> dict:
    """What an offered partner may know before accepting: industry, size, country and region, interest. Never the
    company's name or its contact."""
    from leads.regions import region_of
    from partners.models import Partner as P

    region = region_of(str(lead.country or ""))
    return {
        "industry": lead.industry,
        "size": lead.get_size_display() if lead.size else "",
        "country": lead.country.name if lead.country else "",
        "region": str(P.Region(region).label) if region else "",
        "interest": lead.interest,
        "products": [p.name for p in lead.products.all()],
    }


def _check_offerable(lead: Lead) -> None:
    if lead.status not in OFFERABLE:
        raise ValidationError(
            f"This lead is {lead.get_status_display().lower()}: it cannot be offered now. Nothing was changed."
        )


def lead_offer(
    *, actor: User, lead: Lead, partner_ids: list[int], confirm_reason: str = "", mode: str = LeadOffer.Mode.MANUAL
) -> list[LeadOffer]:
    """A channel manager offers the lead to the partners picked (usually one), each offer with its score and
    reasons as they stand now."""
    require_manager(actor)
    ids = list(dict.fromkeys(int(pk) for pk in partner_ids))
    if not ids:
        raise ValidationError("Pick a partner to offer the lead to.")
    settings = distribution_settings()
    with transaction.atomic():
        current = _locked(lead)
        _check_offerable(current)
        now = timezone.now()
        _confirm_match(actor=actor, lead=current, reason=confirm_reason, now=now)
        active = set(Partner.objects.filter(pk__in=ids, status=Partner.Status.ACTIVE).values_list("pk", flat=True))
        if active != set(ids):
            raise ValidationError("Leads go to active partners only: pick another partner.")
        asked = set(
            LeadOffer.objects.filter(
                lead=current, partner_id__in=ids, status__in=[LeadOffer.Status.OFFERED, LeadOffer.Status.DECLINED]
            ).values_list("partner_id", flat=True)
        )
        if asked:
            raise ValidationError("This partner already has this lead's offer or declined it: pick another partner.")
        candidates = _candidates_for(current, ids, settings)
        return _send_offers(actor=actor, lead=current, candidates=candidates, mode=mode, settings=settings, now=now)


def lead_offer_top(*, actor: User | None, lead: Lead, count: int, confirm_reason: str = "") -> list[LeadOffer]:
    """Offer the lead to the `count` best-ranked partners at once (1: the top partner alone). With nobody
    eligible left, the lead goes back to the channel team."""
    require_manager(actor)
    settings = distribution_settings()
    if not 1 <= count <= 10:
        raise ValidationError("Offer to 1 to 10 partners at once.")
    mode = LeadOffer.Mode.AUTO if count == 1 else LeadOffer.Mode.TOP_N
    with transaction.atomic():
        current = _locked(lead)
        _check_offerable(current)
        now = timezone.now()
        _confirm_match(actor=actor, lead=current, reason=confirm_reason, now=now)
        candidates = rank_partners(current, limit=count, settings=settings)
        if not candidates:
            _back_to_managers(current, now=now, why="no eligible partner is left to offer it to")
            return []
        return _send_offers(actor=actor, lead=current, candidates=candidates, mode=mode, settings=settings, now=now)


def lead_auto_offer(*, actor: User | None, lead: Lead, confirm_reason: str = "") -> list[LeadOffer]:
    return lead_offer_top(actor=actor, lead=lead, count=1, confirm_reason=confirm_reason)


def lead_distribute(*, actor: User | None, lead: Lead) -> list[LeadOffer]:
    """What the settings say for a lead nobody holds: nothing (a manager picks), the top partner, or the top N.
    A flagged lead not yet confirmed is left for a manager."""
    settings = distribution_settings()
    if settings.mode == DistributionSettings.Mode.MANUAL or lead.needs_match_confirmation:
        return []
    count = 1 if settings.mode == DistributionSettings.Mode.AUTO else settings.top_n
    return lead_offer_top(actor=actor, lead=lead, count=count)


def lead_offer_locator(*, lead: Lead) -> LeadOffer:
    """The locator's rule: a visitor who chose a partner has its lead offered to that partner directly."""
    settings = distribution_settings()
    with transaction.atomic():
        current = _locked(lead)
        _check_offerable(current)
        if current.preferred_partner_id is None:
            raise ValidationError("This lead has no chosen partner.")
        candidates = _candidates_for(current, [current.preferred_partner_id], settings)
        if not candidates:
            raise ValidationError("The partner chosen is not taking leads at the moment.")
        now = timezone.now()
        return _send_offers(
            actor=None, lead=current, candidates=candidates, mode=LeadOffer.Mode.LOCATOR, settings=settings, now=now
        )[0]


def _back_to_managers(lead: Lead, *, now: datetime, why: str) -> None:
    lead.status = Lead.Status.UNASSIGNED
    lead.save(update_fields=["status", "updated_at"])
    event = audit_record(
        actor=None,
        verb="lead.unassigned",
        target=lead,
        before={"status": Lead.Status.OFFERED},
        after={"status": lead.status},
        reason=why,
        label=lead.name,
    )
    tell_managers(lead=lead, key=f"audit:{event.pk}:lead_unassigned", template="lead_unassigned", context={"why": why})


def _move_on(lead: Lead, *, after: LeadOffer, now: datetime) -> str:
    """After a decline or an expiry (the lead locked by the caller): while other offers are open, wait for them;
    else offer it to the next candidates in the automatic modes, or hand it back to the channel team. Returns
    what happened, in words for the manager's notification."""
    if lead.offers.filter(status=LeadOffer.Status.OFFERED).exists():
        return "other offers of it are still open"
    if after.mode in (LeadOffer.Mode.AUTO, LeadOffer.Mode.TOP_N):
        settings = distribution_settings()
        count = 1 if after.mode == LeadOffer.Mode.AUTO else settings.top_n
        candidates = rank_partners(lead, limit=count, settings=settings)
        if candidates:
            offers = _send_offers(
                actor=None, lead=lead, candidates=candidates, mode=after.mode, settings=settings, now=now
            )
            names = ", ".join(o.partner.name for o in offers)
            return f"it was offered to the next in line: {names}"
    _back_to_managers(lead, now=now, why="nobody it was offered to accepted it")
    return "it is back with you: offer it to another partner or close it"


def offer_accept(*, actor: User, offer: LeadOffer):
    """The partner accepts. Under a lock on the lead, so when several partners accept at once exactly one wins;
    the others' offers are withdrawn and they are told. Creates the partner's registration, pre-filled and
    protected as the policy allows (leads.services.registration), linked to the lead. Returns the lead."""
    from .registration import registration_from_lead

    require_member(actor, offer.partner_id)
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=offer.lead_id)
        current = LeadOffer.objects.select_for_update().select_related("partner").get(pk=offer.pk)
        now = timezone.now()
        if current.status != LeadOffer.Status.OFFERED:
            if current.status == LeadOffer.Status.WITHDRAWN and current.withdrawn_reason == TAKEN:
                raise ValidationError("Another partner accepted this lead first. Nothing was changed.")
            raise ValidationError(
                f"This offer is {current.get_status_display().lower()}, so it cannot be accepted now."
            )
        if current.deadline <= now:
            raise ValidationError("The time to answer this offer has passed, so it cannot be accepted now.")
        current.status = LeadOffer.Status.ACCEPTED
        current.responded_at = now
        current.responder = actor
        current.save(update_fields=["status", "responded_at", "responder"])
        others = list(
            lead.offers.filter(status=LeadOffer.Status.OFFERED).exclude(pk=current.pk).select_related("partner")
        )
        LeadOffer.objects.filter(pk__in=[o.pk for o in others]).update(
            status=LeadOffer.Status.WITHDRAWN, withdrawn_reason=TAKEN, responded_at=now
        )
        before = {"status": lead.status}
        lead.status = Lead.Status.ACCEPTED
        lead.partner = current.partner
        lead.accepted_at = now
        lead.save(update_fields=["status", "partner", "accepted_at", "updated_at"])
        registration = registration_from_lead(lead=lead, actor=actor)
        lead.registration = registration
        converted = registration.status == registration.Status.APPROVED
        if converted:
            lead.status = Lead.Status.CONVERTED
        lead.save(update_fields=["registration", "status", "updated_at"])
        event = audit_record(
            actor=actor,
            verb="lead.accepted",
            target=lead,
            partner=current.partner,
            before=before,
            after={
                "status": Lead.Status.ACCEPTED,
                "offer": current.pk,
                "registration": registration.pk,
                "withdrawn_offers": [o.pk for o in others],
                "hours_to_accept": round(current.hours_to_answer or 0, 2),
            },
            label=lead.name,
        )
        if converted:
            audit_record(
                actor=None,
                verb="lead.converted",
                target=lead,
                partner=current.partner,
                before={"status": Lead.Status.ACCEPTED},
                after={"status": lead.status, "registration": registration.pk},
                reason="its registration is approved",
                label=lead.name,
            )
        tell_managers(
            lead=lead,
            key=f"audit:{event.pk}:lead_accepted",
            template="lead_accepted",
            context={"registration": registration, "offer": current},
            partner=current.partner,
        )
        for other in others:
            other.status = LeadOffer.Status.WITHDRAWN
            other.withdrawn_reason = TAKEN
            withdrawn = audit_record(
                actor=None,
                verb="lead.offer_withdrawn",
                target=lead,
                partner=other.partner,
                after={"offer": other.pk, "status": other.status},
                reason=TAKEN,
                label=lead.name,
            )
            tell_partner(
                offer=other,
                key=f"audit:{withdrawn.pk}:lead_withdrawn",
                template="lead_withdrawn",
                context={"reason": TAKEN, "facts": offer_facts(lead)},
            )
    return lead


def offer_decline(*, actor: User, offer: LeadOffer, reason: str) -> LeadOffer:
    """The partner declines with a reason (the channel team reads it); the lead moves on."""
    require_member(actor, offer.partner_id)
    reason = clean_reason(reason, what="a reason for declining (the channel team reads it)")
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=offer.lead_id)
        current = LeadOffer.objects.select_for_update().select_related("partner").get(pk=offer.pk)
        if current.status != LeadOffer.Status.OFFERED:
            raise ValidationError(
                f"This offer is {current.get_status_display().lower()}, so it cannot be declined now."
            )
        now = timezone.now()
        current.status = LeadOffer.Status.DECLINED
        current.responded_at = now
        current.responder = actor
        current.decline_reason = reason
        current.save(update_fields=["status", "responded_at", "responder", "decline_reason"])
        event = audit_record(
            actor=actor,
            verb="lead.declined",
            target=lead,
            partner=current.partner,
            after={"offer": current.pk, "status": current.status},
            reason=reason,
            label=lead.name,
        )
        next_step = _move_on(lead, after=current, now=now)
        tell_managers(
            lead=lead,
            key=f"audit:{event.pk}:lead_declined",
            template="lead_declined",
            context={"offer": current, "reason": reason, "next_step": next_step},
            partner=current.partner,
        )
    return current


def offers_expire_due(*, now: datetime | None = None) -> int:
    """The beat sweep: offers past their deadline expire, both sides are told, and each lead moves on.
    Compare-and-set per offer under the lead's lock: running twice expires nothing twice."""
    now = now or timezone.now()
    expired = 0
    due = list(
        LeadOffer.objects.filter(status=LeadOffer.Status.OFFERED, deadline__lte=now)
        .order_by("deadline", "pk")
        .values_list("pk", "lead_id")[:500]
    )
    for offer_pk, lead_pk in due:
        with transaction.atomic():
            lead = Lead.objects.select_for_update().get(pk=lead_pk)
            changed = LeadOffer.objects.filter(pk=offer_pk, status=LeadOffer.Status.OFFERED, deadline__lte=now).update(
                status=LeadOffer.Status.EXPIRED, responded_at=now
            )
            if not changed:
                continue
            expired += 1
            offer = LeadOffer.objects.select_related("partner").get(pk=offer_pk)
            event = audit_record(
                actor=None,
                verb="lead.expired",
                target=lead,
                partner=offer.partner,
                after={"offer": offer.pk, "status": offer.status, "deadline": offer.deadline.isoformat()},
                reason="no answer before the deadline",
                label=lead.name,
            )
            tell_partner(
                offer=offer,
                key=f"audit:{event.pk}:lead_expired",
                template="lead_expired",
                context={"facts": offer_facts(lead)},
            )
            next_step = _move_on(lead, after=offer, now=now)
            tell_managers(
                lead=lead,
                key=f"audit:{event.pk}:lead_offer_expired",
                template="lead_offer_expired",
                context={"offer": offer, "next_step": next_step},
                partner=offer.partner,
            )
    return expired


def offer_withdraw(*, actor: User, offer: LeadOffer, reason: str) -> LeadOffer:
    """A channel manager takes an open offer back (the partner is told why)."""
    require_manager(actor)
    reason = clean_reason(reason, what="a reason (the partner reads it)")
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=offer.lead_id)
        current = LeadOffer.objects.select_for_update().select_related("partner").get(pk=offer.pk)
        if current.status != LeadOffer.Status.OFFERED:
            raise ValidationError(f"This offer is {current.get_status_display().lower()}: nothing to withdraw.")
        now = timezone.now()
        current.status = LeadOffer.Status.WITHDRAWN
        current.withdrawn_reason = reason[:300]
        current.responded_at = now
        current.save(update_fields=["status", "withdrawn_reason", "responded_at"])
        event = audit_record(
            actor=actor,
            verb="lead.offer_withdrawn",
            target=lead,
            partner=current.partner,
            after={"offer": current.pk, "status": current.status},
            reason=reason,
            label=lead.name,
        )
        tell_partner(
            offer=current,
            key=f"audit:{event.pk}:lead_withdrawn",
            template="lead_withdrawn",
            context={"reason": reason, "facts": offer_facts(lead)},
        )
        if not lead.offers.filter(status=LeadOffer.Status.OFFERED).exists() and lead.status == Lead.Status.OFFERED:
            lead.status = Lead.Status.UNASSIGNED
            lead.save(update_fields=["status", "updated_at"])
    return current


def lead_close(*, actor: User, lead: Lead, reason: str) -> Lead:
    """A channel manager closes a lead nobody holds (not a real prospect, a duplicate, ours after all). Open
    offers are withdrawn and their partners told."""
    require_manager(actor)
    reason = clean_reason(reason, what="a reason for closing the lead")
    with transaction.atomic():
        current = _locked(lead)
        if current.status not in OFFERABLE:
            raise ValidationError(f"This lead is {current.get_status_display().lower()}: it cannot be closed here.")
        now = timezone.now()
        for offer in current.offers.filter(status=LeadOffer.Status.OFFERED).select_related("partner"):
            LeadOffer.objects.filter(pk=offer.pk).update(
                status=LeadOffer.Status.WITHDRAWN, withdrawn_reason="the lead was closed", responded_at=now
            )
            offer.status = LeadOffer.Status.WITHDRAWN
            tell_partner(
                offer=offer,
                key=f"lead-closed:{current.pk}:{offer.pk}",
                template="lead_withdrawn",
                context={"reason": "we closed this lead", "facts": offer_facts(current)},
            )
        before = {"status": current.status}
        current.status = Lead.Status.CLOSED
        current.closed_at = now
        current.close_reason = reason
        current.save(update_fields=["status", "closed_at", "close_reason", "updated_at"])
        audit_record(
            actor=actor,
            verb="lead.closed",
            target=current,
            before=before,
            after={"status": current.status},
            reason=reason,
            label=current.name,
        )
    return current
