"""Thin tasks: take ids, re-read, call a service. Safe to run twice."""

import logging

from celery import shared_task
from django.utils import timezone

from prm import reminders
from prm.notifications import notification_send_email

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, acks_late=True)
def send_notification_email(self, notification_id: int) -> bool:
    try:
        return notification_send_email(notification_id=notification_id)
    except Exception as exc:
        # Exponential backoff: 1, 2, 4, 8, 16 minutes. After the last try it stays "failed" in admin.
        if self.request.retries >= self.max_retries:
            logger.error(
                "Email for notification %s failed (%s); giving up after %s tries",
                notification_id,
                exc,
                self.request.retries + 1,
            )
            return False
        countdown = 60 * (2**self.request.retries)
        logger.warning("Email for notification %s failed (%s); retry in %ss", notification_id, exc, countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task
def reminders_sweep() -> dict[str, int | str]:
    return reminders.run_all(timezone.now())


@shared_task
def ping() -> str:
    """Used by /healthz-style checks and the broker round-trip test."""
    return "pong"


@shared_task
def notifications_requeue() -> int:
    """Emails still pending after ten minutes are queued again (the broker was down when they were created)."""
    from prm.notifications import notifications_requeue as requeue

    return requeue()
