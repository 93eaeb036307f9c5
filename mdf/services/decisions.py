"""The channel team's decisions on fund requests: approve (fully or partly; above the amount band an admin
approves too), reject, ask for more information.

Approval reserves the amount on the budget. It runs under the request's and then the budget's row lock (always in
that order), and checks the balance under the lock, so two approvals racing for the same money are serialised:
the second sees the first's reservation and is refused when the money is gone."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mdf.ledger import balance_of, entry_add, lock_budget
from mdf.models import FundRequest, LedgerEntry
from prm.audit import audit_record
from prm.models import User
from prm.money import format_money
from prm.sla import add_business_days

from .common import admins, clean_money, clean_text, fmt_date, refused, require_manager, tell_managers, tell_partner
from .periods import mdf_settings
from .requests import lock_request


def request_approve(
    *, actor: User, request: FundRequest, amount: Decimal | None = None, reason: str = ""
) -> FundRequest:
    """Approve a request for `amount` (None: what was requested; less: a partial approval, best with a reason).

    Never beyond the budget's available balance unless the settings allow overspending. When the settings name
    an amount band and this amount is above it, a channel manager's approval sends the request to an admin
    (awaiting admin, nothing reserved yet); an admin's approval (a superuser, another person than the first
    approver) makes it final. The final approval reserves the amount and sets the claim deadline."""
    require_manager(actor)
    reason = clean_text(reason, what="the note", required=False)
    settings = mdf_settings()
    with transaction.atomic():
        current = lock_request(request)
        if current.status not in FundRequest.IN_REVIEW:
            raise refused(current, "approved")
        awaiting = current.status == FundRequest.Status.AWAITING_ADMIN
        if awaiting:
            if not actor.is_superuser:
                raise ValidationError(
                    "This request is above the amount that needs an admin's approval: an admin approves it now."
                )
            if current.first_approved_by_id == actor.pk:
                raise ValidationError("You gave the first approval: another admin gives the second.")
        default = current.approved_amount if awaiting and current.approved_amount else current.requested_amount
        amount = default if amount is None else clean_money(amount, field="amount", label="amount to approve")
        if amount > current.requested_amount:
            raise ValidationError(
                {
                    "amount": "The partner asked for "
                    f"{format_money(current.requested_amount, current.currency)}: approve that or less."
                }
            )
        budget = lock_budget(current.budget)
        available = balance_of(budget).available
        if amount > available and not settings.allow_overspend:
            raise ValidationError(
                {
                    "amount": f"{current.partner} has {format_money(max(available, Decimal(0)), current.currency)} "
                    f"available in {budget.period}. Approve at most that, or allocate more funds first."
                }
            )
        now = timezone.now()
        before = {"status": current.status}
        band = settings.admin_approval_above
        if band is not None and amount > band and not actor.is_superuser:
            current.status = FundRequest.Status.AWAITING_ADMIN
            current.first_approved_by = actor
            current.approved_amount = amount
            current.decision_reason = reason
            current.decision_due_at = add_business_days(now, settings.review_business_days)
            current.save(
                update_fields=[
                    "status",
                    "first_approved_by",
                    "approved_amount",
                    "decision_reason",
                    "decision_due_at",
                    "updated_at",
                ]
            )
            event = audit_record(
                actor=actor,
                verb="mdf.request_first_approval",
                target=current,
                partner=current.partner,
                before=before,
                after={
                    "title": current.title,
                    "status": current.status,
                    "amount": str(amount),
                    "money": format_money(amount, current.currency),
                    "band": str(band),
                },
                reason=reason,
            )
            tell_managers(
                event_pk=event.pk,
                request=current,
                template="mdf_request_awaiting_admin",
                context={"band": format_money(band, current.currency), "first_approver": actor, "reason": reason},
                users=admins(),
            )
            tell_partner(event_pk=event.pk, request=current, template="mdf_request_first_approval", context={})
            return current
        entry_add(
            budget=budget,
            kind=LedgerEntry.Kind.RESERVATION,
            amount=amount,
            actor=actor,
            request=current,
            memo=f"Approved: {current.title}",
        )
        current.status = FundRequest.Status.APPROVED
        current.approved_amount = amount
        current.decided_by = actor
        current.decided_at = now
        current.decision_reason = reason
        current.claim_deadline = current.ends_on + timedelta(days=settings.claim_days)
        current.save(
            update_fields=[
                "status",
                "approved_amount",
                "decided_by",
                "decided_at",
                "decision_reason",
                "claim_deadline",
                "updated_at",
            ]
        )
        partial = amount < current.requested_amount
        event = audit_record(
            actor=actor,
            verb="mdf.request_approved_partly" if partial else "mdf.request_approved",
            target=current,
            partner=current.partner,
            before=before,
            after={
                "title": current.title,
                "status": current.status,
                "amount": str(amount),
                "money": format_money(amount, current.currency),
                "requested": str(current.requested_amount),
                "claim_deadline": fmt_date(current.claim_deadline),
                "first_approved_by": current.first_approved_by_id,
            },
            reason=reason,
        )
        tell_partner(event_pk=event.pk, request=current, template="mdf_request_approved", context={"partial": partial})
    return current


def request_reject(*, actor: User, request: FundRequest, reason: str) -> FundRequest:
    """Reject a request waiting for a decision. The reason is required: the partner receives it."""
    require_manager(actor)
    reason = clean_text(reason, what="a reason: the partner receives it")
    with transaction.atomic():
        current = lock_request(request)
        if current.status not in FundRequest.IN_REVIEW:
            raise refused(current, "rejected")
        before = {"status": current.status}
        current.status = FundRequest.Status.REJECTED
        current.decided_by = actor
        current.decided_at = timezone.now()
        current.decision_reason = reason
        current.approved_amount = None
        current.save(
            update_fields=["status", "decided_by", "decided_at", "decision_reason", "approved_amount", "updated_at"]
        )
        event = audit_record(
            actor=actor,
            verb="mdf.request_rejected",
            target=current,
            partner=current.partner,
            before=before,
            after={"title": current.title, "status": current.status},
            reason=reason,
        )
        tell_partner(event_pk=event.pk, request=current, template="mdf_request_rejected", context={"reason": reason})
    return current


def request_ask_info(*, actor: User, request: FundRequest, question: str) -> FundRequest:
    """Send a request waiting for a decision back to the partner with a question. The partner edits it and sends
    it again (request_resubmit), which restarts the decision clock; a first approval is forgotten."""
    require_manager(actor)
    question = clean_text(question, what="your question: the partner receives it")
    with transaction.atomic():
        current = lock_request(request)
        if current.status not in FundRequest.IN_REVIEW:
            raise refused(current, "sent back for more information")
        before = {"status": current.status}
        current.status = FundRequest.Status.NEEDS_INFO
        current.info_requested = question
        current.first_approved_by = None
        current.approved_amount = None
        current.decision_due_at = None
        current.save(
            update_fields=[
                "status",
                "info_requested",
                "first_approved_by",
                "approved_amount",
                "decision_due_at",
                "updated_at",
            ]
        )
        event = audit_record(
            actor=actor,
            verb="mdf.request_info_requested",
            target=current,
            partner=current.partner,
            before=before,
            after={"title": current.title, "status": current.status},
            reason=question,
        )
        tell_partner(
            event_pk=event.pk, request=current, template="mdf_request_info_requested", context={"question": question}
        )
    return current
