"""Every read the MDF pages need. Portal reads are scoped to the viewer's partner (another partner's object is a
404); lists join what their rows show, so a page costs the same number of queries at any size."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dealreg.models import Registration
from mdf.ledger import Balance, balances_for
from mdf.models import Attribution, Budget, Claim, FundRequest, LedgerEntry, Period, ProofFile, TierPool
from mdf.roi import Roi, roi_by_partner, roi_for_request, roi_for_requests
from mdf.services.common import fmt_date
from partners.models import Partner
from prm.access import scoped_get
from prm.money import format_money

__all__ = [
    "BudgetRow",
    "Roi",
    "access_attribution",
    "access_claim",
    "access_proof",
    "access_request",
    "attributable_registrations",
    "budgets_overview",
    "claim_get",
    "claims_for_partner",
    "claims_list",
    "ledger_entries",
    "next_step",
    "payouts_due",
    "periods_list",
    "pools_overview",
    "proof_get",
    "request_get",
    "requests_for_partner",
    "requests_list",
    "review_queue",
    "roi_by_partner",
    "roi_for_request",
    "roi_for_requests",
]

REQUEST_RELATED = ("partner", "budget__period", "created_by", "claim", "decided_by", "first_approved_by")
CLAIM_RELATED = ("partner", "request__budget__period", "created_by", "decided_by", "paid_by")


def _get(filters: Any, key: str) -> Any:
    """Filters come as a dict (request.GET, cleaned_data) or an object with attributes (a dataclass)."""
    if filters is None:
        return None
    if isinstance(filters, Mapping):
        return filters.get(key) or None
    return getattr(filters, key, None) or None


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


# --- The partner's own --------------------------------------------------------------------------------------------


def access_request(*, partner: Partner, pk: int) -> FundRequest:
    """One of the partner's requests, or 404."""
    return scoped_get(FundRequest.objects.select_related(*REQUEST_RELATED), partner=partner, pk=pk)


def access_claim(*, partner: Partner, pk: int) -> Claim:
    """One of the partner's claims, or 404."""
    return scoped_get(Claim.objects.select_related(*CLAIM_RELATED), partner=partner, pk=pk)


def access_proof(*, partner: Partner, pk: int) -> ProofFile:
    """A proof file of one of the partner's claims, or 404 (the download view checks this first)."""
    return scoped_get(ProofFile.objects.select_related("claim"), partner=partner, partner_field="claim__partner", pk=pk)


def access_attribution(*, partner: Partner, pk: int) -> Attribution:
    return scoped_get(
        Attribution.objects.select_related("request", "registration"),
        partner=partner,
        partner_field="request__partner",
        pk=pk,
    )


def requests_for_partner(*, partner: Partner, status: str | None = None) -> QuerySet[FundRequest]:
    """The partner's requests, newest first, with their period and claim."""
    qs = FundRequest.objects.filter(partner=partner).select_related(*REQUEST_RELATED)
    if status == "open":
        qs = qs.filter(status__in=(*FundRequest.IN_REVIEW, FundRequest.Status.NEEDS_INFO, *FundRequest.RESERVING))
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def claims_for_partner(*, partner: Partner, status: str | None = None) -> QuerySet[Claim]:
    qs = Claim.objects.filter(partner=partner).select_related(*CLAIM_RELATED)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def attributable_registrations(*, request: FundRequest) -> QuerySet[Registration]:
    """The partner's submitted registrations not yet attributed to any activity, newest first."""
    return (
        Registration.objects.filter(partner_id=request.partner_id, mdf_attribution__isnull=True)
        .exclude(status__in=(Registration.Status.DRAFT, Registration.Status.REJECTED))
        .order_by("-created_at", "-pk")
    )


def next_step(request: FundRequest) -> str:
    """What happens next, in words for the partner (reads request.claim: select it with the request)."""
    status = FundRequest.Status
    claim = getattr(request, "claim", None) if request.status in (status.CLAIMED, status.CLOSED) else None
    amount = format_money(request.approved_amount, request.currency) if request.approved_amount is not None else ""
    due = fmt_date(timezone.localtime(request.decision_due_at).date()) if request.decision_due_at else ""
    if request.status == status.SUBMITTED:
        return (
            f"Your channel manager reviews it; a decision is due by {due}."
            if due
            else "Your channel manager reviews it."
        )
    if request.status == status.NEEDS_INFO:
        return f"Your channel manager asked: “{request.info_requested}” Edit the request to answer, and send it again."
    if request.status == status.AWAITING_ADMIN:
        return "Your channel manager approved it; because of its amount an admin approves it too" + (
            f", by {due}." if due else "."
        )
    if request.status == status.APPROVED:
        return (
            f"{amount} is reserved for you. Run the activity, then file your claim with proof of performance by "
            f"{fmt_date(request.claim_deadline)}."
        )
    if request.status == status.REJECTED:
        return "Not approved. You can request funds for another activity."
    if request.status == status.CANCELLED:
        return "Cancelled. Nothing more to do."
    if request.status == status.EXPIRED:
        return (
            f"No claim was filed by {fmt_date(request.claim_deadline)}, so the funds went back to your budget. If you "
            "ran the activity, ask your channel manager for a later deadline."
        )
    if claim is None:
        return "Closed. Nothing more to do."
    claimed = format_money(claim.amount_claimed, claim.currency)
    if claim.status == Claim.Status.SUBMITTED:
        when = fmt_date(timezone.localtime(claim.decision_due_at).date()) if claim.decision_due_at else ""
        return f"We review your claim of {claimed}" + (f"; a decision is due by {when}." if when else ".")
    if claim.status == Claim.Status.NEEDS_INFO:
        return f"Your channel manager asked: “{claim.info_requested}” Add what is asked and send the claim again."
    if claim.status == Claim.Status.APPROVED:
        approved = format_money(claim.approved_amount, claim.currency)
        return f"Your claim is approved for {approved}; the payment is on its way."
    if claim.status == Claim.Status.PAID:
        ref = f" (reference {claim.payout_reference})" if claim.payout_reference else ""
        paid = format_money(claim.paid_amount, claim.currency)
        return f"Paid {paid} on {fmt_date(claim.paid_on)}{ref}. Nothing more to do."
    return f"Your claim was not approved: {claim.decision_reason}" if claim.decision_reason else "Closed."


# --- The channel team ---------------------------------------------------------------------------------------------


def review_queue() -> tuple[QuerySet[FundRequest], QuerySet[Claim]]:
    """Requests waiting for a decision (submitted, awaiting an admin) and claims waiting for review, oldest
    first (the SLA clock runs from submission)."""
    requests = (
        FundRequest.objects.filter(status__in=FundRequest.IN_REVIEW)
        .select_related(*REQUEST_RELATED)
        .order_by("submitted_at", "pk")
    )
    claims = (
        Claim.objects.filter(status__in=Claim.IN_REVIEW).select_related(*CLAIM_RELATED).order_by("submitted_at", "pk")
    )
    return requests, claims


def requests_list(*, filters: Any = None) -> QuerySet[FundRequest]:
    """Every partner's requests (filters: status, partner, period, activity_type, q, overdue), newest first."""
    qs = FundRequest.objects.select_related(*REQUEST_RELATED)
    if status := _get(filters, "status"):
        qs = qs.filter(status=status)
    if partner := _get(filters, "partner"):
        qs = qs.filter(partner_id=_pk(partner))
    if period := _get(filters, "period"):
        qs = qs.filter(budget__period_id=_pk(period))
    if activity_type := _get(filters, "activity_type"):
        qs = qs.filter(activity_type=activity_type)
    if q := _get(filters, "q"):
        q = str(q).strip()
        qs = qs.filter(Q(title__icontains=q) | Q(partner__name__icontains=q))
    if _get(filters, "overdue"):
        qs = qs.filter(status__in=FundRequest.IN_REVIEW, decision_due_at__lt=timezone.now())
    return qs.order_by("-submitted_at", "-created_at", "-pk")


def claims_list(*, filters: Any = None) -> QuerySet[Claim]:
    """Every partner's claims (filters: status, partner, period, q), newest first."""
    qs = Claim.objects.select_related(*CLAIM_RELATED)
    if status := _get(filters, "status"):
        qs = qs.filter(status=status)
    if partner := _get(filters, "partner"):
        qs = qs.filter(partner_id=_pk(partner))
    if period := _get(filters, "period"):
        qs = qs.filter(request__budget__period_id=_pk(period))
    if q := _get(filters, "q"):
        q = str(q).strip()
        qs = qs.filter(Q(request__title__icontains=q) | Q(partner__name__icontains=q))
    return qs.order_by("-submitted_at", "-created_at", "-pk")


@dataclass(frozen=True)
class BudgetRow:
    partner: Partner
    budget: Budget | None  # None: an MDF-eligible partner with nothing allocated yet
    balance: Balance


def budgets_overview(*, period: Period) -> list[BudgetRow]:
    """Each partner with a budget in the period, plus active partners of an MDF-eligible tier without one (so
    the channel manager sees whom to allocate to), by partner name. Three queries."""
    from mdf.services.periods import mdf_settings

    budgets = list(Budget.objects.filter(period=period).select_related("partner__tier", "period"))
    balances = balances_for(budgets)
    rows = [BudgetRow(b.partner, b, balances[b.pk]) for b in budgets]
    with_budget = {b.partner_id for b in budgets}
    currency = mdf_settings().currency
    eligible = Partner.objects.filter(status=Partner.Status.ACTIVE, tier__mdf_eligible=True).select_related("tier")
    rows += [BudgetRow(p, None, Balance.empty(currency)) for p in eligible if p.pk not in with_budget]
    return sorted(rows, key=lambda row: row.partner.name.lower())


def ledger_entries(*, filters: Any = None) -> QuerySet[LedgerEntry]:
    """Ledger entries, newest first (filters: partner, period, budget, kind, request)."""
    qs = LedgerEntry.objects.select_related("budget__partner", "budget__period", "request", "actor", "pool__tier")
    if partner := _get(filters, "partner"):
        qs = qs.filter(budget__partner_id=_pk(partner))
    if period := _get(filters, "period"):
        qs = qs.filter(budget__period_id=_pk(period))
    if budget := _get(filters, "budget"):
        qs = qs.filter(budget_id=_pk(budget))
    if kind := _get(filters, "kind"):
        qs = qs.filter(kind=kind)
    if request := _get(filters, "request"):
        qs = qs.filter(request_id=_pk(request))
    return qs.order_by("-created_at", "-pk")


def payouts_due() -> QuerySet[Claim]:
    """Approved claims waiting for their payout, oldest approval first."""
    return (
        Claim.objects.filter(status=Claim.Status.APPROVED).select_related(*CLAIM_RELATED).order_by("decided_at", "pk")
    )


def request_get(*, pk: int) -> FundRequest:
    """One request for the channel team (any partner), or 404."""
    return get_object_or_404(FundRequest.objects.select_related(*REQUEST_RELATED), pk=pk)


def claim_get(*, pk: int) -> Claim:
    """One claim for the channel team (any partner), or 404."""
    return get_object_or_404(Claim.objects.select_related(*CLAIM_RELATED, "request__partner"), pk=pk)


def proof_get(*, pk: int) -> ProofFile:
    """One proof file for the channel team, or 404."""
    return get_object_or_404(ProofFile.objects.select_related("claim"), pk=pk)


def periods_list() -> list[Period]:
    """Periods for a period picker, newest first; the current and the next period always exist."""
    from mdf.services.periods import current_period, next_period

    next_period(current_period())
    return list(Period.objects.order_by("-starts_on"))


def pools_overview(*, period: Period) -> list[tuple[TierPool, Decimal]]:
    """The period's tier pools with what is left in each (two queries)."""
    pools = list(TierPool.objects.filter(period=period).select_related("tier").order_by("tier__rank"))
    drawn = dict(
        LedgerEntry.objects.filter(pool__in=pools, kind=LedgerEntry.Kind.ALLOCATION)
        .values("pool_id")
        .order_by()
        .annotate(total=Sum("amount"))
        .values_list("pool_id", "total")
    )
    return [(pool, pool.amount - (drawn.get(pool.pk) or Decimal("0"))) for pool in pools]
