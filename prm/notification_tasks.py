"""The daily summary: one email per person per day listing the notifications they chose to get that way.

A notification whose category the recipient gets as a "daily summary" is created with the email status `digest`
(`prm.notifications.notify` decides, in one place). Once a day the beat runs `send_daily_summaries`: for each person
with waiting notifications it sends one `daily_summary` email (its idempotency key names the person and the day,
so a second run the same day sends nothing) and marks what it listed as `digested`.
"""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from prm.models import Notification, User
from prm.notifications import absolute_url, notify

SUMMARY_TEMPLATE = "daily_summary"


def daily_summary_key(*, user: User, day: date) -> str:
    return f"daily-summary:{user.pk}:{day.isoformat()}"


def _groups(items: list[Notification]) -> list[dict[str, Any]]:
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_label[item.category_label].append(
            {
                "subject": item.subject,
                "excerpt": item.excerpt,
                "url": absolute_url(item.url or reverse("inbox_message", args=[item.pk])),
                "created_at": item.created_at,
            }
        )
    return [{"label": label, "items": rows} for label, rows in sorted(by_label.items())]


def daily_summary_send(*, user: User, now: datetime | None = None) -> bool:
    """Send `user` today's summary of the notifications waiting for it, at most once a day. Returns whether it was
    sent now (False when there was nothing waiting or today's summary went out already)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    key = daily_summary_key(user=user, day=day)
    if Notification.objects.filter(idempotency_key=key).exists():
        return False
    with transaction.atomic():
        items = list(
            Notification.objects.select_for_update()
            .filter(recipient=user, email_status=Notification.EmailStatus.DIGEST, created_at__lte=now)
            .order_by("created_at", "pk")
        )
        if not items:
            return False
        summary = notify(
            key=key,
            template=SUMMARY_TEMPLATE,
            recipient=user,
            url=reverse("inbox"),
            action_label="Open your inbox",
            context={"day": day, "count": len(items), "groups": _groups(items)},
        )
        if not summary.sent_now:
            return False  # another run was quicker: it lists (and marks) these
        Notification.objects.filter(
            pk__in=[item.pk for item in items], email_status=Notification.EmailStatus.DIGEST
        ).update(email_status=Notification.EmailStatus.DIGESTED)
    return True


def daily_summaries_send(*, now: datetime | None = None) -> int:
    """Every person's daily summary (the beat task). Returns how many were sent."""
    now = now or timezone.now()
    user_ids = (
        Notification.objects.filter(
            email_status=Notification.EmailStatus.DIGEST, recipient__isnull=False, created_at__lte=now
        )
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    users = User.objects.filter(pk__in=list(user_ids), is_active=True).order_by("pk")
    return sum(daily_summary_send(user=user, now=now) for user in users)


@shared_task
def send_daily_summaries() -> int:
    return daily_summaries_send()
