"""Earnings: the lines of the partner incentive ledger, one line, and totals per currency by status.

A partner token reads what its owner reads on the portal's earnings page, through the same selector
(`incentives.selectors.earning_lines`): the partner's admins and finance people every line of their company, anyone
else only the lines of the deals they registered. Another partner's line, or a colleague's for a sales user, is a
404. A staff token reads every partner's lines (filter by `partner`). Amounts are never added across currencies.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from api.pagination import DEFAULT_LIMIT, page
from api.routers.common import ERRORS, check_id, check_limit, money
from api.schemas import EarningLineOut, EarningPage, EarningState, EarningSummary
from incentives import selectors
from incentives.models import EarningLine
from incentives.services import questions, statements
from prm.money import ZERO, parse_currency

router = Router(tags=["Earnings"])

STATES = tuple(EarningLine.State.values)


def line_out(line: EarningLine) -> dict[str, Any]:
    registration = line.registration if line.registration_id else None
    return {
        "id": line.pk,
        "partner": {"id": line.partner_id, "name": line.partner.name},
        "kind": line.rule_kind,
        "status": line.state,
        "subject": statements.line_subject(line),
        "registration": {"id": registration.pk, "name": registration.name} if registration else None,
        "amount": money(line.amount, line.currency),
        "base_amount": money(line.base_amount, line.base_currency),
        "calculation": line.calculation,
        "earned_on": line.earned_on,
        "payable_on": line.payable_on,
        # As the portal shows it: the reason of a line on hold (a released line's old reason is not shown).
        "hold_reason": line.hold_reason if line.state == EarningLine.State.HELD else "",
        "approved_at": line.approved_at,
        "paid_at": line.paid_at,
        "paid_on": statements.paid_on(line),
        "reverses": line.reverses_id,
        "created_at": line.created_at,
    }


def _visible_lines(request: HttpRequest) -> QuerySet[EarningLine]:
    """The lines the token may read: as the portal shows them to its owner, or every partner's for staff."""
    membership = getattr(request, "membership", None)
    if membership is not None:
        lines = selectors.earning_lines(membership=membership)
    else:
        lines = EarningLine.objects.select_related("plan_version", "registration", "renewal__contract")
    return lines.select_related("partner", "payout_run")


class EarningFilters(Schema):
    status: EarningState | None = None
    period_from: date | None = None
    period_to: date | None = None
    currency: str | None = None
    partner: int | None = None


class EarningListFilters(EarningFilters):
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


def _filtered(request: HttpRequest, filters: EarningFilters) -> QuerySet[EarningLine]:
    lines = _visible_lines(request)
    if filters.partner is not None:
        check_id(filters.partner, "partner")
        own = getattr(request, "partner", None)
        if own is not None and own.pk != filters.partner:
            raise ValidationError(
                {"partner": "A partner token reads its own company's earnings only: leave out `partner`."}
            )
        lines = lines.filter(partner_id=filters.partner)
    if filters.status:
        lines = lines.filter(state=filters.status)
    if filters.period_from and filters.period_to and filters.period_from > filters.period_to:
        raise ValidationError(
            {"period_to": "The period ends before it starts: give `period_to` on or after `period_from`."}
        )
    if filters.period_from:
        lines = lines.filter(earned_on__gte=filters.period_from)
    if filters.period_to:
        lines = lines.filter(earned_on__lte=filters.period_to)
    if filters.currency is not None:
        try:
            lines = lines.filter(currency=parse_currency(filters.currency))
        except ValidationError as exc:
            raise ValidationError({"currency": exc.messages}) from None
    return lines


@router.get("/earnings", response={200: EarningPage, **ERRORS}, summary="List earning lines")
def earning_list(request: HttpRequest, filters: Query[EarningListFilters]):
    """Earning lines, newest first. Filter by `status` (accrued, approved, paid, held), the period they were earned
    in (`period_from`, `period_to`, both days included), `currency`; a staff token also by `partner`. A partner
    token sees what its owner sees in the portal: an admin or finance person every line of the company, anyone
    else the lines of their own deals. Pass `next` back as `cursor` for the following page (`limit` 1–200)."""
    lines = _filtered(request, filters)
    rows, next_cursor = page(lines, cursor=filters.cursor, limit=check_limit(filters.limit), scope="earnings")
    return {"items": [line_out(line) for line in rows], "next": next_cursor}


@router.get("/earnings/summary", response={200: EarningSummary, **ERRORS}, summary="Earnings totals per currency")
def earning_summary(request: HttpRequest, filters: Query[EarningFilters]):
    """The lines' totals by status, one entry per currency (amounts in different currencies are never added), for
    the same lines and filters as `GET /earnings`. `total` is the currency's sum over every status (corrections
    are negative lines, so they are taken off)."""
    lines = _filtered(request, filters)
    totals = selectors.earning_totals(lines)
    by_state = {state: getattr(totals, state) for state in STATES}
    currencies = sorted({currency for state_totals in by_state.values() for _amount, currency in state_totals})
    return {
        "lines": lines.count(),
        "currencies": [
            {
                "currency": currency,
                **{state: money(by_state[state].amount(currency), currency) for state in STATES},
                "total": money(sum((by_state[s].amount(currency) for s in STATES), ZERO), currency),
            }
            for currency in currencies
        ],
    }


@router.get("/earnings/{id:line_id}", response={200: EarningLineOut, **ERRORS}, summary="One earning line")
def earning_detail(request: HttpRequest, line_id: int):
    """One line with its calculation. Another partner's line, or a colleague's for a sales user, is a 404, as in
    the portal."""
    membership = getattr(request, "membership", None)
    if membership is not None:
        line = questions.access_line(membership=membership, pk=line_id)
    else:
        line = _visible_lines(request).filter(pk=line_id).first()
        if line is None:
            raise Http404("Not found")
    return line_out(line)
