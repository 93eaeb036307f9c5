"""Market development funds, read-only, for a partner token: the balance of its open budgets, its requests and its
claims (a staff token gets 403: the manager app has the program-wide views)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from api.auth import require_partner
from api.pagination import DEFAULT_LIMIT, page
from api.routers.common import ERRORS, check_limit, money, partner_ref
from api.schemas import BalanceOut, ClaimOut, ClaimPage, FundRequestOut, FundRequestPage
from mdf import selectors
from mdf.ledger import BALANCE_FIELDS, partner_balance
from mdf.models import Claim, FundRequest

router = Router(tags=["MDF (partner, read-only)"])


def fund_request_out(fund_request: FundRequest) -> dict[str, Any]:
    currency = fund_request.currency
    return {
        "id": fund_request.pk,
        "partner": partner_ref(fund_request.partner),
        "title": fund_request.title,
        "activity_type": fund_request.activity_type,
        "status": fund_request.status,
        "starts_on": fund_request.starts_on,
        "ends_on": fund_request.ends_on,
        "total_cost": money(fund_request.total_cost, currency),
        "requested_amount": money(fund_request.requested_amount, currency),
        "approved_amount": money(fund_request.approved_amount, currency),
        "decided_at": fund_request.decided_at,
        "decision_reason": fund_request.decision_reason,
        "claim_deadline": fund_request.claim_deadline,
    }


def claim_out(claim: Claim) -> dict[str, Any]:
    currency = claim.currency
    return {
        "id": claim.pk,
        "partner": partner_ref(claim.partner),
        "request": {"id": claim.request_id, "title": claim.request.title},
        "status": claim.status,
        "actual_cost": money(claim.actual_cost, currency),
        "amount_claimed": money(claim.amount_claimed, currency),
        "approved_amount": money(claim.approved_amount, currency),
        "paid_amount": money(claim.paid_amount, currency),
        "paid_on": claim.paid_on,
        "payout_reference": claim.payout_reference,
        "decided_at": claim.decided_at,
        "decision_reason": claim.decision_reason,
    }


@router.get("/mdf/balance", response={200: BalanceOut, **ERRORS}, summary="MDF balance")
def balance(request: HttpRequest):
    """Your company's funds over its budgets that have not expired: allocated, reserved by approved requests, paid,
    expired, and available to request."""
    require_partner(request)
    result = partner_balance(partner=request.partner)  # type: ignore[attr-defined]
    return {"currency": result.currency} | {
        name: money(getattr(result, name), result.currency) for name in BALANCE_FIELDS
    }


class StatusPage(Schema):
    status: str | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


def _status(value: str | None, allowed) -> str | None:
    from django.core.exceptions import ValidationError

    if value and value not in allowed:
        raise ValidationError({"status": f"Give one of: {', '.join(allowed)}."})
    return value


@router.get("/mdf/requests", response={200: FundRequestPage, **ERRORS}, summary="MDF requests")
def request_list(request: HttpRequest, filters: Query[StatusPage]):
    """Your company's fund requests, newest first; `status` filters (or `open`)."""
    require_partner(request)
    status = _status(filters.status, ["open", *FundRequest.Status.values])
    queryset = selectors.requests_for_partner(partner=request.partner, status=status)  # type: ignore[attr-defined]
    rows, next_cursor = page(queryset, cursor=filters.cursor, limit=check_limit(filters.limit), scope="mdf-requests")
    return {"items": [fund_request_out(r) for r in rows], "next": next_cursor}


@router.get("/mdf/requests/{id:request_id}", response={200: FundRequestOut, **ERRORS})
def request_detail(request: HttpRequest, request_id: int):
    require_partner(request)
    return fund_request_out(selectors.access_request(partner=request.partner, pk=request_id))  # type: ignore[attr-defined]


@router.get("/mdf/claims", response={200: ClaimPage, **ERRORS}, summary="MDF claims")
def claim_list(request: HttpRequest, filters: Query[StatusPage]):
    """Your company's claims, newest first; `status` filters."""
    require_partner(request)
    status = _status(filters.status, Claim.Status.values)
    queryset = selectors.claims_for_partner(partner=request.partner, status=status)  # type: ignore[attr-defined]
    rows, next_cursor = page(queryset, cursor=filters.cursor, limit=check_limit(filters.limit), scope="mdf-claims")
    return {"items": [claim_out(c) for c in rows], "next": next_cursor}


@router.get("/mdf/claims/{id:claim_id}", response={200: ClaimOut, **ERRORS})
def claim_detail(request: HttpRequest, claim_id: int):
    require_partner(request)
    return claim_out(selectors.access_claim(partner=request.partner, pk=claim_id))  # type: ignore[attr-defined]
