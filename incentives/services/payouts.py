"""Payout runs (issue 16, item 4): a channel manager with the finance permission (or a program admin) selects a
period, sees the approved lines earned in it per partner and currency, excludes lines with a reason, approves the
run, exports it for finance, and marks it paid with the payment reference and date.

- A draft selects its lines live: approved lines earned in the period that no run has claimed and that are not
  excluded from this run. A held or accrued line is never in a run.
- Approving claims the lines for the run with a compare-and-set (`payout_run IS NULL`) in the same transaction
  that moves the run draft → approved: a line is in one run only, and two managers approving overlapping runs at
  the same moment never pay a line twice (the second claims what is left, or is refused when nothing is).
- Marking paid moves the run's lines to paid and tells each partner what was paid; cancelling releases the lines.
Every change is audit-recorded.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from incentives.models import EarningLine, PayoutExclusion, PayoutRun
from partners.selectors import channel_managers, partner_people
from partners.services.setup import PERMISSION as PROGRAM_PERMISSION
from partners.services.setup import can_manage_program
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import User
from prm.money import Totals
from prm.notifications import notify

FINANCE_GROUP = "Finance"
PERMISSION = "incentives.manage_payouts"
REASON_MAX = 1000
REFERENCE_MAX = 120


def can_run_payouts(user: Any) -> bool:
    """A channel manager with the finance permission, or a program admin."""
    return is_channel_manager(user) and (can_manage_program(user) or user.has_perm(PERMISSION))


def finance_group() -> Group:
    """The "Finance" group holding the payout permission (migration 0003 creates it; this puts it back)."""
    group, _ = Group.objects.get_or_create(name=FINANCE_GROUP)
    content_type = ContentType.objects.get_for_model(PayoutRun)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="manage_payouts",
        defaults={"name": "Can prepare, approve and mark payout runs paid (finance)"},
    )
    group.permissions.add(permission)
    return group


def payout_runners() -> QuerySet[User]:
    """Who a plain channel manager can ask to run payouts: channel managers in the Finance group or with the
    permission, program admins, superusers."""
    q = Q(is_superuser=True)
    for dotted in (PERMISSION, PROGRAM_PERMISSION):
        app_label, codename = dotted.split(".")
        q |= Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
        q |= Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    return channel_managers().filter(pk__in=User.objects.filter(q).values("pk")).order_by("-is_superuser", "email")


def _require(actor: User) -> None:
    if not can_run_payouts(actor):
        raise ValidationError(
            f"Only program admins and the “{FINANCE_GROUP}” group run payouts: ask one of them, or an administrator."
        )


def _reason(reason: Any, *, what: str) -> str:
    text = str(reason or "").strip()
    if not text:
        raise ValidationError({"reason": [f"Say why {what}: it is kept with the run."]})
    if len(text) > REASON_MAX:
        raise ValidationError({"reason": [f"Keep the reason under {REASON_MAX:,} characters."]})
    return text


# --- Reads -------------------------------------------------------------------------------------------------------


def eligible_lines(period_start: date, period_end: date) -> QuerySet[EarningLine]:
    """Approved lines earned in the period that no run has claimed."""
    return EarningLine.objects.filter(
        state=EarningLine.State.APPROVED,
        payout_run__isnull=True,
        earned_on__gte=period_start,
        earned_on__lte=period_end,
    )


def run_lines(run: PayoutRun) -> QuerySet[EarningLine]:
    """A draft's lines (what approving would claim); an approved or paid run's claimed lines."""
    if run.status == PayoutRun.Status.DRAFT:
        lines = eligible_lines(run.period_start, run.period_end).exclude(payout_exclusions__run=run)
    else:
        lines = EarningLine.objects.filter(payout_run=run)
    return lines.select_related("partner", "registration", "renewal__contract").order_by("partner__name", "pk")


def run_exclusions(run: PayoutRun) -> QuerySet[PayoutExclusion]:
    return run.exclusions.select_related("line__partner", "line__registration", "excluded_by").order_by("line__pk")


@dataclass
class PartnerTotal:
    partner: Any
    lines: int
    total: Totals


def run_totals(run: PayoutRun, lines: QuerySet[EarningLine] | None = None) -> tuple[list[PartnerTotal], Totals]:
    """Per partner (its line count and total per currency) and the run's total per currency."""
    per: dict[int, PartnerTotal] = {}
    overall = Totals()
    for line in lines if lines is not None else run_lines(run):
        row = per.setdefault(line.partner_id, PartnerTotal(line.partner, 0, Totals()))
        row.lines += 1
        row.total.add(line.amount, line.currency)
        overall.add(line.amount, line.currency)
    return sorted(per.values(), key=lambda r: r.partner.name.lower()), overall


def runs_with_totals(limit: int = 100) -> list[PayoutRun]:
    """The latest runs, each with `partners` (how many) and `total` (per currency), in a fixed number of queries:
    one for the runs, one for the lines claimed by approved and paid runs, one per draft (drafts select live, and
    there are few of them at a time)."""
    runs = list(PayoutRun.objects.select_related("approved_by", "paid_by").order_by("-period_end", "-pk")[:limit])
    claimed: dict[int, tuple[set[int], Totals]] = {run.pk: (set(), Totals()) for run in runs}
    grouped = (
        EarningLine.objects.filter(payout_run__in=[r.pk for r in runs if r.status != PayoutRun.Status.DRAFT])
        .values_list("payout_run", "partner", "currency")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for run_pk, partner_pk, currency, amount in grouped:
        partners, total = claimed[run_pk]
        partners.add(partner_pk)
        total.add(amount, currency)
    for run in runs:
        if run.status == PayoutRun.Status.DRAFT:
            rows, run.total = run_totals(run)
            run.partners = len(rows)
        else:
            partners, run.total = claimed[run.pk]
            run.partners = len(partners)
    return runs


# --- Writes ------------------------------------------------------------------------------------------------------


def run_create(*, actor: User, period_start: Any, period_end: Any, notes: str = "") -> PayoutRun:
    _require(actor)
    errors: dict[str, list[str]] = {}
    if not isinstance(period_start, date):
        errors["period_start"] = ["Give the first day of the period."]
    if not isinstance(period_end, date):
        errors["period_end"] = ["Give the last day of the period."]
    if not errors and period_end < period_start:
        errors["period_end"] = ["The period cannot end before it starts."]
    notes = str(notes or "").strip()
    if len(notes) > 2000:
        errors["notes"] = ["Keep the notes under 2,000 characters."]
    if errors:
        raise ValidationError(errors)
    if not eligible_lines(period_start, period_end).exists():
        raise ValidationError(
            "No approved line was earned in this period and is waiting for payment: nothing to pay. Lines are "
            "approved once their payable date has come; held lines wait until they are released."
        )
    with transaction.atomic():
        run = PayoutRun.objects.create(period_start=period_start, period_end=period_end, notes=notes, created_by=actor)
        audit_record(
            actor=actor,
            verb="payouts.run_created",
            target=run,
            after={"period_start": period_start.isoformat(), "period_end": period_end.isoformat()},
        )
    return run


def _draft(run: PayoutRun) -> PayoutRun:
    current = PayoutRun.objects.select_for_update().get(pk=run.pk)
    if current.status != PayoutRun.Status.DRAFT:
        raise ValidationError(f"This run is {current.get_status_display().lower()}: its lines no longer change.")
    return current


def line_exclude(*, actor: User, run: PayoutRun, line: EarningLine, reason: Any) -> PayoutExclusion:
    """Leave a line out of a draft run (it stays approved, for a later run)."""
    _require(actor)
    text = _reason(reason, what="the line is left out")
    with transaction.atomic():
        current = _draft(run)
        if not run_lines(current).filter(pk=line.pk).exists():
            raise ValidationError(f"Line #{line.pk} is not in this run.")
        exclusion = PayoutExclusion.objects.create(run=current, line=line, reason=text, excluded_by=actor)
        audit_record(
            actor=actor,
            verb="payouts.line_excluded",
            target=current,
            partner=line.partner,
            after={"line": line.pk},
            reason=text,
        )
    return exclusion


def line_include(*, actor: User, run: PayoutRun, line: EarningLine) -> None:
    """Put an excluded line back into a draft run."""
    _require(actor)
    with transaction.atomic():
        current = _draft(run)
        deleted, _ = PayoutExclusion.objects.filter(run=current, line=line).delete()
        if not deleted:
            raise ValidationError(f"Line #{line.pk} was not left out of this run.")
        audit_record(
            actor=actor, verb="payouts.line_included", target=current, partner=line.partner, after={"line": line.pk}
        )


def run_approve(*, actor: User, run: PayoutRun) -> int:
    """Approve a draft: claim its lines for this run (compare-and-set, so a line claimed by another run a moment ago
    is not claimed twice). Refused, with nothing saved, when there is nothing left to claim. Returns the count."""
    _require(actor)
    with transaction.atomic():
        current = _draft(run)
        wanted = list(run_lines(current).values_list("pk", flat=True))
        claimed = EarningLine.objects.filter(
            pk__in=wanted, state=EarningLine.State.APPROVED, payout_run__isnull=True
        ).update(payout_run=current, updated_at=timezone.now())
        if not claimed:
            transaction.set_rollback(True)
            raise ValidationError(
                "Nothing to approve: every line of this period is left out, held, or in another run already."
            )
        current.status = PayoutRun.Status.APPROVED
        current.approved_by = actor
        current.approved_at = timezone.now()
        current.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        _, total = run_totals(current)
        audit_record(
            actor=actor,
            verb="payouts.run_approved",
            target=current,
            after={"lines": claimed, "total": {currency: str(amount) for amount, currency in total}},
        )
    return claimed


def run_mark_paid(*, actor: User, run: PayoutRun, payment_reference: Any, paid_on: Any) -> PayoutRun:
    """Record the payment of an approved run: its lines are paid, and each partner is told what it was paid."""
    _require(actor)
    errors: dict[str, list[str]] = {}
    reference = str(payment_reference or "").strip()
    if not reference:
        errors["payment_reference"] = ["Give the payment reference finance used (bank transfer, batch number)."]
    elif len(reference) > REFERENCE_MAX:
        errors["payment_reference"] = [f"Keep the reference under {REFERENCE_MAX} characters."]
    if not isinstance(paid_on, date):
        errors["paid_on"] = ["Give the day the payment was made."]
    elif paid_on > timezone.localdate():
        errors["paid_on"] = ["The payment date cannot be in the future: mark the run paid once it is."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = PayoutRun.objects.select_for_update().get(pk=run.pk)
        if current.status != PayoutRun.Status.APPROVED:
            raise ValidationError(
                f"This run is {current.get_status_display().lower()}: only an approved run is marked paid."
            )
        now = timezone.now()
        EarningLine.objects.filter(payout_run=current, state=EarningLine.State.APPROVED).update(
            state=EarningLine.State.PAID, paid_at=now, updated_at=now
        )
        current.status = PayoutRun.Status.PAID
        current.paid_by, current.paid_at = actor, now
        current.paid_on, current.payment_reference = paid_on, reference
        current.save(update_fields=["status", "paid_by", "paid_at", "paid_on", "payment_reference", "updated_at"])
        event = audit_record(
            actor=actor,
            verb="payouts.run_paid",
            target=current,
            after={"payment_reference": reference, "paid_on": paid_on.isoformat()},
        )
        rows, _ = run_totals(current)
        lines_of: dict[int, list[EarningLine]] = defaultdict(list)
        for line in run_lines(current):  # one query for every partner's lines
            lines_of[line.partner_id].append(line)
        for row in rows:
            lines = lines_of[row.partner.pk]
            audit_record(
                actor=actor,
                verb="earnings.paid",
                target=current,
                partner=row.partner,
                after={"lines": [ln.pk for ln in lines], "payment_reference": reference},
            )
            for user in partner_people(row.partner, roles=("finance",)):
                notify(
                    key=f"audit:{event.pk}:incentives_payout_paid:{row.partner.pk}:{user.pk}",
                    template="incentives_payout_paid",
                    recipient=user,
                    partner=row.partner,
                    url=reverse("portal:earnings"),
                    action_label="See your earnings",
                    context={
                        "partner": row.partner,
                        "run": current,
                        "lines": lines,
                        "total": row.total,
                        "reference": reference,
                        "paid_on": paid_on,
                    },
                )
    return current


def run_cancel(*, actor: User, run: PayoutRun, reason: Any) -> PayoutRun:
    """Cancel a draft or approved run (never a paid one): its lines are released for a later run."""
    _require(actor)
    text = _reason(reason, what="the run is cancelled")
    with transaction.atomic():
        current = PayoutRun.objects.select_for_update().get(pk=run.pk)
        if current.status not in (PayoutRun.Status.DRAFT, PayoutRun.Status.APPROVED):
            raise ValidationError(f"This run is {current.get_status_display().lower()}: it cannot be cancelled.")
        released = EarningLine.objects.filter(payout_run=current).update(payout_run=None, updated_at=timezone.now())
        before = current.status
        current.status = PayoutRun.Status.CANCELLED
        current.cancelled_reason = text
        current.save(update_fields=["status", "cancelled_reason", "updated_at"])
        audit_record(
            actor=actor,
            verb="payouts.run_cancelled",
            target=current,
            before={"status": before},
            after={"status": "cancelled", "released": released},
            reason=text,
        )
    return current
