"""Daily reminder sweeps of insights (registered with prm.reminders): renewals coming up, reviews coming up, overdue
action items. Every reminder's notification key names the object, the date it is about and the day count, so the
sweep may run any number of times a day and sends each reminder once, while a moved date gets new reminders."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from insights.models import ActionItem, CustomerContract, Review
from partners.models import Program
from partners.selectors import channel_managers, owner_or_managers, partner_people
from prm import reminders
from prm.models import User
from prm.notifications import notify_each

RENEWAL_REMINDER_DAYS = (60, 30)
OVERDUE_REMINDER_DAYS = (1, 7, 14, 30)  # days after the due date
BATCH = 2000


def _remind(*, key: str, users: list[User], template: str, partner, url: str, label: str, **context) -> int:
    return notify_each(key=key, users=users, template=template, partner=partner, url=url, label=label, context=context)


def _startup_people(owner: User | None, partner) -> list[User]:
    """The contract's (or item's) owner; else the partner's owner, or every channel manager."""
    if owner is not None and owner.is_active:
        return [owner]
    if partner is not None:
        return owner_or_managers(partner)
    return list(channel_managers())


@reminders.register("insights-renewals")
def remind_renewals(now: datetime) -> int:
    """The contract's owner hears 60 and 30 days before an active contract's renewal date (once each per contract
    and renewal date; a contract that first appears with 20 days left gets the 30-day reminder only)."""
    today = timezone.localdate(now)
    due = (
        CustomerContract.objects.filter(
            status=CustomerContract.Status.ACTIVE,
            renewal_on__gte=today,
            renewal_on__lte=today + timedelta(days=max(RENEWAL_REMINDER_DAYS)),
        )
        .select_related("partner", "partner__owner", "owner")
        .order_by("renewal_on", "pk")[:BATCH]
    )
    sent = 0
    for contract in due:
        left = (contract.renewal_on - today).days
        threshold = min(d for d in RENEWAL_REMINDER_DAYS if left <= d)
        sent += _remind(
            key=f"insights-renewal:{contract.pk}:{contract.renewal_on.isoformat()}:{threshold}",
            users=_startup_people(contract.owner, contract.partner),
            template="insights_renewal_reminder",
            partner=contract.partner,
            url=reverse("manage:customer_detail", args=[contract.pk]),
            label="Record the renewal",
            contract=contract,
            days_left=left,
        )
    return sent


@reminders.register("insights-reviews")
def remind_reviews(now: datetime) -> int:
    """The partner's owner (or the channel managers) and its admins hear the program's review_reminder_days before a
    scheduled review (once per review and date)."""
    program = Program.objects.filter(pk=1).first()
    days = program.review_reminder_days if program else 3
    if not days:
        return 0
    today = timezone.localdate(now)
    due = (
        Review.objects.filter(
            status=Review.Status.SCHEDULED, scheduled_on__gte=today, scheduled_on__lte=today + timedelta(days=days)
        )
        .select_related("partner", "partner__owner")
        .order_by("scheduled_on", "pk")[:BATCH]
    )
    sent = 0
    for review in due:
        key = f"insights-review-reminder:{review.pk}:{review.scheduled_on.isoformat()}"
        context = {"review": review, "days_left": (review.scheduled_on - today).days}
        sent += _remind(
            key=key,
            users=owner_or_managers(review.partner),
            template="insights_review_reminder",
            partner=review.partner,
            url=reverse("manage:review_detail", args=[review.pk]),
            label="Prepare the review",
            for_manager=True,
            **context,
        )
        sent += _remind(
            key=key,
            users=partner_people(review.partner),
            template="insights_review_reminder",
            partner=review.partner,
            url=reverse("portal:review_detail", args=[review.pk]),
            label="See the review",
            for_manager=False,
            **context,
        )
    return sent


@reminders.register("insights-action-items")
def remind_overdue_actions(now: datetime) -> int:
    """The owner of an open action item hears 1, 7, 14 and 30 days after its due date (once per item, due date and
    day count); an item without an owner goes to the partner's owner (or the channel managers)."""
    today = timezone.localdate(now)
    due = (
        ActionItem.objects.filter(done_at__isnull=True, due_on__lte=today - timedelta(days=min(OVERDUE_REMINDER_DAYS)))
        .select_related("owner", "partner", "partner__owner", "review")
        .order_by("due_on", "pk")[:BATCH]
    )
    sent = 0
    for item in due:
        late = (today - item.due_on).days
        threshold = max(d for d in OVERDUE_REMINDER_DAYS if late >= d)
        users = _startup_people(item.owner, item.partner)
        owner_is_partner = item.owner is not None and item.owner.is_active and not item.owner.is_channel_manager
        url = (
            reverse("portal:review_detail", args=[item.review_id])
            if owner_is_partner
            else reverse("manage:review_detail", args=[item.review_id])
        )
        sent += _remind(
            key=f"insights-action-overdue:{item.pk}:{item.due_on.isoformat()}:{threshold}",
            users=users,
            template="insights_action_overdue",
            partner=item.partner,
            url=url,
            label="See the action",
            item=item,
            days_late=late,
        )
    return sent
