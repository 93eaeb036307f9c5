"""The public event types, and which audit verbs raise them.

Every state change is recorded as an `AuditEvent` (prm.audit); this table turns the ones a CRM cares about into
public event types ("registration.approved"), so no feature app knows webhooks exist. An event's object is the
partner the audit event concerns, the audit event's target, or the earning lines it lists (`Source`). Pure: no
queries here (webhooks.services loads the objects).
"""

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    PARTNER = "partner"  # the audit event's partner
    TARGET = "target"  # the audit event's target (target_type, target_id)
    EARNING_LINES = "earning_lines"  # the ids listed in after["lines"]


@dataclass(frozen=True)
class EventType:
    name: str
    group: str
    label: str


# The catalogue, grouped by object as the endpoint form shows it.
EVENT_TYPES: tuple[EventType, ...] = (
    EventType("partner.applied", "Partners", "Applied to the program"),
    EventType("partner.approved", "Partners", "Application approved"),
    EventType("partner.declined", "Partners", "Application declined"),
    EventType("partner.activated", "Partners", "Activated (onboarding done)"),
    EventType("partner.reactivated", "Partners", "Active again after being dormant"),
    EventType("partner.dormant", "Partners", "Became dormant"),
    EventType("partner.tier_changed", "Partners", "Tier changed"),
    EventType("registration.submitted", "Deal registrations", "Submitted"),
    EventType("registration.conflict", "Deal registrations", "Submitted with a conflict"),
    EventType("registration.conflict_resolved", "Deal registrations", "Conflict resolved"),
    EventType("registration.approved", "Deal registrations", "Approved"),
    EventType("registration.rejected", "Deal registrations", "Rejected"),
    EventType("registration.expired", "Deal registrations", "Protection expired"),
    EventType("registration.won", "Deal registrations", "Won"),
    EventType("registration.lost", "Deal registrations", "Lost"),
    EventType("certification.awarded", "Certifications", "Awarded"),
    EventType("certification.renewed", "Certifications", "Renewed"),
    EventType("certification.expired", "Certifications", "Expired"),
    EventType("certification.revoked", "Certifications", "Revoked"),
    EventType("mdf_request.approved", "MDF requests", "Approved (in full or in part)"),
    EventType("mdf_request.rejected", "MDF requests", "Rejected"),
    EventType("mdf_request.info_requested", "MDF requests", "More information requested"),
    EventType("mdf_claim.approved", "MDF claims", "Approved (in full or in part)"),
    EventType("mdf_claim.rejected", "MDF claims", "Rejected"),
    EventType("mdf_claim.info_requested", "MDF claims", "More proof requested"),
    EventType("mdf_claim.paid", "MDF claims", "Paid"),
    EventType("earning.accrued", "Earnings", "Accrued"),
    EventType("earning.reversed", "Earnings", "Reversed (a correction line)"),
    EventType("lead.offered", "Leads", "Offered to a partner"),
    EventType("lead.accepted", "Leads", "Accepted by a partner (it became a registration)"),
    EventType("lead.declined", "Leads", "Declined by a partner"),
    EventType("lead.expired", "Leads", "Offer expired without an answer"),
    EventType("lead.converted", "Leads", "Converted (its registration is approved)"),
)
EVENT_NAMES = frozenset(e.name for e in EVENT_TYPES)
TEST_EVENT = "webhook.test"

# audit verb → (event type, where its object comes from)
VERB_EVENTS: dict[str, tuple[str, Source]] = {
    "application.submitted": ("partner.applied", Source.PARTNER),
    "application.approved": ("partner.approved", Source.PARTNER),
    "application.declined": ("partner.declined", Source.PARTNER),
    "partner.activated": ("partner.activated", Source.PARTNER),
    "partner.reactivated": ("partner.reactivated", Source.PARTNER),
    "partner.dormant": ("partner.dormant", Source.PARTNER),
    "tier.changed": ("partner.tier_changed", Source.PARTNER),
    "deal.submitted": ("registration.submitted", Source.TARGET),
    "deal.resolved": ("registration.conflict_resolved", Source.TARGET),
    "deal.approved": ("registration.approved", Source.TARGET),
    "deal.rejected": ("registration.rejected", Source.TARGET),
    "deal.expired": ("registration.expired", Source.TARGET),
    "deal.won": ("registration.won", Source.TARGET),
    "deal.lost": ("registration.lost", Source.TARGET),
    "enablement.certification_awarded": ("certification.awarded", Source.TARGET),
    "enablement.certification_renewed": ("certification.renewed", Source.TARGET),
    "enablement.certification_expired": ("certification.expired", Source.TARGET),
    "enablement.certification_revoked": ("certification.revoked", Source.TARGET),
    "mdf.request_approved": ("mdf_request.approved", Source.TARGET),
    "mdf.request_approved_partly": ("mdf_request.approved", Source.TARGET),
    "mdf.request_rejected": ("mdf_request.rejected", Source.TARGET),
    "mdf.request_info_requested": ("mdf_request.info_requested", Source.TARGET),
    "mdf.claim_approved": ("mdf_claim.approved", Source.TARGET),
    "mdf.claim_approved_partly": ("mdf_claim.approved", Source.TARGET),
    "mdf.claim_rejected": ("mdf_claim.rejected", Source.TARGET),
    "mdf.claim_info_requested": ("mdf_claim.info_requested", Source.TARGET),
    "mdf.claim_paid": ("mdf_claim.paid", Source.TARGET),
    "earnings.accrued": ("earning.accrued", Source.EARNING_LINES),
    "earnings.reversed": ("earning.reversed", Source.EARNING_LINES),
    "lead.offered": ("lead.offered", Source.TARGET),
    "lead.accepted": ("lead.accepted", Source.TARGET),
    "lead.declined": ("lead.declined", Source.TARGET),
    "lead.expired": ("lead.expired", Source.TARGET),
    "lead.converted": ("lead.converted", Source.TARGET),
}


@dataclass(frozen=True)
class PlannedEvent:
    """One public event an audit event raises: its type and the object it is about (model label and id)."""

    type: str
    model: str
    object_id: str


def plan_events(
    *, verb: str, target_type: str, target_id: str, partner_id: int | None, after: dict[str, Any]
) -> list[PlannedEvent]:
    """The public events one audit event raises (none for a verb the table does not know)."""
    mapped = VERB_EVENTS.get(verb)
    if mapped is None:
        return []
    event_type, source = mapped
    if source == Source.PARTNER:
        if partner_id is None:
            return []
        objects = [("partners.partner", str(partner_id))]
    elif source == Source.EARNING_LINES:
        lines = after.get("lines") if isinstance(after, dict) else None
        ids = [line.get("id") if isinstance(line, dict) else line for line in lines or []]
        objects = [("incentives.earningline", str(i)) for i in ids if isinstance(i, int)]
    else:
        objects = [(target_type, str(target_id))]
    planned = [PlannedEvent(event_type, model, object_id) for model, object_id in objects]
    # A submission that collides with another claim on the customer is also a "conflict" event.
    if verb == "deal.submitted" and isinstance(after, dict) and after.get("has_conflict"):
        planned += [PlannedEvent("registration.conflict", model, object_id) for model, object_id in objects]
    return planned


EVENT_ID_NAMESPACE = uuid.UUID("6f1c2a4e-3b7d-4c55-9a0e-2d8f5b1e7c90")


def event_id_for(*, audit_hash: str, planned: PlannedEvent) -> uuid.UUID:
    """A stable id for one public event: the same audit event fanned out twice gives the same id, so the delivery
    is not created twice and a receiver that sees it again can tell."""
    return uuid.uuid5(EVENT_ID_NAMESPACE, f"{audit_hash}:{planned.type}:{planned.model}:{planned.object_id}")


def grouped_event_types() -> list[tuple[str, list[EventType]]]:
    groups: dict[str, list[EventType]] = {}
    for event in EVENT_TYPES:
        groups.setdefault(event.group, []).append(event)
    return list(groups.items())


def verbs_with_events() -> frozenset[str]:
    return frozenset(VERB_EVENTS)
