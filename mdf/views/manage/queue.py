"""The channel team's MDF work lists: the review queue (requests and claims waiting, oldest first, with the SLA
clock), every request, every claim, and their CSV exports (with the ledger's)."""

from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from mdf import selectors
from mdf.forms.manage import ClaimFilterForm, LedgerFilterForm, RequestFilterForm
from mdf.ledger import balances_for
from mdf.models import Claim, FundRequest, LedgerEntry
from mdf.services import mdf_settings
from partners.models import Partner
from partners.services.program import reporting_currency
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.money import Totals, format_money
from prm.sla import sla_clock

from .budgets import budget_rows
from .common import NAV, PER_PAGE, item_url, m, waiting
from .ledger import roi_activities

QUEUE_LIMIT = 100  # rows shown per list; the rest are one click away in the full lists


@exports_csv("manage:mdf_export", kind="queue")
@manager_required
def review_queue(request: HttpRequest) -> HttpResponse:
    requests_qs, claims_qs = selectors.review_queue()
    now = timezone.now()
    late = Q(decision_due_at__lt=now)
    request_counts = requests_qs.order_by().aggregate(total=Count("pk"), overdue=Count("pk", filter=late))
    claim_counts = claims_qs.order_by().aggregate(total=Count("pk"), overdue=Count("pk", filter=late))
    request_count, claim_count = request_counts["total"], claim_counts["total"]
    fund_requests = list(requests_qs[:QUEUE_LIMIT]) if request_count else []
    claims = list(claims_qs.annotate(proof_count=Count("proofs"))[:QUEUE_LIMIT]) if claim_count else []
    balances = balances_for({fr.budget_id: fr.budget for fr in fund_requests}.values())
    for fr in fund_requests:
        fr.sla, fr.overdue = sla_clock(fr.decision_due_at, now)
        fr.waiting = waiting(fr.submitted_at, now)
        balance = balances[fr.budget_id]
        fr.requested_text = m(fr.requested_amount, fr.currency)
        fr.available_text = m(balance.available, balance.currency)
        fr.short = fr.requested_amount > balance.available
        fr.amount_text = m(fr.approved_amount, fr.currency) if fr.status == FundRequest.Status.AWAITING_ADMIN else ""
    for claim in claims:
        claim.sla, claim.overdue = sla_clock(claim.decision_due_at, now)
        claim.waiting = waiting(claim.submitted_at, now)
        claim.claimed_text = m(claim.amount_claimed, claim.currency)
        claim.approved_request_text = m(claim.request.approved_amount, claim.currency)
    due = list(
        selectors.payouts_due().order_by().values("currency").annotate(count=Count("pk"), total=Sum("approved_amount"))
    )
    payouts_total = Totals((row["total"], row["currency"]) for row in due)
    first = ("request", fund_requests[0].pk) if fund_requests else ("claim", claims[0].pk) if claims else None
    context = {
        "start_url": f"{item_url(first)}?queue=mdf" if first else "",
        "fund_requests": fund_requests,
        "claims": claims,
        "request_count": request_count,
        "claim_count": claim_count,
        "more_requests": max(request_count - len(fund_requests), 0),
        "more_claims": max(claim_count - len(claims), 0),
        "overdue_count": request_counts["overdue"] + claim_counts["overdue"],
        "payouts_count": sum(row["count"] for row in due),
        "payouts_total": payouts_total.words() if payouts_total else format_money(0, mdf_settings().currency),
        "tab": "queue",
        "nav": NAV,
    }
    return render(request, "mdf/manage/queue.html", context)


# --- Every request, every claim ---------------------------------------------------------------------------------


def _filter_choices() -> dict:
    return {
        # Lazy: read once by the filter form's selects.
        "partners": Partner.objects.order_by("name").only("id", "name"),
        "periods": selectors.periods_list(),
    }


@exports_csv("manage:mdf_export", kind="requests")
@manager_required
def request_list(request: HttpRequest) -> HttpResponse:
    form = RequestFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.requests_list(filters=filters), PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    now = timezone.now()
    for fr in rows:
        fr.requested_text = m(fr.requested_amount, fr.currency)
        fr.approved_text = m(fr.approved_amount, fr.currency)
        if fr.status in FundRequest.IN_REVIEW:
            fr.sla, fr.overdue = sla_clock(fr.decision_due_at, now)
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "is_filtered": bool(filters),
        "any_request": bool(filters) or page.paginator.count > 0,
        "statuses": FundRequest.Status.choices,
        "activity_types": FundRequest.ActivityType.choices,
        **_filter_choices(),
        "tab": "requests",
        "nav": NAV,
    }
    return render(request, "mdf/manage/requests.html", context)


@exports_csv("manage:mdf_export", kind="claims")
@manager_required
def claim_list(request: HttpRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET)
    filters = form.filters()
    claims = selectors.claims_list(filters=filters).annotate(proof_count=Count("proofs"))
    page = Paginator(claims, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for claim in rows:
        claim.claimed_text = m(claim.amount_claimed, claim.currency)
        claim.approved_text = m(claim.approved_amount, claim.currency)
        claim.paid_text = m(claim.paid_amount, claim.currency)
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "is_filtered": bool(filters),
        "any_claim": bool(filters) or page.paginator.count > 0,
        "statuses": Claim.Status.choices,
        **_filter_choices(),
        "tab": "claims",
        "nav": NAV,
    }
    return render(request, "mdf/manage/claims.html", context)


# --- CSV exports ------------------------------------------------------------------------------------------------


def _day(value) -> str:
    return value.isoformat() if value else ""


REQUEST_HEADER = (
    "id",
    "partner",
    "period",
    "status",
    "activity type",
    "title",
    "starts",
    "ends",
    "expected leads",
    "expected pipeline",
    "total cost",
    "partner share %",
    "requested",
    "approved",
    "currency",
    "submitted",
    "decision due",
    "decided",
    "decided by",
    "reason",
    "claim deadline",
    "deadline extended",
    "claim status",
)


def _request_row(fr: FundRequest) -> list[object]:
    claim = getattr(fr, "claim", None)  # selected with the request; None when there is none
    return [
        fr.pk,
        fr.partner.name,
        fr.budget.period.name,
        fr.get_status_display(),
        fr.get_activity_type_display(),
        fr.title,
        _day(fr.starts_on),
        _day(fr.ends_on),
        fr.expected_leads if fr.expected_leads is not None else "",
        fr.expected_pipeline if fr.expected_pipeline is not None else "",
        fr.total_cost,
        fr.partner_share_percent,
        fr.requested_amount,
        fr.approved_amount if fr.approved_amount is not None else "",
        fr.currency,
        csv_time(fr.submitted_at),
        csv_time(fr.decision_due_at),
        csv_time(fr.decided_at),
        fr.decided_by.email if fr.decided_by else "",
        fr.decision_reason,
        _day(fr.claim_deadline),
        "yes" if fr.deadline_extended else "no",
        claim.get_status_display() if claim else "",
    ]


CLAIM_HEADER = (
    "id",
    "request id",
    "partner",
    "period",
    "activity",
    "status",
    "approved for the activity",
    "actual cost",
    "claimed",
    "approved",
    "paid",
    "currency",
    "leads",
    "proof files",
    "submitted",
    "decided",
    "decided by",
    "reason",
    "paid on",
    "payment reference",
)


def _claim_row(claim: Claim) -> list[object]:
    fr = claim.request
    return [
        claim.pk,
        fr.pk,
        claim.partner.name,
        fr.budget.period.name,
        fr.title,
        claim.get_status_display(),
        fr.approved_amount if fr.approved_amount is not None else "",
        claim.actual_cost,
        claim.amount_claimed,
        claim.approved_amount if claim.approved_amount is not None else "",
        claim.paid_amount if claim.paid_amount is not None else "",
        claim.currency,
        claim.leads if claim.leads is not None else "",
        claim.proof_count,
        csv_time(claim.submitted_at),
        csv_time(claim.decided_at),
        claim.decided_by.email if claim.decided_by else "",
        claim.decision_reason,
        _day(claim.paid_on),
        claim.payout_reference,
    ]


LEDGER_HEADER = (
    "id",
    "date",
    "partner",
    "period",
    "kind",
    "amount",
    "currency",
    "request id",
    "request",
    "pool",
    "by",
    "memo",
)


def _ledger_row(entry: LedgerEntry) -> list[object]:
    return [
        entry.pk,
        csv_time(entry.created_at),
        entry.budget.partner.name,
        entry.budget.period.name,
        entry.get_kind_display(),
        entry.amount,
        entry.currency,
        entry.request_id or "",
        entry.request.title if entry.request else "",
        entry.pool.tier.name if entry.pool else "",
        entry.actor.email if entry.actor else "system",
        entry.memo,
    ]


@manager_required
def export(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    """Every row matching the list's filters (not just the page shown), streamed."""
    if kind == "requests":
        rows = selectors.requests_list(filters=RequestFilterForm(request.GET).filters())
        return csv_response(
            name="mdf-requests", header=REQUEST_HEADER, rows=(_request_row(fr) for fr in rows.iterator(chunk_size=500))
        )
    if kind == "claims":
        claims = selectors.claims_list(filters=ClaimFilterForm(request.GET).filters()).annotate(
            proof_count=Count("proofs")
        )
        return csv_response(
            name="mdf-claims", header=CLAIM_HEADER, rows=(_claim_row(c) for c in claims.iterator(chunk_size=500))
        )
    if kind == "ledger":
        entries = selectors.ledger_entries(filters=LedgerFilterForm(request.GET).filters())
        return csv_response(
            name="mdf-ledger", header=LEDGER_HEADER, rows=(_ledger_row(e) for e in entries.iterator(chunk_size=1000))
        )
    if kind in LIST_EXPORTS:
        return LIST_EXPORTS[kind](request)
    raise Http404("No such export.")


QUEUE_HEADER = ("kind", "id", "partner", "activity", "status", "amount", "currency", "submitted", "decision due")


def _queue_export(request: HttpRequest) -> StreamingHttpResponse:
    """Every request and claim waiting for a decision (the page shows the first hundred of each)."""
    requests_qs, claims_qs = selectors.review_queue()
    rows = [
        *(
            [
                "request",
                fr.pk,
                fr.partner.name,
                fr.title,
                fr.get_status_display(),
                fr.requested_amount,
                fr.currency,
                csv_time(fr.submitted_at),
                csv_time(fr.decision_due_at),
            ]
            for fr in requests_qs.iterator(chunk_size=500)
        ),
        *(
            [
                "claim",
                c.pk,
                c.partner.name,
                c.request.title,
                c.get_status_display(),
                c.amount_claimed,
                c.currency,
                csv_time(c.submitted_at),
                csv_time(c.decision_due_at),
            ]
            for c in claims_qs.iterator(chunk_size=500)
        ),
    ]
    return csv_response(name="mdf-review-queue", header=QUEUE_HEADER, rows=rows)


def _payouts_export(request: HttpRequest) -> StreamingHttpResponse:
    """The approved claims waiting for their payout, in the claims export's columns."""
    claims = selectors.payouts_due().annotate(proof_count=Count("proofs"))
    return csv_response(
        name="mdf-payouts-due", header=CLAIM_HEADER, rows=(_claim_row(c) for c in claims.iterator(chunk_size=500))
    )


BUDGET_HEADER = ("partner", "partner id", "tier", "period", "allocated", "reserved", "paid", "expired", "available")


def _budgets_export(request: HttpRequest) -> StreamingHttpResponse:
    """The partner rows of the budgets page: its period (`?period=`) and name search (`?q=`)."""
    period, _, _, shown = budget_rows(request)
    rows = (
        [row.partner.name, row.partner.pk, row.partner.tier.name if row.partner.tier else "", period.name]
        + [getattr(row.balance, k) for k in ("allocated", "reserved", "paid", "expired", "available")]
        + [row.balance.currency]
        for row in shown
    )
    return csv_response(name=f"mdf-budgets-{period.name}", header=(*BUDGET_HEADER, "currency"), rows=rows)


ROI_HEADER = (
    "request id",
    "activity",
    "activity type",
    "partner",
    "ended",
    "paid",
    "leads",
    "deals",
    "pipeline",
    "won",
    "currency",
    "roi",
    "not converted",
)


def _roi_export(request: HttpRequest) -> StreamingHttpResponse:
    """The ROI page's activities (one partner's with `?partner=`), in the reporting currency; what has no
    exchange rate yet is listed apart, as on the page."""
    currency = reporting_currency()
    activities = list(roi_activities(request)[0])
    rois = selectors.roi_for_requests(activities, currency=currency)
    rows = (
        [
            fr.pk,
            fr.title,
            fr.get_activity_type_display(),
            fr.partner.name,
            _day(fr.ends_on),
            rois[fr.pk].paid.total,
            rois[fr.pk].leads,
            rois[fr.pk].deals,
            rois[fr.pk].pipeline.total,
            rois[fr.pk].won.total,
            currency,
            rois[fr.pk].roi if rois[fr.pk].roi is not None else "",
            rois[fr.pk].unconverted.words() if rois[fr.pk].unconverted else "",
        ]
        for fr in activities
    )
    return csv_response(name="mdf-roi", header=ROI_HEADER, rows=rows)


LIST_EXPORTS = {"queue": _queue_export, "payouts": _payouts_export, "budgets": _budgets_export, "roi": _roi_export}
