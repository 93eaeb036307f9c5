"""What the channel team's MDF pages share: money in words, service refusals put next to the form fields they
name, the SLA clock and waiting time of a queue row, and the timeline of a request and its claim."""

from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from mdf.ledger import money
from mdf.models import Claim, FundRequest
from prm.forms import attach_errors  # noqa: F401 -- the views take it from here
from prm.models import AuditEvent
from prm.sla import span

NAV = "mdf"
PER_PAGE = 50
TIMELINE_LIMIT = 60


def m(amount: Decimal | None, currency: str) -> str:
    """Money in words, or a dash when there is none."""
    return money(amount, currency) if amount is not None else "—"


def waiting(since: datetime | None, now: datetime) -> str:
    return f"waiting {span((now - since).total_seconds())}" if since else ""


def timeline(fund_request: FundRequest, claim: Claim | None) -> list[AuditEvent]:
    """The request's events and its claim's, oldest first (one query)."""
    where = Q(target_type="mdf.fundrequest", target_id=str(fund_request.pk))
    if claim is not None:
        where |= Q(target_type="mdf.claim", target_id=str(claim.pk))
    events = AuditEvent.objects.filter(where).select_related("actor").order_by("-id")[:TIMELINE_LIMIT]
    return list(reversed(events))


def request_claim(fund_request: FundRequest) -> Claim | None:
    """The request's claim, if any (selected with the request: no query)."""
    try:
        return fund_request.claim
    except Claim.DoesNotExist:
        return None


def now() -> datetime:
    return timezone.now()
