"""The partner's side of a fund request: submit, answer a question (resubmit), cancel; and the manager's
extension of a claim deadline. Validation errors are keyed by the form's field names."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mdf.ledger import balance_of, entry_add, lock_budget, max_request, request_reserved
from mdf.models import Budget, FundRequest, LedgerEntry
from partners.models import Partner
from prm.audit import audit_record
from prm.models import User
from prm.money import format_money
from prm.sla import add_business_days

from .common import (
    clean_money,
    clean_text,
    fmt_date,
    refused,
    release,
    require_manager,
    require_requester,
    tell_managers,
    tell_partner,
)
from .periods import funds_expire_on, mdf_settings

CANCELLABLE = (
    FundRequest.Status.SUBMITTED,
    FundRequest.Status.NEEDS_INFO,
    FundRequest.Status.AWAITING_ADMIN,
    FundRequest.Status.APPROVED,
)
COUNT_MAX = 10_000_000
FIELDS = (
    "activity_type",
    "title",
    "description",
    "starts_on",
    "ends_on",
    "expected_leads",
    "expected_pipeline",
    "total_cost",
    "partner_share_percent",
    "requested_amount",
)


def lock_request(request: FundRequest) -> FundRequest:
    """The request's row, locked until the transaction ends (take it before the budget's: lock_budget)."""
    return (
        FundRequest.objects.select_for_update(of=("self",))
        .select_related("partner", "budget__period", "created_by", "first_approved_by")
        .get(pk=request.pk)
    )


def _collect(errors: dict[str, str], key: str, func, /, *args, **kwargs) -> Any:
    """Run one field's check; a ValidationError goes into `errors` under the field."""
    try:
        return func(*args, **kwargs)
    except ValidationError as exc:
        messages = exc.message_dict.get(key) if hasattr(exc, "error_dict") else exc.messages
        errors.setdefault(key, " ".join(messages or exc.messages))
        return None


def _choice(value: Any) -> str:
    if value not in FundRequest.ActivityType.values:
        raise ValidationError("Choose the type of activity.")
    return value


def _day(value: Any, label: str) -> date:
    if not isinstance(value, date):
        raise ValidationError(f"Give the {label}.")
    return value


def _count(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError("Give a whole number, like 40.") from None
    if number < 0:
        raise ValidationError("This cannot be negative.")
    if number > COUNT_MAX:
        raise ValidationError(f"Give a number up to {COUNT_MAX:,}.")
    return number


def _share(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal("0.00")
    try:
        share = Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise ValidationError("Give your share as a percentage, like 50.") from None
    if not Decimal(0) <= share <= Decimal(100):
        raise ValidationError("Your share is a percentage between 0 and 100.")
    return share


def _open_budget(budget: Budget | None, partner: Partner, today: date) -> None:
    if budget is None:
        raise ValidationError("Choose the period whose funds you request.")
    if budget.partner_id != partner.pk:
        raise ValidationError("Choose one of your company's budgets.")
    if budget.period.funds_expired_at is not None or funds_expire_on(budget.period) < today:
        raise ValidationError(f"The funds of {budget.period} have expired: choose a current or future period.")


def clean_request(*, partner: Partner, budget: Budget | None, data: dict[str, Any], today: date) -> dict[str, Any]:
    """Every field checked at once: a dict of clean values, or a ValidationError keyed by field name with a
    message for each field at fault (the form shows them next to the fields)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    _collect(errors, "budget", _open_budget, budget, partner, today)
    currency = budget.currency if budget is not None else mdf_settings().currency
    clean["activity_type"] = _collect(errors, "activity_type", _choice, data.get("activity_type"))
    clean["title"] = _collect(errors, "title", clean_text, data.get("title"), what="a title", max_length=200)
    clean["description"] = _collect(
        errors,
        "description",
        clean_text,
        data.get("description"),
        what="the description",
        required=False,
        max_length=4000,
    )
    starts = clean["starts_on"] = _collect(errors, "starts_on", _day, data.get("starts_on"), "start date")
    ends = clean["ends_on"] = _collect(errors, "ends_on", _day, data.get("ends_on"), "end date")
    if starts and ends and ends < starts:
        errors.setdefault("ends_on", "The activity ends before it starts: check the dates.")
    elif ends and ends < today:
        errors.setdefault("ends_on", "This activity has already ended: funds are requested before the activity.")
    clean["expected_leads"] = _collect(errors, "expected_leads", _count, data.get("expected_leads"))
    pipeline = data.get("expected_pipeline")
    clean["expected_pipeline"] = (
        None
        if pipeline in (None, "")
        else _collect(
            errors,
            "expected_pipeline",
            clean_money,
            pipeline,
            field="expected_pipeline",
            label="expected pipeline",
            allow_zero=True,
        )
    )
    cost = clean["total_cost"] = _collect(
        errors, "total_cost", clean_money, data.get("total_cost"), field="total_cost", label="total cost"
    )
    share = clean["partner_share_percent"] = _collect(
        errors, "partner_share_percent", _share, data.get("partner_share_percent")
    )
    amount = clean["requested_amount"] = _collect(
        errors,
        "requested_amount",
        clean_money,
        data.get("requested_amount"),
        field="requested_amount",
        label="amount you request",
    )
    if amount is not None and cost is not None and share is not None and "requested_amount" not in errors:
        most = max_request(cost, share)
        if amount > most:
            errors["requested_amount"] = (
                f"You can ask for at most {format_money(most, currency)}: the total cost of "
                f"{format_money(cost, currency)} minus your share of {share.normalize():f}%."
            )
        elif "budget" not in errors:
            available = balance_of(budget).available
            if amount > available:
                errors["requested_amount"] = (
                    f"Your available balance for {budget.period} is "
                    f"{format_money(max(available, Decimal(0)), budget.currency)}. "
                    "Ask for at most that, or ask your channel manager for more funds."
                )
    if errors:
        raise ValidationError(errors)
    return clean


def _due(now) -> Any:
    return add_business_days(now, mdf_settings().review_business_days)


def request_submit(
    *,
    actor: User,
    partner: Partner,
    budget: Budget | None,
    activity_type: str,
    title: str,
    description: str = "",
    starts_on: date,
    ends_on: date,
    expected_leads: int | None = None,
    expected_pipeline: Decimal | None = None,
    total_cost: Decimal,
    partner_share_percent: Decimal = Decimal("0"),
    requested_amount: Decimal,
) -> FundRequest:
    """A partner's admin or marketing member asks for funds for an activity. The amount is at most the cost minus
    the partner's share, and within the budget's available balance. Channel managers are told; the decision is
    due within the review business days."""
    require_requester(actor, partner)
    data = {k: v for k, v in locals().items() if k in FIELDS}
    now = timezone.now()
    clean = clean_request(partner=partner, budget=budget, data=data, today=timezone.localdate())
    with transaction.atomic():
        request = FundRequest.objects.create(
            partner=partner,
            budget=budget,
            created_by=actor,
            currency=budget.currency,
            submitted_at=now,
            decision_due_at=_due(now),
            **clean,
        )
        event = audit_record(
            actor=actor,
            verb="mdf.request_submitted",
            target=request,
            partner=partner,
            after={
                "title": request.title,
                "status": request.status,
                "amount": str(request.requested_amount),
                "money": format_money(request.requested_amount, request.currency),
                "period": budget.period.name,
            },
        )
        tell_managers(event_pk=event.pk, request=request, template="mdf_request_submitted", context={"again": False})
    return request


def request_resubmit(*, actor: User, request: FundRequest, **data: Any) -> FundRequest:
    """The partner answers the channel manager's question by editing the request and sending it again (from
    "needs more information" only). The decision clock starts again."""
    require_requester(actor, request.partner)
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = lock_request(request)
        if current.status != FundRequest.Status.NEEDS_INFO:
            raise refused(current, "sent again")
        merged = {field: data.get(field, getattr(current, field)) for field in FIELDS}
        clean = clean_request(partner=current.partner, budget=current.budget, data=merged, today=timezone.localdate())
        before = {field: str(getattr(current, field)) for field in FIELDS}
        now = timezone.now()
        for field, value in clean.items():
            setattr(current, field, value)
        current.status = FundRequest.Status.SUBMITTED
        current.submitted_at = now
        current.decision_due_at = _due(now)
        current.save()
        event = audit_record(
            actor=actor,
            verb="mdf.request_resubmitted",
            target=current,
            partner=current.partner,
            before={"status": FundRequest.Status.NEEDS_INFO, **before},
            after={
                "title": current.title,
                "status": current.status,
                **{field: str(getattr(current, field)) for field in FIELDS},
            },
        )
        tell_managers(event_pk=event.pk, request=current, template="mdf_request_submitted", context={"again": True})
    return current


def request_cancel(*, actor: User, request: FundRequest, reason: str = "") -> FundRequest:
    """The partner withdraws its request (before any claim). An approved request gives its reservation back to
    the budget."""
    require_requester(actor, request.partner)
    reason = clean_text(reason, what="the reason", required=False)
    with transaction.atomic():
        current = lock_request(request)
        if current.status not in CANCELLABLE or hasattr(current, "claim"):
            raise refused(current, "cancelled")
        before = current.status
        released = Decimal("0")
        if before == FundRequest.Status.APPROVED:
            budget = lock_budget(current.budget)
            released = request_reserved(current)
            release(budget=budget, amount=released, actor=actor, request=current, memo=f"Cancelled: {current.title}")
        current.status = FundRequest.Status.CANCELLED
        current.decision_reason = reason or current.decision_reason
        current.save(update_fields=["status", "decision_reason", "updated_at"])
        event = audit_record(
            actor=actor,
            verb="mdf.request_cancelled",
            target=current,
            partner=current.partner,
            before={"status": before},
            after={"title": current.title, "status": current.status, "released": str(released)},
            reason=reason,
        )
        tell_managers(
            event_pk=event.pk,
            request=current,
            template="mdf_request_cancelled",
            context={"reason": reason, "released": format_money(released, current.currency) if released else ""},
        )
    return current


def request_extend_deadline(*, actor: User, request: FundRequest, deadline: date, reason: str) -> FundRequest:
    """A channel manager gives the partner more time to claim (audited, with a reason). An approval that already
    expired comes back to life when the budget still has the money to reserve it again."""
    require_manager(actor, what="extend claim deadlines")
    reason = clean_text(reason, what="a reason")
    if not isinstance(deadline, date):
        raise ValidationError({"deadline": "Give the new deadline."})
    today = timezone.localdate()
    if deadline < today:
        raise ValidationError({"deadline": "The new deadline is in the past: choose today or a later day."})
    with transaction.atomic():
        current = lock_request(request)
        if current.status not in (FundRequest.Status.APPROVED, FundRequest.Status.EXPIRED):
            raise refused(current, "given a later claim deadline")
        if current.claim_deadline and deadline <= current.claim_deadline:
            raise ValidationError(
                {"deadline": f"The deadline is already {fmt_date(current.claim_deadline)}: choose a later day."}
            )
        before = {"status": current.status, "claim_deadline": str(current.claim_deadline)}
        if current.status == FundRequest.Status.EXPIRED:
            budget = lock_budget(current.budget)
            available = balance_of(budget).available
            if current.approved_amount > available and not mdf_settings().allow_overspend:
                raise ValidationError(
                    "This approval expired and its "
                    f"{format_money(current.approved_amount, current.currency)} went back to "
                    f"the budget, which now has {format_money(available, current.currency)} available. Allocate more "
                    "funds first, or ask the partner to request again."
                )
            entry_add(
                budget=budget,
                kind=LedgerEntry.Kind.RESERVATION,
                amount=current.approved_amount,
                actor=actor,
                request=current,
                memo=f"Reserved again with a later claim deadline: {current.title}",
            )
            current.status = FundRequest.Status.APPROVED
        current.claim_deadline = deadline
        current.deadline_extended = True
        current.save(update_fields=["status", "claim_deadline", "deadline_extended", "updated_at"])
        event = audit_record(
            actor=actor,
            verb="mdf.deadline_extended",
            target=current,
            partner=current.partner,
            before=before,
            after={"title": current.title, "status": current.status, "claim_deadline": fmt_date(deadline)},
            reason=reason,
        )
        tell_partner(event_pk=event.pk, request=current, template="mdf_deadline_extended", context={"reason": reason})
    return current
