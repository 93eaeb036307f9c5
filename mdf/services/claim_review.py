"""The channel team's review of claims: approve (fully or partly), reject, ask for more proof, and record the
payout. Rows are locked claim → request → budget, the same order as every other MDF write."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mdf.ledger import entry_add, lock_budget, request_reserved
from mdf.models import Claim, FundRequest, LedgerEntry
from prm.audit import audit_record
from prm.models import User
from prm.money import format_money

from .claims import _locked_claim
from .common import clean_money, clean_text, fmt_date, portal_claim_url, refused, release, require_manager, tell_partner
from .requests import lock_request


def claim_approve(*, actor: User, claim: Claim, amount: Decimal | None = None, reason: str = "") -> Claim:
    """Approve a claim for `amount` (None: what was claimed; less: a partial approval, best with a reason). What
    the request reserved beyond the approved amount goes back to the budget; the payout is due."""
    require_manager(actor)
    reason = clean_text(reason, what="the note", required=False)
    with transaction.atomic():
        current = _locked_claim(claim)
        if current.status not in Claim.IN_REVIEW:
            raise refused(current, "approved")
        amount = (
            current.amount_claimed if amount is None else clean_money(amount, field="amount", label="amount to approve")
        )
        if amount > current.amount_claimed:
            raise ValidationError(
                {
                    "amount": f"The partner claimed {format_money(current.amount_claimed, current.currency)}: "
                    "approve that or less."
                }
            )
        request = lock_request(current.request)
        budget = lock_budget(request.budget)
        released = request_reserved(request) - amount
        release(
            budget=budget,
            amount=released,
            actor=actor,
            request=request,
            memo=f"Claim approved for less: {request.title}",
        )
        before = {"status": current.status}
        current.status = Claim.Status.APPROVED
        current.approved_amount = amount
        current.decided_by = actor
        current.decided_at = timezone.now()
        current.decision_reason = reason
        current.save(
            update_fields=["status", "approved_amount", "decided_by", "decided_at", "decision_reason", "updated_at"]
        )
        partial = amount < current.amount_claimed
        event = audit_record(
            actor=actor,
            verb="mdf.claim_approved_partly" if partial else "mdf.claim_approved",
            target=current,
            partner=current.partner,
            before=before,
            after={
                "title": request.title,
                "status": current.status,
                "amount": str(amount),
                "money": format_money(amount, current.currency),
                "released": str(max(released, Decimal(0))),
            },
            reason=reason,
        )
        tell_partner(
            event_pk=event.pk,
            request=request,
            template="mdf_claim_approved",
            context={
                "claim": current,
                "partial": partial,
                "amount": format_money(amount, current.currency),
                "claimed": format_money(current.amount_claimed, current.currency),
            },
            url=portal_claim_url(current),
            label="Open the claim",
        )
    return current


def claim_reject(*, actor: User, claim: Claim, reason: str) -> Claim:
    """Reject a claim (the reason is required: the partner receives it). The request's reservation goes back to
    the budget and the request is closed."""
    require_manager(actor)
    reason = clean_text(reason, what="a reason: the partner receives it")
    with transaction.atomic():
        current = _locked_claim(claim)
        if current.status not in (Claim.Status.SUBMITTED, Claim.Status.NEEDS_INFO):
            raise refused(current, "rejected")
        request = lock_request(current.request)
        budget = lock_budget(request.budget)
        released = request_reserved(request)
        release(budget=budget, amount=released, actor=actor, request=request, memo=f"Claim rejected: {request.title}")
        before = {"status": current.status}
        now = timezone.now()
        current.status = Claim.Status.REJECTED
        current.decided_by = actor
        current.decided_at = now
        current.decision_reason = reason
        current.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
        request.status = FundRequest.Status.CLOSED
        request.save(update_fields=["status", "updated_at"])
        event = audit_record(
            actor=actor,
            verb="mdf.claim_rejected",
            target=current,
            partner=current.partner,
            before=before,
            after={"title": request.title, "status": current.status, "released": str(released)},
            reason=reason,
        )
        tell_partner(
            event_pk=event.pk,
            request=request,
            template="mdf_claim_rejected",
            context={"claim": current, "reason": reason},
            url=portal_claim_url(current),
            label="Open the claim",
        )
    return current


def claim_ask_info(*, actor: User, claim: Claim, question: str) -> Claim:
    """Send a claim back to the partner asking for more proof or a correction."""
    require_manager(actor)
    question = clean_text(question, what="your question: the partner receives it")
    with transaction.atomic():
        current = _locked_claim(claim)
        if current.status not in Claim.IN_REVIEW:
            raise refused(current, "sent back for more proof")
        current.status = Claim.Status.NEEDS_INFO
        current.info_requested = question
        current.decision_due_at = None
        current.save(update_fields=["status", "info_requested", "decision_due_at", "updated_at"])
        event = audit_record(
            actor=actor,
            verb="mdf.claim_info_requested",
            target=current,
            partner=current.partner,
            before={"status": Claim.Status.SUBMITTED},
            after={"title": current.request.title, "status": current.status},
            reason=question,
        )
        tell_partner(
            event_pk=event.pk,
            request=current.request,
            template="mdf_claim_info_requested",
            context={"claim": current, "question": question},
            url=portal_claim_url(current),
            label="Open the claim",
        )
    return current


def claim_pay(*, actor: User, claim: Claim, paid_on: date, reference: str, amount: Decimal | None = None) -> Claim:
    """Record the payout of an approved claim: the amount (None: the approved amount; less releases the rest),
    the date it was paid and the payment reference. The request is closed; the partner is told."""
    require_manager(actor, what="record MDF payouts")
    reference = clean_text(reference, what="the payment reference", max_length=120)
    if not isinstance(paid_on, date):
        raise ValidationError({"paid_on": "Give the date of the payment."})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "Record the payment once it is made: the date is in the future."})
    with transaction.atomic():
        current = _locked_claim(claim)
        if current.status != Claim.Status.APPROVED:
            raise refused(current, "paid")
        amount = current.approved_amount if amount is None else clean_money(amount, field="amount", label="amount paid")
        if amount > current.approved_amount:
            raise ValidationError(
                {"amount": f"{format_money(current.approved_amount, current.currency)} was approved: pay that or less."}
            )
        request = lock_request(current.request)
        budget = lock_budget(request.budget)
        entry_add(
            budget=budget,
            kind=LedgerEntry.Kind.PAYOUT,
            amount=amount,
            actor=actor,
            request=request,
            memo=f"Paid ({reference}): {request.title}",
        )
        release(
            budget=budget,
            amount=request_reserved(request),
            actor=actor,
            request=request,
            memo=f"Paid less than approved: {request.title}",
        )
        current.status = Claim.Status.PAID
        current.paid_amount = amount
        current.paid_on = paid_on
        current.payout_reference = reference
        current.paid_by = actor
        current.save(update_fields=["status", "paid_amount", "paid_on", "payout_reference", "paid_by", "updated_at"])
        request.status = FundRequest.Status.CLOSED
        request.save(update_fields=["status", "updated_at"])
        event = audit_record(
            actor=actor,
            verb="mdf.claim_paid",
            target=current,
            partner=current.partner,
            before={"status": Claim.Status.APPROVED},
            after={
                "title": request.title,
                "status": current.status,
                "amount": str(amount),
                "money": format_money(amount, current.currency),
                "paid_on": paid_on.isoformat(),
                "reference": reference,
            },
        )
        tell_partner(
            event_pk=event.pk,
            request=request,
            template="mdf_claim_paid",
            context={"claim": current, "amount": format_money(amount, current.currency), "paid_on": fmt_date(paid_on)},
            url=portal_claim_url(current),
            label="Open the claim",
        )
    return current
