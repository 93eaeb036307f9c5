"""What the channel team's MDF pages share: money, balances and ROI in words, service refusals put next to the
form fields they name, the waiting time of a queue row, and the timeline of a request and its claim."""

from datetime import datetime
from decimal import Decimal

from django.db.models import Q

from mdf.ledger import Balance, money
from mdf.models import Claim, FundRequest
from mdf.roi import Roi
from prm.forms import attach_errors  # noqa: F401 -- the views take it from here
from prm.models import AuditEvent
from prm.sla import span

NAV = "mdf"
PER_PAGE = 50
TIMELINE_LIMIT = 60


def m(amount: Decimal | None, currency: str) -> str:
    """Money in words, or a dash when there is none."""
    return money(amount, currency) if amount is not None else "—"


def balance_words(balance: Balance, currency: str | None = None) -> dict[str, str]:
    """A balance's amounts in words (in `currency`, else the balance's own)."""
    currency = currency or balance.currency
    return {k: m(getattr(balance, k), currency) for k in ("allocated", "reserved", "paid", "expired", "available")}


def roi_words(roi: Roi, currency: str) -> dict[str, str]:
    return {
        "paid": m(roi.paid, currency),
        "pipeline": m(roi.pipeline, currency),
        "won": m(roi.won, currency),
        "roi": f"{roi.roi}×" if roi.roi is not None else "—",
    }


def waiting(since: datetime | None, now: datetime) -> str:
    return f"waiting {span((now - since).total_seconds())}" if since else ""


def timeline(fund_request: FundRequest, claim: Claim | None) -> list[AuditEvent]:
    """The request's events and its claim's, oldest first (one query)."""
    where = Q(target_type="mdf.fundrequest", target_id=str(fund_request.pk))
    if claim is not None:
        where |= Q(target_type="mdf.claim", target_id=str(claim.pk))
    events = AuditEvent.objects.filter(where).select_related("actor").order_by("-id")[:TIMELINE_LIMIT]
    return list(reversed(events))
