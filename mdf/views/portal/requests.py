"""The partner's MDF pages: the balance and the lists, the fund request (with live hints on the most it may ask),
its page with the timeline and what to do next, answering a question, cancelling, attributing deals. Everything
is read through `request.partner`; another partner's request is a 404. Every member sees the pages; only admin
and marketing members act (the guard says who can, and the services check it again)."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dealreg.selectors import access_registration
from mdf import selectors, services
from mdf.forms.portal import RequestForm, request_initial
from mdf.ledger import Balance, balance_totals, balances_for, max_request, open_budgets
from mdf.models import Budget, FundRequest
from mdf.services.attribution import ATTRIBUTABLE
from mdf.services.common import REQUESTER_ROLES, fmt_date
from mdf.services.requests import CANCELLABLE
from partners.models import PartnerMembership
from prm.access import partner_required
from prm.money import Totals, format_money, parse_money

from .words import badge, list_note, timeline

PER_PAGE = 25
STATUS_FILTERS = [("", "All requests"), ("open", "In progress"), *FundRequest.Status.choices]


def can_act(request: HttpRequest) -> bool:
    return request.membership.role in REQUESTER_ROLES


def requesters(partner) -> list[str]:
    """Who in the company may request and claim, by name (for "ask one of them")."""
    memberships = PartnerMembership.objects.filter(
        partner=partner, is_active=True, role__in=REQUESTER_ROLES, user__is_active=True
    ).select_related("user")
    return sorted(m.user.display_name for m in memberships)


def _period_rows(budgets: list[tuple[Budget, Balance]], today, grace_days: int) -> list[dict]:
    rows = []
    for budget, balance in budgets:
        period = budget.period
        expires_on = period.ends_on + timedelta(days=grace_days)
        rows.append(
            {
                "budget": budget,
                "period": period,
                "balance": balance,
                "current": period.starts_on <= today <= period.ends_on,
                "future": period.starts_on > today,
                "expires_on": expires_on,
                "expires_in": (expires_on - today).days,
                "allocated": format_money(balance.allocated, balance.currency),
                "reserved": format_money(balance.reserved, balance.currency),
                "paid": format_money(balance.paid, balance.currency),
                "expired": format_money(balance.expired, balance.currency),
                "available": format_money(balance.available, balance.currency),
            }
        )
    return rows


def _decorate(fund_requests, today) -> None:
    """What each row shows, in words, computed once (no query: the claim comes with the request)."""
    for fr in fund_requests:
        fr.badge = badge(fr)
        fr.note = list_note(fr, today)
        fr.next = selectors.next_step(fr)
        fr.requested_text = format_money(fr.requested_amount, fr.currency)
        fr.approved_text = format_money(fr.approved_amount, fr.currency)


def _recorded(totals: Totals, currency: str) -> str:
    """Totals per currency in words ("$5,000.00 + €1,200.00"), or zero in `currency`."""
    return totals.words() if totals else format_money(0, currency)


@partner_required
def index(request: HttpRequest) -> HttpResponse:
    """My balance per open period, my requests (what happens next for each) and my claims."""
    partner = request.partner
    acting = can_act(request)
    today = timezone.localdate()
    settings = services.mdf_settings()
    budgets = open_budgets(partner=partner, today=today)
    periods = _period_rows(budgets, today, settings.expiry_grace_days)
    total = None
    if len(budgets) > 1:
        total = balance_totals(balance for _, balance in budgets)["available"]
    past_budgets = list(
        Budget.objects.filter(partner=partner)
        .exclude(pk__in=[b.pk for b, _ in budgets])
        .select_related("period")
        .order_by("-period__starts_on")[:12]
    )
    past_balances = balances_for(past_budgets)
    past = _period_rows([(b, past_balances[b.pk]) for b in past_budgets], today, settings.expiry_grace_days)

    status = request.GET.get("status", "")
    if status not in dict(STATUS_FILTERS):
        status = ""
    page = Paginator(selectors.requests_for_partner(partner=partner, status=status or None), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    _decorate(rows, today)
    claims_page = Paginator(selectors.claims_for_partner(partner=partner), PER_PAGE).get_page(
        request.GET.get("claims_page")
    )
    claims = list(claims_page.object_list)
    for claim in claims:
        claim.badge = (f"claim-{claim.status}", badge(claim.request)[1])
        claim.next = selectors.next_step(claim.request)
        claim.claimed_text = format_money(claim.amount_claimed, claim.currency)
        claim.approved_text = format_money(claim.approved_amount, claim.currency)
        claim.paid_text = format_money(claim.paid_amount, claim.currency)
    context = {
        "partner": partner,
        "periods": periods,
        "total": total,
        "total_available": total.words() if total is not None else "",
        "past": past,
        "page": page,
        "rows": rows,
        "status": status,
        "status_filters": STATUS_FILTERS,
        "claims_page": claims_page,
        "claims": claims,
        "can_act": acting,
        "requesters": [] if acting else requesters(partner),
        "can_request": any(row["balance"].available > 0 for row in periods),
        "nav": "mdf",
    }
    return render(request, "mdf/portal/index.html", context)


# --- The request form -------------------------------------------------------------------------------------------


def _usable_budgets(partner) -> list[tuple[Budget, Balance]]:
    """The open periods with money left to request, soonest first."""
    return [(b, bal) for b, bal in open_budgets(partner=partner) if bal.available > 0]


def _hints(budgets: list[tuple[Budget, Balance]], data, fixed: Budget | None = None) -> dict:
    """What the money section says next to the fields while the partner types: the most it may ask (the cost
    minus its share) and what the chosen period has available; a warning when the amount is above either."""
    chosen = None
    if fixed is not None:
        chosen = next(((b, bal) for b, bal in budgets if b.pk == fixed.pk), (fixed, None))
    else:
        try:
            budget_id = int(data.get("budget") or 0)
        except (TypeError, ValueError):
            budget_id = 0
        chosen = next(((b, bal) for b, bal in budgets if b.pk == budget_id), budgets[0] if budgets else None)
    budget, balance = chosen if chosen else (None, None)
    currency = budget.currency if budget else services.mdf_settings().currency

    def amount(name: str) -> Decimal | None:
        try:
            return parse_money(data.get(name), label=name) if str(data.get(name) or "").strip() else None
        except ValidationError:
            return None

    cost, requested = amount("total_cost"), amount("requested_amount")
    try:
        share = Decimal(str(data.get("partner_share_percent") or "0").strip() or "0")
        share = share if share.is_finite() and 0 <= share <= 100 else None
    except InvalidOperation:
        share = None
    ceiling = max_request(cost, share) if cost is not None and share is not None else None
    available = balance.available if balance is not None else None
    return {
        "period": budget.period.name if budget else "",
        "ceiling": format_money(ceiling, currency),
        "cost": format_money(cost, currency),
        "share": f"{share.normalize():f}" if share is not None else "",
        "available": format_money(available, currency),
        "over_ceiling": requested is not None and ceiling is not None and requested > ceiling,
        "over_balance": requested is not None and available is not None and requested > available,
    }


def _render_request_form(
    request: HttpRequest, form: RequestForm, budgets, fund_request: FundRequest | None = None, status: int = 200
) -> HttpResponse:
    data = form.data if form.is_bound else dict(form.initial)
    fixed = fund_request.budget if fund_request else None
    context = {
        "form": form,
        "fund_request": fund_request,
        "hints": _hints(budgets, data, fixed),
        "budgets": budgets,
        "review_days": services.mdf_settings().review_business_days,
        "partner": request.partner,
        "nav": "mdf",
    }
    return render(request, "mdf/portal/request_form.html", context, status=status)


@partner_required(roles=REQUESTER_ROLES)
def request_new(request: HttpRequest) -> HttpResponse:
    budgets = _usable_budgets(request.partner)
    if not budgets:
        context = {"partner": request.partner, "nav": "mdf"}
        return render(request, "mdf/portal/no_funds.html", context)
    if request.method != "POST":
        form = RequestForm(budgets=budgets, initial={"budget": budgets[0][0].pk, "partner_share_percent": "0"})
        return _render_request_form(request, form, budgets)
    form = RequestForm(request.POST, budgets=budgets)
    if not form.is_valid():
        return _render_request_form(request, form, budgets, status=400)
    try:
        fund_request = services.request_submit(
            actor=request.user,
            partner=request.partner,
            budget=form.cleaned_data["budget"],
            **form.service_data(),
        )
    except ValidationError as exc:
        form.apply_service_errors(exc)
        return _render_request_form(request, form, budgets, status=400)
    messages.success(request, "Request sent to your channel manager. We will tell you their decision.")
    return redirect("portal:mdf_request", pk=fund_request.pk)


@partner_required(roles=REQUESTER_ROLES)
def request_hints(request: HttpRequest) -> HttpResponse:
    """The money hints as a fragment, refreshed by htmx while the partner types."""
    budgets = open_budgets(partner=request.partner)
    fixed = None
    if request.GET.get("request"):
        try:
            fixed = selectors.access_request(partner=request.partner, pk=int(request.GET["request"])).budget
        except ValueError:
            raise Http404("Not found") from None
    return render(request, "mdf/portal/_hints.html", {"hints": _hints(budgets, request.GET, fixed)})


@partner_required(roles=REQUESTER_ROLES)
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer the channel manager's question: change the request and send it again."""
    fund_request = selectors.access_request(partner=request.partner, pk=pk)
    if fund_request.status != FundRequest.Status.NEEDS_INFO:
        messages.info(request, f"This request is “{fund_request.get_status_display()}”: it cannot be changed now.")
        return redirect("portal:mdf_request", pk=pk)
    budgets = open_budgets(partner=request.partner)
    if request.method != "POST":
        return _render_request_form(request, RequestForm(initial=request_initial(fund_request)), budgets, fund_request)
    form = RequestForm(request.POST)
    if not form.is_valid():
        return _render_request_form(request, form, budgets, fund_request, status=400)
    try:
        fund_request = services.request_resubmit(actor=request.user, request=fund_request, **form.service_data())
    except ValidationError as exc:
        form.apply_service_errors(exc)
        return _render_request_form(request, form, budgets, fund_request, status=400)
    messages.success(request, "Sent again to your channel manager. We will tell you their decision.")
    return redirect("portal:mdf_request", pk=fund_request.pk)


# --- The request's page and its actions -------------------------------------------------------------------------


@partner_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund_request = selectors.access_request(partner=request.partner, pk=pk)
    today = timezone.localdate()
    acting = can_act(request)
    status = fund_request.status
    claim = getattr(fund_request, "claim", None)
    currency = fund_request.currency
    late = bool(
        status == FundRequest.Status.APPROVED and fund_request.claim_deadline and today > fund_request.claim_deadline
    )
    attributable = status in ATTRIBUTABLE
    attributions = list(fund_request.attributions.select_related("registration")) if attributable else []
    candidates = []
    if attributable and acting:
        candidates = list(selectors.attributable_registrations(request=fund_request)[:200])
    roi = selectors.roi_for_request(fund_request) if attributable else None
    most = max_request(fund_request.total_cost, fund_request.partner_share_percent)
    context = {
        "fund_request": fund_request,
        "claim": claim,
        "badge": badge(fund_request),
        "next_step": selectors.next_step(fund_request),
        "timeline": timeline(fund_request, request.partner),
        "can_act": acting,
        "requesters": [] if acting else requesters(request.partner),
        "can_edit": acting and status == FundRequest.Status.NEEDS_INFO,
        "can_cancel": acting and status in CANCELLABLE and claim is None,
        "can_claim": acting and status == FundRequest.Status.APPROVED and not late,
        "late_message": (
            f"The claim deadline was {fmt_date(fund_request.claim_deadline)}; ask your channel manager for an "
            "extension."
            if late
            else ""
        ),
        "days_left": (fund_request.claim_deadline - today).days if fund_request.claim_deadline else None,
        "attributable": attributable,
        "attributions": attributions,
        "candidates": candidates,
        "roi": roi,
        "amounts": {
            "total_cost": format_money(fund_request.total_cost, currency),
            "most": format_money(most, currency),
            "requested": format_money(fund_request.requested_amount, currency),
            "approved": format_money(fund_request.approved_amount, currency),
            "pipeline": format_money(fund_request.expected_pipeline, currency),
            "claimed": format_money(claim.amount_claimed, currency) if claim else "",
            # The partner's own amounts, in their own currencies (never added across currencies).
            "roi_paid": _recorded(roi.paid_recorded, currency) if roi else "",
            "roi_pipeline": _recorded(roi.pipeline_recorded, currency) if roi else "",
            "roi_won": _recorded(roi.won_recorded, currency) if roi else "",
        },
        "partial": fund_request.approved_amount is not None
        and fund_request.approved_amount < fund_request.requested_amount,
        "partner": request.partner,
        "nav": "mdf",
    }
    return render(request, "mdf/portal/request_detail.html", context)


@partner_required(roles=REQUESTER_ROLES)
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    fund_request = selectors.access_request(partner=request.partner, pk=pk)
    try:
        fund_request = services.request_cancel(
            actor=request.user, request=fund_request, reason=request.POST.get("reason", "")[:2000]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal:mdf_request", pk=pk)
    messages.success(request, "Request cancelled. Anything it had reserved is back in your balance.")
    return redirect("portal:mdf_request", pk=pk)


@partner_required(roles=REQUESTER_ROLES)
@require_POST
def attribute(request: HttpRequest, pk: int) -> HttpResponse:
    """Attribute one of the company's deal registrations to the activity, or take one off (`remove`)."""
    fund_request = selectors.access_request(partner=request.partner, pk=pk)
    back = redirect(reverse("portal:mdf_request", args=[pk]) + "#attribution")
    try:
        if request.POST.get("remove"):
            attribution = selectors.access_attribution(partner=request.partner, pk=_int(request.POST["remove"]))
            if attribution.request_id != fund_request.pk:
                raise Http404("Not found")
            services.attribution_remove(actor=request.user, attribution=attribution)
            messages.success(request, f"“{attribution.registration.name}” no longer counts for this activity.")
            return back
        if not request.POST.get("registration"):
            messages.error(request, "Choose one of your deal registrations to attribute.")
            return back
        registration = access_registration(partner=request.partner, pk=_int(request.POST["registration"]))
        services.attribution_add(actor=request.user, request=fund_request, registration=registration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return back
    messages.success(request, f"“{registration.name}” now counts towards this activity's results.")
    return back


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not found") from None
