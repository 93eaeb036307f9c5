"""The partner's words for MDF states and history: status badges, the short note a list shows next to a status,
and the timeline of a request (its own events and its claim's), told without internal data."""

from datetime import date

from django.db.models import Q
from django.utils import timezone

from mdf.models import Claim, FundRequest
from mdf.services.common import fmt_date
from partners.models import Partner, PartnerMembership
from prm.models import AuditEvent

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

# verb → (what happened, whether the event's reason is for the partner to read)
VERBS = {
    "mdf.request_submitted": ("Requested {money}", False),
    "mdf.request_resubmitted": ("Answered the question and sent it again", False),
    "mdf.request_cancelled": ("Cancelled", True),
    "mdf.request_first_approval": ("Approved by the channel manager; an admin approves it too", False),
    "mdf.request_approved": ("Approved: {money} reserved", True),
    "mdf.request_approved_partly": ("Approved in part: {money} reserved", True),
    "mdf.request_rejected": ("Not approved", True),
    "mdf.request_info_requested": ("Question from the channel team", True),
    "mdf.request_expired": ("Approval expired: no claim by the deadline", False),
    "mdf.deadline_extended": ("Claim deadline extended to {claim_deadline}", True),
    "mdf.claim_submitted": ("Claim filed: {money}", False),
    "mdf.claim_resubmitted": ("Claim sent again with what was asked", False),
    "mdf.proof_added": ("Proof added: {file}", False),
    "mdf.claim_approved": ("Claim approved: {money}", True),
    "mdf.claim_approved_partly": ("Claim approved in part: {money}", True),
    "mdf.claim_rejected": ("Claim not approved", True),
    "mdf.claim_info_requested": ("More proof asked for", True),
    "mdf.claim_paid": ("Paid {money}", False),
    "mdf.attributed": ("Deal attributed: {registration}", False),
    "mdf.attribution_removed": ("Deal taken off: {registration}", False),
}


def _day(iso: str) -> str:
    try:
        return fmt_date(date.fromisoformat(iso))
    except (TypeError, ValueError):
        return ""


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def event_words(event: AuditEvent) -> tuple[str, str]:
    """(what happened, the reason to show) of one event, in the partner's words."""
    template, show_reason = VERBS.get(event.verb, (event.verb.rsplit(".", 1)[-1].replace("_", " ").capitalize(), False))
    after = event.after if isinstance(event.after, dict) else {}
    before = event.before if isinstance(event.before, dict) else {}
    text = template.format_map(_Blank({**before, **after})).rstrip(": ")
    if event.verb == "mdf.claim_paid" and after.get("reference"):
        paid_on = _day(after.get("paid_on", ""))
        text += f" on {paid_on} (reference {after['reference']})" if paid_on else f" (reference {after['reference']})"
    return text, (event.reason if show_reason else "")


def timeline(request: FundRequest, partner: Partner) -> list[dict]:
    """The request's events and its claim's, oldest first: what happened, when, by whom (a colleague by name,
    anyone at the startup as "the channel team", a sweep as "automatically"). At most two queries."""
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
    rows = []
    for event in events:
        if event.actor_id is None:
            who = "automatically"
        elif event.actor_id in names:
            who = names[event.actor_id]
        else:
            who = "the channel team"
        what, reason = event_words(event)
        rows.append({"when": event.created_at, "what": what, "who": who, "reason": reason})
    return rows
