"""What time does to MDF: approvals not claimed by their deadline expire (their reservation goes back to the
budget), and a period's unused funds expire after its end plus the grace days (an expiry entry per budget, once:
Period.funds_expired_at records it). Both run from the daily sweep (mdf.reminders) and are idempotent."""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mdf.ledger import balance_of, entry_add, lock_budget, request_reserved
from mdf.models import Budget, FundRequest, LedgerEntry, Period
from partners.selectors import partner_people
from prm.audit import audit_record
from prm.money import format_money
from prm.notifications import notify_each

from .common import release, tell_partner
from .periods import mdf_settings

BATCH = 500


def requests_expire_due(*, now: datetime) -> int:
    """Approved requests whose claim deadline has passed without a claim expire; the partner is told. Returns
    how many expired."""
    today = timezone.localdate(now)
    due = list(
        FundRequest.objects.filter(status=FundRequest.Status.APPROVED, claim_deadline__lt=today)
        .order_by("claim_deadline", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            request = (
                FundRequest.objects.select_for_update(of=("self",))
                .select_related("partner", "budget__period", "created_by")
                .get(pk=pk)
            )
            # Checked again under the lock: a claim or an extension may have come in since.
            if request.status != FundRequest.Status.APPROVED or not request.claim_deadline < today:
                continue
            budget = lock_budget(request.budget)
            released = request_reserved(request)
            release(
                budget=budget,
                amount=released,
                actor=None,
                request=request,
                memo=f"Not claimed in time: {request.title}",
            )
            request.status = FundRequest.Status.EXPIRED
            request.save(update_fields=["status", "updated_at"])
            event = audit_record(
                actor=None,
                verb="mdf.request_expired",
                target=request,
                partner=request.partner,
                before={"status": FundRequest.Status.APPROVED},
                after={"title": request.title, "status": request.status, "released": str(released)},
            )
            tell_partner(event_pk=event.pk, request=request, template="mdf_request_expired", context={})
            expired += 1
    return expired


def periods_to_expire(today) -> list[Period]:
    grace = mdf_settings().expiry_grace_days
    return list(
        Period.objects.filter(funds_expired_at__isnull=True, ends_on__lt=today - timedelta(days=grace)).order_by(
            "starts_on"
        )
    )


def funds_expire_due(*, now: datetime) -> int:
    """Expire the unused (available) funds of every period past its end plus the grace days: one expiry entry per
    budget with money left, the partner's admins told, the period marked so it never happens twice. Reserved funds
    are not touched (their claims go on); what an expired period gets back later expires at once. Returns how many
    budgets had funds expired."""
    today = timezone.localdate(now)
    count = 0
    for candidate in periods_to_expire(today):
        with transaction.atomic():
            period = Period.objects.select_for_update().get(pk=candidate.pk)
            if period.funds_expired_at is not None:
                continue
            for budget_id in Budget.objects.filter(period=period).order_by("pk").values_list("pk", flat=True):
                budget = lock_budget(Budget(pk=budget_id))
                available = balance_of(budget).available
                if available <= 0:
                    continue
                entry_add(
                    budget=budget,
                    kind=LedgerEntry.Kind.EXPIRY,
                    amount=available,
                    memo=f"Unused funds of {period} expired",
                )
                event = audit_record(
                    actor=None,
                    verb="mdf.funds_expired",
                    target=budget,
                    partner=budget.partner,
                    after={
                        "period": period.name,
                        "amount": str(available),
                        "money": format_money(available, budget.currency),
                    },
                )
                url = reverse("portal:mdf")
                notify_each(
                    key=f"audit:{event.pk}:mdf_funds_expired",
                    template="mdf_funds_expired",
                    users=partner_people(budget.partner),
                    partner=budget.partner,
                    url=url,
                    label="See your funds",
                    context={"period": period, "amount": format_money(available, budget.currency)},
                )
                count += 1
            Period.objects.filter(pk=period.pk).update(funds_expired_at=now)
    return count


def expiring_budgets(*, today, within_days: int = 14) -> list[tuple[Budget, object]]:
    """(budget, its funds' last day) for periods whose funds expire within `within_days`, not yet expired."""
    grace = mdf_settings().expiry_grace_days
    budgets = (
        Budget.objects.filter(
            period__funds_expired_at__isnull=True,
            period__ends_on__gte=today - timedelta(days=grace),
            period__ends_on__lte=today + timedelta(days=within_days) - timedelta(days=grace),
        )
        .select_related("partner", "period")
        .order_by("period__starts_on", "pk")
    )
    return [(b, b.period.ends_on + timedelta(days=grace)) for b in budgets]
