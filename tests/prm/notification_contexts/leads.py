"""Contexts of the leads' notifications (leads.services): what each sender passes, with names that need escaping."""

from datetime import timedelta

from django.utils import timezone

from leads.models import Lead, LeadOffer


def contexts(w) -> dict[str, dict]:
    now = timezone.now()
    lead = Lead(
        pk=42,
        name="Smith & Daughters O'Brien GmbH",
        country="DE",
        industry="Health & care",
        size="midmarket",
        interest="Analytics & reporting for 12 clinics",
        contact_name="Rosa D'Souza",
        contact_email="rosa@smith-daughters.example.com",
        source=Lead.Source.EVENT,
        match_kind=Lead.MatchKind.CUSTOMER,
        match_reason="Account “Smith & Daughters” is an existing customer: same (95/100: same web domain)",
    )
    offer = LeadOffer(
        lead=lead,
        partner=w.partner,
        offered_at=now,
        deadline=now + timedelta(hours=16),
        score=70,
        reasons=[{"points": 25, "text": "Covers Germany"}],
        decline_reason="No capacity & no healthcare practice",
    )
    facts = {
        "industry": "Health & care",
        "size": "Mid-market (100–999)",
        "country": "Germany",
        "region": "Europe, Middle East & Africa",
        "interest": "Analytics & reporting",
        "products": ["Analytics", "Platform"],
    }
    return {
        "lead_offered": {"offer": offer, "partner": w.partner, "facts": facts, "reasons": offer.reasons},
        "lead_withdrawn": {
            "offer": offer,
            "partner": w.partner,
            "facts": facts,
            "reason": "another partner accepted this lead first",
        },
        "lead_expired": {"offer": offer, "partner": w.partner, "facts": facts},
        "lead_accepted": {"lead": lead, "partner": w.partner, "registration": w.registration, "offer": offer},
        "lead_declined": {
            "lead": lead,
            "partner": w.partner,
            "offer": offer,
            "reason": "No capacity & no healthcare practice",
            "next_step": "it was offered to the next in line: O'Reilly & Co",
        },
        "lead_offer_expired": {
            "lead": lead,
            "partner": w.partner,
            "offer": offer,
            "next_step": "it is back with you: offer it to another partner or close it",
        },
        "lead_unassigned": {"lead": lead, "partner": None, "why": "nobody it was offered to accepted it"},
        "lead_new": {"lead": lead, "partner": w.partner, "flagged": True},
        "setup_lead_rules_changed": {
            "partner": w.partner,
            "lines": [
                "You now have 8 business hours to answer an offer (it was 16 business hours).",
                "The note under the rules changed: read it on the “How leads are assigned” page.",
            ],
        },
    }
