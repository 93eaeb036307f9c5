"""The partner's claim pages: filing the claim with proof of performance, its page (the review, the payment, the
new balance), answering a request for more proof, adding a forgotten file, and the private proof download.

Files that passed their checks are held between tries of a form (mdf.views.portal.held), so an error elsewhere
never makes the partner pick its files again. Another partner's claim or file is a 404."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mdf import selectors, services
from mdf.forms.portal import ClaimForm, ProofsForm, claim_initial
from mdf.held import close_all, discard, hold, open_held, read_held
from mdf.ledger import balance_of
from mdf.models import Claim, FundRequest
from mdf.services.claims import MAX_PROOFS
from mdf.services.common import REQUESTER_ROLES, fmt_date
from prm.access import partner_required
from prm.money import format_money
from prm.uploads import private_file_response

from .requests import can_act, requesters
from .words import claim_badge, timeline


def _claim_context(request: HttpRequest, fund_request: FundRequest, form, held, lost: int, claim=None) -> dict:
    currency = fund_request.currency
    return {
        "form": form,
        "fund_request": fund_request,
        "claim": claim,
        "held": held,
        "held_lost": lost,
        "existing": list(claim.proofs.all()) if claim else [],
        "approved": format_money(fund_request.approved_amount, currency),
        "deadline": fund_request.claim_deadline,
        "max_upload_mb": settings.PRM_MAX_UPLOAD_MB,
        "max_proofs": MAX_PROOFS,
        "partner": request.partner,
        "nav": "mdf",
    }


def _post_claim(request: HttpRequest, fund_request: FundRequest, claim: Claim | None) -> HttpResponse:
    """File (claim None) or send again (a claim asked for more proof). On any error the page comes back with
    everything typed and every good file held."""
    form = ClaimForm(request.POST, request.FILES)
    drop = set(request.POST.getlist("drop"))
    held, lost = read_held(
        [t for t in request.POST.getlist("held") if t not in drop], partner=request.partner, user=request.user
    )
    discard(read_held(list(drop), partner=request.partner, user=request.user)[0])
    valid = form.is_valid()
    if valid:
        files = open_held(held)
        try:
            proofs = files + form.uploads()
            if claim is None:
                claim = services.claim_submit(
                    actor=request.user, request=fund_request, proofs=proofs, **form.service_data()
                )
            else:
                claim = services.claim_resubmit(actor=request.user, claim=claim, proofs=proofs, **form.service_data())
        except ValidationError as exc:
            form.apply_service_errors(exc)
            valid = False
        finally:
            close_all(files)
    if not valid:
        held = held + hold(form.uploads(), partner=request.partner, user=request.user)
        context = _claim_context(request, fund_request, form, held, lost, claim)
        return render(request, "mdf/portal/claim_form.html", context, status=400)
    discard(held)
    messages.success(request, "Claim sent. We will tell you as soon as it is reviewed.")
    return redirect("portal:mdf_claim", pk=claim.pk)


@partner_required(roles=REQUESTER_ROLES)
def claim_new(request: HttpRequest, pk: int) -> HttpResponse:
    fund_request = selectors.access_request(partner=request.partner, pk=pk)
    claim = getattr(fund_request, "claim", None)
    if claim is not None:
        return redirect("portal:mdf_claim", pk=claim.pk)
    if fund_request.status != FundRequest.Status.APPROVED:
        messages.info(
            request,
            f"This request is “{fund_request.get_status_display()}”: a claim is filed once funds are approved.",
        )
        return redirect("portal:mdf_request", pk=pk)
    today = timezone.localdate()
    if fund_request.claim_deadline and today > fund_request.claim_deadline:
        context = _claim_context(request, fund_request, None, [], 0)
        context["late_message"] = (
            f"The claim deadline was {fmt_date(fund_request.claim_deadline)}; ask your channel manager for an "
            "extension."
        )
        return render(request, "mdf/portal/claim_form.html", context)
    if request.method == "POST":
        return _post_claim(request, fund_request, None)
    form = ClaimForm(initial={"amount_claimed": f"{fund_request.approved_amount:f}"})
    return render(request, "mdf/portal/claim_form.html", _claim_context(request, fund_request, form, [], 0))


@partner_required(roles=REQUESTER_ROLES)
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a request for more proof: correct the claim, add files, send it again."""
    claim = selectors.access_claim(partner=request.partner, pk=pk)
    if claim.status != Claim.Status.NEEDS_INFO:
        messages.info(request, f"This claim is “{claim.get_status_display()}”: it cannot be changed now.")
        return redirect("portal:mdf_claim", pk=pk)
    if request.method == "POST":
        return _post_claim(request, claim.request, claim)
    form = ClaimForm(initial=claim_initial(claim))
    return render(request, "mdf/portal/claim_form.html", _claim_context(request, claim.request, form, [], 0, claim))


@partner_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.access_claim(partner=request.partner, pk=pk)
    return _render_claim(request, claim, ProofsForm())


def _render_claim(request: HttpRequest, claim: Claim, proof_form: ProofsForm, status: int = 200) -> HttpResponse:
    fund_request = claim.request
    currency = claim.currency
    acting = can_act(request)
    balance = None
    if claim.status == Claim.Status.PAID:
        balance = balance_of(fund_request.budget)
    context = {
        "claim": claim,
        "fund_request": fund_request,
        "badge": claim_badge(claim),
        "next_step": selectors.next_step(fund_request),
        "proofs": list(claim.proofs.select_related("uploaded_by")),
        "timeline": timeline(fund_request, request.partner),
        "can_act": acting,
        "requesters": [] if acting else requesters(request.partner),
        "can_edit": acting and claim.status == Claim.Status.NEEDS_INFO,
        "can_add_proof": acting and claim.status == Claim.Status.SUBMITTED,
        "proof_form": proof_form,
        "partial": claim.approved_amount is not None and claim.approved_amount < claim.amount_claimed,
        "amounts": {
            "actual_cost": format_money(claim.actual_cost, currency),
            "claimed": format_money(claim.amount_claimed, currency),
            "approved_request": format_money(fund_request.approved_amount, currency),
            "approved": format_money(claim.approved_amount, currency),
            "paid": format_money(claim.paid_amount, currency),
        },
        "balance": balance,
        "balance_text": {
            "available": format_money(balance.available, balance.currency),
            "allocated": format_money(balance.allocated, balance.currency),
            "reserved": format_money(balance.reserved, balance.currency),
            "paid": format_money(balance.paid, balance.currency),
        }
        if balance
        else None,
        "max_upload_mb": settings.PRM_MAX_UPLOAD_MB,
        "partner": request.partner,
        "nav": "mdf",
    }
    return render(request, "mdf/portal/claim_detail.html", context, status=status)


@partner_required(roles=REQUESTER_ROLES)
@require_POST
def claim_add_proof(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a file the partner forgot to a claim still in review."""
    claim = selectors.access_claim(partner=request.partner, pk=pk)
    form = ProofsForm(request.POST, request.FILES)
    if not form.is_valid() or not form.uploads():
        if form.is_valid():
            form.add_error(None, "Choose at least one file to add.")
        return _render_claim(request, claim, form, status=400)
    added = []
    try:
        for file, kind in form.uploads():
            added.append(services.proof_add(actor=request.user, claim=claim, file=file, kind=kind))
    except ValidationError as exc:
        form.apply_service_errors(exc)
        if added:
            form.add_error(None, f"Added: {', '.join(p.original_name for p in added)}. The others were not.")
        return _render_claim(request, claim, form, status=400)
    messages.success(request, f"Added {len(added)} file{'s' if len(added) != 1 else ''} to the claim.")
    return redirect("portal:mdf_claim", pk=pk)


@partner_required
def proof_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A proof file of one of the company's claims, as a download; anyone else's is a 404."""
    proof = selectors.access_proof(partner=request.partner, pk=pk)
    try:
        return private_file_response(proof.file, download_name=proof.original_name)
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
