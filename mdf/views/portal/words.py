"""The partner's words for MDF states and history: status badges, the short note a list shows next to a status,
and the timeline of a request (its own events and its claim's), told without internal data."""

from datetime import date

from django.db.models import Q
from django.utils import timezone

from mdf.models import Claim, FundRequest
from mdf.services.common import fmt_date
from partners.models import Partner, PartnerMembership
from prm.models import AuditEvent
from prm.timeline import Actor, Line, actor_for, partner_sentence

TIMELINE_LIMIT = 100
RequestStatus = FundRequest.Status
ClaimStatus = Claim.Status

CLAIM_BADGES = {
    ClaimStatus.SUBMITTED: "Claim in review",
    ClaimStatus.NEEDS_INFO: "More proof needed",
    ClaimStatus.APPROVED: "Claim approved, payment due",
    ClaimStatus.REJECTED: "Claim rejected",
    ClaimStatus.PAID: "Paid",
}
REQUEST_BADGES = {
    RequestStatus.SUBMITTED: "In review",
    RequestStatus.NEEDS_INFO: "Question for you",
    RequestStatus.AWAITING_ADMIN: "In review (second approval)",
    RequestStatus.APPROVED: "Approved",
    RequestStatus.REJECTED: "Not approved",
    RequestStatus.CANCELLED: "Cancelled",
    RequestStatus.EXPIRED: "Expired",
    RequestStatus.CLAIMED: "Claim filed",
    RequestStatus.CLOSED: "Closed",
}


def _claim_of(request: FundRequest) -> Claim | None:
    return getattr(request, "claim", None)  # select_related: no query, None when there is no claim


def badge(request: FundRequest) -> tuple[str, str]:
    """(css key, label) of where the activity stands: once a claim exists, the claim's state is what matters."""
    claim = _claim_of(request) if request.status in (RequestStatus.CLAIMED, RequestStatus.CLOSED) else None
    if claim is not None:
        return f"claim-{claim.status}", CLAIM_BADGES[claim.status]
    return request.status, REQUEST_BADGES.get(request.status, request.get_status_display())


def claim_badge(claim: Claim) -> tuple[str, str]:
    return f"claim-{claim.status}", CLAIM_BADGES[claim.status]


def list_note(request: FundRequest, today=None) -> str:
    """The short clock a list shows under the status."""
    today = today or timezone.localdate()
    if request.status == RequestStatus.SUBMITTED and request.decision_due_at:
        return f"decision due {fmt_date(timezone.localtime(request.decision_due_at).date())}"
    if request.status == RequestStatus.NEEDS_INFO:
        return "answer the question and send it again"
    if request.status == RequestStatus.APPROVED and request.claim_deadline:
        days = (request.claim_deadline - today).days
        if days < 0:
            return f"claim deadline passed on {fmt_date(request.claim_deadline)}"
        return f"claim by {fmt_date(request.claim_deadline)} ({days} day{'s' if days != 1 else ''} left)"
    claim = _claim_of(request)
    if claim is not None and claim.status == ClaimStatus.NEEDS_INFO:
        return "add the proof asked for"
    return ""


# --- The timeline -----------------------------------------------------------------------------------------------

# verb → (what happened, whether the event's reason is for the partner to read). `{by}` is who did it, in the
# partner's words (prm.timeline): " by Dev Patel", " by our channel team", " automatically".
VERBS = {
    "mdf.request_submitted": ("Request for {money} sent{by}", False),
    "mdf.request_resubmitted": ("Question answered and sent again{by}", False),
    "mdf.request_cancelled": ("Cancelled{by}", True),
    "mdf.request_first_approval": ("Approved{by}; an admin approves it too", False),
    "mdf.request_approved": ("Approved{by}: {money} reserved", True),
    "mdf.request_approved_partly": ("Approved in part{by}: {money} reserved", True),
    "mdf.request_rejected": ("Not approved{by}", True),
    "mdf.request_info_requested": ("Question asked{by}", True),
    "mdf.request_expired": ("Approval expired{by}: no claim by the deadline", False),
    "mdf.deadline_extended": ("Claim deadline extended{by} to {claim_deadline}", True),
    "mdf.claim_submitted": ("Claim for {money} filed{by}", False),
    "mdf.claim_resubmitted": ("Claim sent again{by} with what was asked", False),
    "mdf.proof_added": ("Proof added{by}: {file}", False),
    "mdf.claim_approved": ("Claim approved{by}: {money}", True),
    "mdf.claim_approved_partly": ("Claim approved in part{by}: {money}", True),
    "mdf.claim_rejected": ("Claim not approved{by}", True),
    "mdf.claim_info_requested": ("More proof asked for{by}", True),
    "mdf.claim_paid": ("{money} paid{by}", False),
    "mdf.attributed": ("Deal attributed{by}: {registration}", False),
    "mdf.attribution_removed": ("Deal taken off{by}: {registration}", False),
}


def _day(iso: str) -> str:
    try:
        return fmt_date(date.fromisoformat(iso))
    except (TypeError, ValueError):
        return ""


def event_words(event: AuditEvent, actor: Actor) -> tuple[str, str]:
    """(what happened, the reason to show) of one event, in the partner's words, with who did it."""
    fallback = (event.verb.rsplit(".", 1)[-1].replace("_", " ").capitalize(), False)
    template, show_reason = VERBS.get(event.verb, fallback)
    after = event.after if isinstance(event.after, dict) else {}
    before = event.before if isinstance(event.before, dict) else {}
    text = partner_sentence(template, actor, {**before, **after}).rstrip(": ")
    if event.verb == "mdf.claim_paid" and after.get("reference"):
        paid_on = _day(after.get("paid_on", ""))
        text += f" on {paid_on} (reference {after['reference']})" if paid_on else f" (reference {after['reference']})"
    return text, (event.reason if show_reason else "")


def timeline(request: FundRequest, partner: Partner) -> list[Line]:
    """The request's events and its claim's, oldest first, as sentences: what happened, and by whom (a colleague by
    name, anyone at the startup as "our channel team", a sweep "automatically"). At most two queries."""
    claim = _claim_of(request)
    targets = [("mdf.fundrequest", str(request.pk))]
    if claim is not None:
        targets.append(("mdf.claim", str(claim.pk)))
    where = Q()
    for target_type, target_id in targets:
        where |= Q(target_type=target_type, target_id=target_id)
    events = list(
        AuditEvent.objects.filter(where)
        .only("created_at", "actor_id", "verb", "reason", "before", "after")
        .order_by("created_at", "id")[:TIMELINE_LIMIT]
    )
    actor_ids = {e.actor_id for e in events if e.actor_id}
    names = {}
    if actor_ids:
        memberships = PartnerMembership.objects.filter(partner=partner, user_id__in=actor_ids).select_related("user")
        names = {m.user_id: m.user.display_name for m in memberships}
    lines = []
    for event in events:
        actor = actor_for(actor_id=event.actor_id, audience="partner", names=names)
        what, reason = event_words(event, actor)
        lines.append(Line(event.created_at, "", what, actor.is_system, reason, event.verb))
    return lines
