"""The partner's MDF ledger: every movement of its own funds as a statement, newest first, each with what it added
(+) or took (−) from what is available and the balance after it, per currency. Told in the partner's words from
the entry's kind, period and activity: never the channel team's internal memo."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mdf.ledger import running_balance
from mdf.models import LedgerEntry
from prm.access import partner_required

PER_PAGE = 50
Kind = LedgerEntry.Kind


def entry_words(entry: LedgerEntry) -> str:
    """What the entry was, for the partner: "Funds for FY2026 Q4", "Approved: “Partner summit”", …"""
    period = entry.budget.period.name
    title = f"“{entry.request.title}”" if entry.request_id else ""
    if entry.kind == Kind.ALLOCATION:
        return f"Funds for {period}" if entry.amount >= 0 else f"Correction to the funds for {period}"
    if entry.kind == Kind.RESERVATION:
        return f"Approved: {title}" if title else "Approved for an activity"
    if entry.kind == Kind.RELEASE:
        return f"Given back from {title}" if title else "Given back"
    if entry.kind == Kind.PAYOUT:
        return f"Paid for {title}" if title else "Paid"
    return f"Unused funds of {period} expired"


@partner_required
def ledger(request: HttpRequest) -> HttpResponse:
    entries = (
        LedgerEntry.objects.filter(budget__partner=request.partner)
        .select_related("budget__period", "request")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    running_balance(entries, rows)
    for entry in rows:
        entry.words = entry_words(entry)
    context = {"partner": request.partner, "page": page, "rows": rows, "running": True}
    return render(request, "mdf/portal/ledger.html", context)
