"""One fund request for the channel team: the request beside the budget it draws on, and the decisions (approve
fully or partly, reject, ask for more information) and the claim deadline extension."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mdf import selectors, services
from mdf.forms.manage import ExtendDeadlineForm, RequestDecisionForm
from mdf.ledger import balance_of, max_request
from mdf.models import FundRequest
from mdf.services.common import fmt_date
from prm.access import manager_required
from prm.sla import sla_clock

from .common import (
    NAV,
    attach_errors,
    balance_words,
    decided,
    decision_data,
    m,
    queue_walk,
    roi_words,
    timeline,
    typed_reason,
)

Status = FundRequest.Status


def _approval_block(fr: FundRequest, user) -> str:
    """Why this user cannot give the approval now, or "" when they can."""
    if fr.status != Status.AWAITING_ADMIN:
        return ""
    if not user.is_superuser:
        return (
            "This amount needs an admin's approval too: an admin approves it now. "
            "You can still reject it or ask a question."
        )
    if fr.first_approved_by_id == user.pk:
        return "You gave the first approval: another admin gives the second."
    return ""


def _render(
    request: HttpRequest,
    fr: FundRequest,
    *,
    decision_form: RequestDecisionForm | None = None,
    extend_form: ExtendDeadlineForm | None = None,
    status: int = 200,
    path=None,
) -> HttpResponse:
    settings = services.mdf_settings()
    claim = getattr(fr, "claim", None)  # selected with the request: no query
    balance = balance_of(fr.budget)
    currency = fr.currency
    decidable = fr.status in FundRequest.IN_REVIEW
    awaiting = fr.status == Status.AWAITING_ADMIN
    proposed = fr.approved_amount if awaiting and fr.approved_amount else fr.requested_amount
    band = settings.admin_approval_above
    words = {
        "requested": m(fr.requested_amount, currency),
        "total_cost": m(fr.total_cost, currency),
        "max": m(max_request(fr.total_cost, fr.partner_share_percent), currency),
        "approved": m(fr.approved_amount, currency),
        "proposed": m(proposed, currency),
        "pipeline": m(fr.expected_pipeline, currency),
        **balance_words(balance, currency),
        "after": m(balance.available - proposed, currency),
        "band": m(band, currency) if band is not None else "",
    }
    sla, overdue = sla_clock(fr.decision_due_at) if decidable else ("", False)
    attributions = list(fr.attributions.select_related("registration").order_by("-created_at"))
    # Results once the activity is claimed (or deals were attributed to it); zeros before that say nothing.
    roi = selectors.roi_for_request(fr) if fr.status in (Status.CLAIMED, Status.CLOSED) or attributions else None
    track = selectors.roi_by_partner(partners=[fr.partner])[0][1]
    context = {
        "fr": fr,
        "claim": claim,
        "words": words,
        "balance": balance,
        "short": decidable and proposed > balance.available,
        "sla": sla,
        "overdue": overdue,
        "decidable": decidable,
        "approval_block": _approval_block(fr, request.user) if decidable else "",
        "needs_admin_after": decidable
        and not awaiting
        and band is not None
        and fr.requested_amount > band
        and not request.user.is_superuser,
        "extendable": fr.status in (Status.APPROVED, Status.EXPIRED),
        "decision_form": decision_form or RequestDecisionForm(initial={"amount": f"{proposed:.2f}"}),
        "open_action": decision_form["action"].value() if decision_form is not None else "",
        "typed": typed_reason(decision_form),
        "proposed_value": f"{proposed:.2f}",
        "extend_form": extend_form or ExtendDeadlineForm(),
        "attributions": attributions,
        "roi": roi,
        "roi_words": roi_words(roi) if roi else {},
        "track": track,
        "track_words": roi_words(track),
        "timeline": timeline(fr, claim),
        "tab": "queue" if decidable else "requests",
        "walk": path,
        "nav": NAV,
    }
    return render(request, "mdf/manage/request_detail.html", context, status=status)


@manager_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, selectors.request_get(pk=pk), path=queue_walk(request, ("request", pk)))


@manager_required
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    fr = selectors.request_get(pk=pk)
    path = queue_walk(request, ("request", pk))
    form = RequestDecisionForm(decision_data(request.POST))
    if not form.is_valid():
        return _render(request, fr, decision_form=form, status=400, path=path)
    data = form.cleaned_data
    partner = fr.partner.name
    try:
        if data["action"] == "approve":
            fr = services.request_approve(actor=request.user, request=fr, amount=data["amount"], reason=data["reason"])
            amount = m(fr.approved_amount, fr.currency)
            if fr.status == Status.AWAITING_ADMIN:
                done = f"Approved for {amount}. Because of the amount an admin approves it too; {partner} is told."
            elif fr.approved_amount < fr.requested_amount:
                done = f"Approved in part: {amount} reserved. {partner} is told, with your note."
            else:
                done = f"Approved: {amount} reserved. {partner} is told to claim by the deadline."
        elif data["action"] == "reject":
            services.request_reject(actor=request.user, request=fr, reason=data["reason"])
            done = f"Rejected: {fr.title}. {partner} is told why."
        else:
            services.request_ask_info(actor=request.user, request=fr, question=data["question"])
            done = f"Question sent. {partner} edits the request and sends it again."
    except ValidationError as exc:
        attach_errors(form, exc)
        return _render(request, selectors.request_get(pk=pk), decision_form=form, status=400, path=path)
    return decided(request, path, done, reverse("manage:mdf_request", args=[pk]))


@manager_required
@require_POST
def request_extend(request: HttpRequest, pk: int) -> HttpResponse:
    fr = selectors.request_get(pk=pk)
    form = ExtendDeadlineForm(request.POST)
    if not form.is_valid():
        return _render(request, fr, extend_form=form, status=400)
    try:
        fr = services.request_extend_deadline(
            actor=request.user, request=fr, deadline=form.cleaned_data["deadline"], reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        attach_errors(form, exc)
        return _render(request, selectors.request_get(pk=pk), extend_form=form, status=400)
    messages.success(request, f"The claim deadline is now {fmt_date(fr.claim_deadline)}. {fr.partner.name} is told.")
    return redirect("manage:mdf_request", pk=pk)
