"""Deal registrations in the partner's words: where one stands and what happens next, the one-line note of the
list, the timeline's verbs. Read by the portal's pages and by the API (api/routers/deals.py), so both say the same.
"""

from django.utils import timezone

from dealreg.models import Registration

Status = Registration.Status


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def list_note(registration: Registration, now=None) -> str:
    """The one line the list shows next to the status: the clock that matters to the partner."""
    now = now or timezone.now()
    status = registration.status
    if status == Status.APPROVED and registration.protected_until:
        left = max((registration.protected_until - now).days, 0)
        return f"protected, {_days(left)} left"
    if status == Status.SUBMITTED:
        if registration.has_conflict:
            return "conflict: under review"
        if registration.decision_due_at:
            return f"decision due {timezone.localtime(registration.decision_due_at):%b %-d, %Y}"
    if status == Status.NEEDS_INFO:
        return "answer our question and submit again"
    if status == Status.DRAFT:
        return "not submitted yet"
    return ""


def status_explanation(registration: Registration, now=None) -> tuple[str, str]:
    """(where it stands, what happens next), in the partner's words."""
    now = now or timezone.now()
    status = registration.status
    due = registration.decision_due_at
    due_text = f"{timezone.localtime(due):%b %-d, %Y}" if due else "soon"
    if status == Status.DRAFT:
        return "Draft", "Nobody else sees it yet. Submit it for approval when it is complete."
    if status == Status.SUBMITTED and registration.has_conflict:
        return (
            "Conflict: under review",
            "Another registration or our own sales team already covers this customer. "
            f"A channel manager looks at both and decides by {due_text}; we will tell you the outcome.",
        )
    if status == Status.SUBMITTED:
        return "Submitted", f"A channel manager decides by {due_text}. We will tell you as soon as they do."
    if status == Status.NEEDS_INFO:
        return (
            "We need more information",
            "Answer the question below by editing the registration, then submit it again.",
        )
    if status == Status.APPROVED:
        if registration.protected_until:
            until = timezone.localtime(registration.protected_until)
            left = max((registration.protected_until - now).days, 0)
            return (
                "Approved",
                f"Protected until {until:%b %-d, %Y} ({_days(left)} left): the deal is yours. "
                "Keep its stage and value up to date.",
            )
        return "Approved", "The deal is yours. Keep its stage and value up to date."
    if status == Status.REJECTED:
        return "Rejected", "The reason is below. You can register another deal at any time."
    if status == Status.WON:
        return "Won", "Congratulations: the deal is closed and counts towards your tier."
    if status == Status.LOST:
        return "Lost", "The deal is closed."
    if status == Status.EXPIRED:
        return "Expired", "The protection window ended. Register it again if you are still working on it."
    return registration.get_status_display(), ""


def involvement_short(registration: Registration) -> str:
    """ "Sourced" rather than "Sourced: we found it and lead it", for tables."""
    return str(registration.get_involvement_display()).split(":", 1)[0]


# Timeline verbs in the partner's words; an unknown verb falls back to its last part ("registration.updated").
VERB_WORDS = {
    "created": "Registration created",
    "drafted": "Draft created",
    "draft_saved": "Draft saved",
    "saved": "Draft saved",
    "updated": "Details updated",
    "submitted": "Submitted for approval",
    "resubmitted": "Submitted again",
    "auto_approved": "Approved automatically",
    "approved": "Approved",
    "rejected": "Rejected",
    "info_requested": "More information requested",
    "needs_info": "More information requested",
    "conflict_resolved": "Conflict resolved",
    "resolved": "Conflict resolved",
    "extended": "Protection extended",
    "extension_requested": "Extension requested",
    "won": "Marked as won",
    "lost": "Marked as lost",
    "expired": "Protection expired",
}


def verb_words(verb: str) -> str:
    last = verb.rsplit(".", 1)[-1]
    return VERB_WORDS.get(last, last.replace("_", " ").capitalize())
