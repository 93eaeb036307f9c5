"""One claim for the channel team: what was approved beside what is claimed, with the proof files (private
downloads), the decisions (approve fully or partly, reject, ask for more proof) and the payout record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from mdf import selectors, services
from mdf.forms.manage import ClaimDecisionForm, PayoutForm
from mdf.models import Claim
from mdf.services.common import fmt_date
from prm.access import manager_required
from prm.sla import sla_clock
from prm.uploads import private_file_response

from .common import NAV, attach_errors, decided, decision_data, m, queue_walk, timeline, typed_reason

Status = Claim.Status


def _render(
    request: HttpRequest,
    claim: Claim,
    *,
    decision_form: ClaimDecisionForm | None = None,
    pay_form: PayoutForm | None = None,
    status: int = 200,
    path=None,
) -> HttpResponse:
    fr = claim.request
    currency = claim.currency
    decidable = claim.status in Claim.IN_REVIEW
    rejectable = claim.status in (Status.SUBMITTED, Status.NEEDS_INFO)
    words = {
        "approved_request": m(fr.approved_amount, currency),
        "requested": m(fr.requested_amount, currency),
        "total_cost": m(fr.total_cost, currency),
        "actual_cost": m(claim.actual_cost, currency),
        "claimed": m(claim.amount_claimed, currency),
        "approved": m(claim.approved_amount, currency),
        "paid": m(claim.paid_amount, currency),
        "pipeline": m(fr.expected_pipeline, currency),
        "released": m(fr.approved_amount - claim.amount_claimed, currency)
        if fr.approved_amount is not None and claim.amount_claimed < fr.approved_amount
        else "",
    }
    sla, overdue = sla_clock(claim.decision_due_at) if decidable else ("", False)
    initial_pay = {"paid_on": timezone.localdate()}
    if claim.approved_amount is not None:
        initial_pay["amount"] = f"{claim.approved_amount:.2f}"
    context = {
        "claim": claim,
        "fr": fr,
        "words": words,
        "proofs": list(claim.proofs.select_related("uploaded_by").order_by("uploaded_at", "pk")),
        "sla": sla,
        "overdue": overdue,
        "decidable": decidable,
        "rejectable": rejectable,
        "payable": claim.status == Status.APPROVED,
        "decision_form": decision_form or ClaimDecisionForm(initial={"amount": f"{claim.amount_claimed:.2f}"}),
        "open_action": decision_form["action"].value() if decision_form is not None else "",
        "typed": typed_reason(decision_form),
        "claimed_value": f"{claim.amount_claimed:.2f}",
        "pay_form": pay_form or PayoutForm(initial=initial_pay),
        "timeline": timeline(fr, claim),
        "tab": "queue" if decidable else ("payouts" if claim.status == Status.APPROVED else "claims"),
        "walk": path,
        "nav": NAV,
    }
    return render(request, "mdf/manage/claim_detail.html", context, status=status)


@manager_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, selectors.claim_get(pk=pk), path=queue_walk(request, ("claim", pk)))


@manager_required
@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_get(pk=pk)
    path = queue_walk(request, ("claim", pk))
    form = ClaimDecisionForm(decision_data(request.POST))
    if not form.is_valid():
        return _render(request, claim, decision_form=form, status=400, path=path)
    data = form.cleaned_data
    partner = claim.partner.name
    try:
        if data["action"] == "approve":
            claim = services.claim_approve(
                actor=request.user, claim=claim, amount=data["amount"], reason=data["reason"]
            )
            amount = m(claim.approved_amount, claim.currency)
            if claim.approved_amount < claim.amount_claimed:
                done = f"Approved in part: {amount}. {partner} is told, with your note. The payment is due."
            else:
                done = f"Approved: {amount}. {partner} is told. The payment is due: record it once it is made."
        elif data["action"] == "reject":
            services.claim_reject(actor=request.user, claim=claim, reason=data["reason"])
            done = f"Rejected. The reserved funds went back to {partner}'s budget; {partner} is told why."
        else:
            services.claim_ask_info(actor=request.user, claim=claim, question=data["question"])
            done = f"Sent back. {partner} adds what you asked for and sends the claim again."
    except ValidationError as exc:
        attach_errors(form, exc)
        return _render(request, selectors.claim_get(pk=pk), decision_form=form, status=400, path=path)
    return decided(request, path, done, reverse("manage:mdf_claim", args=[pk]))


@manager_required
@require_POST
def claim_pay(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_get(pk=pk)
    form = PayoutForm(request.POST)
    if not form.is_valid():
        return _render(request, claim, pay_form=form, status=400)
    data = form.cleaned_data
    try:
        claim = services.claim_pay(
            actor=request.user, claim=claim, paid_on=data["paid_on"], reference=data["reference"], amount=data["amount"]
        )
    except ValidationError as exc:
        attach_errors(form, exc)
        return _render(request, selectors.claim_get(pk=pk), pay_form=form, status=400)
    messages.success(
        request,
        f"Recorded: {m(claim.paid_amount, claim.currency)} paid to {claim.partner.name} on {fmt_date(claim.paid_on)} "
        f"(reference {claim.payout_reference}). The partner is told.",
    )
    if request.POST.get("next") == "payouts":
        return redirect("manage:mdf_payouts")
    return redirect("manage:mdf_claim", pk=pk)


@manager_required
def proof_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A proof file of any claim, as a download (channel managers only; partners use their own portal link)."""
    proof = selectors.proof_get(pk=pk)
    try:
        return private_file_response(proof.file, download_name=proof.original_name)
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
