"""What the channel team's MDF pages share: money, balances and ROI in words, service refusals put next to the
form fields they name, the waiting time of a queue row, and the timeline of a request and its claim."""

from datetime import datetime
from decimal import Decimal

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from mdf import selectors
from mdf.ledger import Balance
from mdf.models import Claim, FundRequest
from mdf.roi import Roi
from prm.forms import attach_errors  # noqa: F401 -- the views take it from here
from prm.models import AuditEvent
from prm.money import Totals, format_money, month_words
from prm.queue_nav import Walk, queue_filters, walk
from prm.sla import span
from prm.timeline import Line, manager_lines

NAV = "mdf"
PER_PAGE = 50
TIMELINE_LIMIT = 60


def m(amount: Decimal | None, currency: str) -> str:
    """Money in words, or a dash when there is none."""
    return format_money(amount, currency) if amount is not None else "—"


def balance_words(balance: Balance, currency: str | None = None) -> dict[str, str]:
    """A balance's amounts in words (in `currency`, else the balance's own)."""
    currency = currency or balance.currency
    return {k: m(getattr(balance, k), currency) for k in ("allocated", "reserved", "paid", "expired", "available")}


def totals_words(totals: dict[str, Totals], currency: str) -> dict[str, str]:
    """Balance totals (mdf.ledger.balance_totals) in words: one sum per currency, joined ("$5,000.00 + €200.00");
    zero in `currency` when there is nothing."""
    return {name: (t.words() if t else format_money(0, currency)) for name, t in totals.items()}


def roi_words(roi: Roi) -> dict[str, str]:
    """An ROI's sums in the reporting currency, each with what could not be converted listed apart, the months whose
    rates were used, and the ratio (over the converted amounts only when something has no rate)."""
    words = {}
    for name in ("paid", "pipeline", "won"):
        converted = getattr(roi, name)
        words[name] = format_money(converted.total, converted.currency)
        words[f"{name}_apart"] = converted.unconverted.words() if converted.unconverted else ""
    months = roi.paid.months | roi.pipeline.months | roi.won.months
    words["note"] = f"converted at {month_words(months)} rates" if months else ""
    words["roi"] = f"{roi.roi}×" if roi.roi is not None else "—"
    words["partial"] = "" if roi.complete else "of the converted amounts only"
    return words


def waiting(since: datetime | None, now: datetime) -> str:
    return f"waiting {span((now - since).total_seconds())}" if since else ""


def timeline(fund_request: FundRequest, claim: Claim | None) -> list[Line]:
    """The request's events and its claim's, oldest first, as sentences with names (one query)."""
    where = Q(target_type="mdf.fundrequest", target_id=str(fund_request.pk))
    if claim is not None:
        where |= Q(target_type="mdf.claim", target_id=str(claim.pk))
    events = AuditEvent.objects.filter(where).select_related("actor").order_by("-created_at", "-id")[:TIMELINE_LIMIT]
    return manager_lines(reversed(list(events)))


# --- Decide and next through the review queue (requests first, then claims, as the queue page lists them) ----------


def queue_keys() -> list[tuple[str, int]]:
    fund_requests, claims = selectors.review_queue()
    return [("request", pk) for pk in fund_requests.values_list("pk", flat=True)] + [
        ("claim", pk) for pk in claims.values_list("pk", flat=True)
    ]


def item_url(key: tuple[str, int]) -> str:
    kind, pk = key
    return reverse("manage:mdf_request" if kind == "request" else "manage:mdf_claim", args=[pk])


def queue_walk(request: HttpRequest, current: tuple[str, int]) -> Walk | None:
    """The MDF review queue around this request or claim when its page was opened from the queue (else None)."""
    filters = queue_filters(request, name="mdf", path=reverse("manage:mdf"))
    if filters is None:
        return None
    return walk(
        name="mdf",
        label="MDF review queue",
        list_url=reverse("manage:mdf"),
        filters=filters,
        keys=queue_keys(),
        current=current,
        url_for=item_url,
    )


def decided(request: HttpRequest, path: Walk | None, done: str, item_url: str) -> HttpResponse:
    """After a decision: the next item of the queue the page was opened from, saying how many are left; else the
    item's own page."""
    if path is None:
        messages.success(request, done)
        return redirect(item_url)
    url, left = path.after_decision(queue_keys())
    messages.success(request, f"{done} {left}")
    return redirect(url)


def typed_reason(form) -> str:
    """What the manager typed in the one reason box (for "ask", it went in as the question)."""
    if form is None:
        return ""
    field = "question" if form["action"].value() == "info" else "reason"
    return form[field].value() or ""


def decision_data(post):
    """The posted decision, the one reason box read as the question when the manager asks."""
    data = post.copy()
    if data.get("action") == "info" and not data.get("question"):
        data["question"] = data.get("reason", "")
    return data
