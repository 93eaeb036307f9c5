"""One way to tell someone something: an inbox entry plus a templated email sent by a worker.

Templates live in `templates/notifications/<name>/` as `subject.txt`, `body.txt` and `body.html`. Every
notification carries an idempotency key (unique in the database), so calling `notify` twice for the same event,
or a task running twice, never sends twice.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from prm.models import Notification, User

logger = logging.getLogger("prm.notifications")


def absolute_url(path: str) -> str:
    """The address of one of our pages for an email: SITE_URL + path."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def notify(
    *,
    key: str,
    template: str,
    context: dict[str, Any],
    recipient: User | None = None,
    email: str | None = None,
    partner: Any = None,
    url: str = "",
    action_label: str = "",
    send_email: bool = True,
) -> Notification:
    """Create the notification (once per key) and queue its email when the transaction commits. With an
    `action_label`, the email gets a button of that label to `url` (`action_url` and `action_label` in the
    templates' context). The returned notification's `sent_now` says whether this call created it."""
    existing = Notification.objects.filter(idempotency_key=key).first()
    if existing is not None:
        existing.sent_now = False
        return existing
    address = email or (recipient.email if recipient else None)
    if not address:
        raise ValueError("A notification needs a recipient or an email address.")
    ctx = {"site_url": settings.SITE_URL, "recipient": recipient, "url": url}
    if action_label:
        ctx |= {"action_url": absolute_url(url), "action_label": action_label}
    ctx |= context
    subject = " ".join(render_to_string(f"notifications/{template}/subject.txt", ctx).split())
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                idempotency_key=key,
                recipient=recipient,
                email=address,
                partner=partner,
                template=template,
                subject=subject[:200],
                body_text=render_to_string(f"notifications/{template}/body.txt", ctx),
                body_html=render_to_string(f"notifications/{template}/body.html", ctx),
                url=url,
                email_status=Notification.EmailStatus.PENDING if send_email else Notification.EmailStatus.SKIPPED,
            )
    except IntegrityError:  # a concurrent caller created it first
        existing = Notification.objects.get(idempotency_key=key)
        existing.sent_now = False
        return existing
    if send_email:
        queue_email_on_commit(notification.pk)
    notification.sent_now = True
    return notification


def notify_once(**kwargs: Any) -> bool:
    """`notify`, saying whether this call sent it: False when the key was used before (a reminder sweep counts
    what it sent with this)."""
    return notify(**kwargs).sent_now


def notify_each(
    *, key: str, template: str, users: list[User], partner: Any, url: str, label: str, context: dict[str, Any]
) -> int:
    """Notify each user once per key (the user's id is added to the key), with a button to `url` and the partner
    in the context. Returns how many were sent now (a key used before sends nothing again: sweeps count with it)."""
    sent = 0
    for user in users:
        sent += notify(
            key=f"{key}:{user.pk}",
            template=template,
            recipient=user,
            partner=partner,
            url=url,
            action_label=label,
            context={"partner": partner, **context},
        ).sent_now
    return sent


class EmailClaimLost(Exception):
    """Another run already sent (or is sending) this email."""


def notification_claim_email(*, notification_id: int) -> Notification:
    """Compare-and-set pending/failed → sending, so only one worker ever sends a given email."""
    claimed = Notification.objects.filter(
        pk=notification_id,
        email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.FAILED],
    ).update(email_status=Notification.EmailStatus.SENDING, email_attempts=F("email_attempts") + 1)
    if claimed != 1:
        raise EmailClaimLost(notification_id)
    return Notification.objects.get(pk=notification_id)


def notification_send_email(*, notification_id: int) -> bool:
    """Send the email once. Returns False when there was nothing to send. Raises when the backend fails
    (the notification is then marked failed, with the error, for the task to retry)."""
    try:
        notification = notification_claim_email(notification_id=notification_id)
    except EmailClaimLost:
        return False
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.subject}",
        body=notification.body_text,
        to=[notification.email],
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    try:
        message.send()
    except Exception as exc:
        Notification.objects.filter(pk=notification_id).update(
            email_status=Notification.EmailStatus.FAILED,
            email_last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        email_status=Notification.EmailStatus.SENT, email_sent_at=timezone.now(), email_last_error=""
    )
    return True


def _queue_email(notification_id: int) -> bool:
    """Hand the email to the workers. If the broker cannot be reached the notification stays pending (the inbox
    entry exists already) and `notifications_requeue` queues it again later: never an error for the request."""
    from prm.tasks import send_notification_email

    try:
        send_notification_email.delay(notification_id)
        return True
    except Exception as exc:  # kombu/redis errors of every kind: the broker is down or unreachable
        logger.warning("Could not queue the email of notification %s (%s); it stays pending", notification_id, exc)
        return False


def queue_email_on_commit(notification_id: int) -> None:
    transaction.on_commit(lambda: _queue_email(notification_id))


REQUEUE_AFTER = timedelta(minutes=10)


def notifications_requeue(*, now: datetime | None = None) -> int:
    """Queue again the emails still pending ten minutes after they were created (their first queueing failed, or a
    worker lost them). Sending claims each one first, so an email queued twice is sent once."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            email_status=Notification.EmailStatus.PENDING, created_at__lt=now - REQUEUE_AFTER
        ).values_list("pk", flat=True)[:500]
    )
    return sum(_queue_email(pk) for pk in ids)


def notification_resend(*, notification_ids: list[int]) -> int:
    """Queue failed emails again (the admin action)."""
    ids = list(
        Notification.objects.filter(pk__in=notification_ids, email_status=Notification.EmailStatus.FAILED).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        queue_email_on_commit(pk)
    return len(ids)


# --- Inbox -----------------------------------------------------------------------------------------------------


def inbox_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).only(
        "id", "subject", "body_text", "url", "created_at", "read_at"
    )


def inbox_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of this user as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
