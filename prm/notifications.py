"""One way to tell someone something: an inbox entry plus a templated email sent by a worker.

Templates live in `templates/notifications/<name>/` as `subject.txt`, `body.txt` and `body.html`. Every
notification carries an idempotency key (unique in the database), so calling `notify` twice for the same event,
or a task running twice, never sends twice.

Preferences are honoured here, in one place, for every sender: the template's name gives the category
(`prm.models.notification_category`), the recipient's own choice (or the program's default for managers or
partner users) says how to email it: right away, in the daily summary (`prm.notification_tasks`), or not at all.
The inbox always gets the entry. Every email ends with the same footer (an unsubscribe link for its category, or
why it cannot be turned off) and carries `List-Unsubscribe` headers.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from prm.models import (
    Notification,
    NotificationCategory,
    NotificationPreference,
    User,
    notification_category,
)

Delivery = NotificationPreference.Delivery
Audience = NotificationPreference.Audience

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
    category = notification_category(template)
    action_label = action_label or (default_action_label(category) if url else "")
    ctx = {"site_url": settings.SITE_URL, "recipient": recipient, "url": url}
    if url:
        ctx |= {"action_url": absolute_url(url), "action_label": action_label}
    # The footer's unsubscribe link is for the account the mail goes to (none when it goes to another address).
    to_account = recipient if recipient is not None and address == recipient.email else None
    ctx |= footer_context(recipient=to_account, category=DAILY_SUMMARY if template == "daily_summary" else category)
    ctx |= context
    subject = " ".join(render_to_string(f"notifications/{template}/subject.txt", ctx).split())
    status = Notification.EmailStatus.SKIPPED
    if send_email:
        status = _email_status_for(recipient=recipient, category=category)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                idempotency_key=key,
                recipient=recipient,
                email=address,
                partner=partner,
                template=template,
                subject=subject[:200],
                body_text=render_text_body(template, ctx),
                body_html=render_to_string(f"notifications/{template}/body.html", ctx),
                url=url,
                action_label=action_label[:100],
                email_status=status,
            )
    except IntegrityError:  # a concurrent caller created it first
        existing = Notification.objects.get(idempotency_key=key)
        existing.sent_now = False
        return existing
    if status == Notification.EmailStatus.PENDING:
        queue_email_on_commit(notification.pk)
    notification.sent_now = True
    return notification


def _email_status_for(*, recipient: User | None, category: str) -> str:
    """The one place preferences are honoured: right away → pending (queued now), daily summary → waits for the
    digest, off → never emailed (the inbox still has it). Mails without an account or without a category (security
    and account mails) are always sent."""
    if recipient is None or not category:
        return Notification.EmailStatus.PENDING
    delivery = notification_delivery(user=recipient, category=category)
    if delivery == Delivery.DAILY:
        return Notification.EmailStatus.DIGEST
    if delivery == Delivery.OFF:
        return Notification.EmailStatus.OFF
    return Notification.EmailStatus.PENDING


def render_text_body(template: str, ctx: dict[str, Any]) -> str:
    """The text body with the shared footer, written once here rather than in every template."""
    body = render_to_string(f"notifications/{template}/body.txt", ctx).rstrip()
    action_url = ctx.get("action_url")
    if action_url and action_url not in body:  # every email links to its object, as the HTML's button does
        body += f"\n\n{ctx.get('action_label') or 'Open it'}: {action_url}"
    footer = render_to_string("notifications/_footer.txt", ctx).strip()
    return f"{body}\n\n-- \n{footer}\n"


# The button to the object when a sender gives none, by category.
ACTION_LABELS = {
    NotificationCategory.DEALS: "Open the deal registration",
    NotificationCategory.MDF: "Open it in MDF",
    NotificationCategory.ENABLEMENT: "Open your training",
    NotificationCategory.PROGRAM: "Open it in prm",
    NotificationCategory.INSIGHTS: "Open it in prm",
    NotificationCategory.SETUP: "See what changed",
}


def default_action_label(category: str) -> str:
    return ACTION_LABELS.get(category, "Open it in prm")  # type: ignore[call-overload]


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
        headers=unsubscribe_headers(notification),
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

# The daily summary repeats what the inbox already lists: it is an email only.
NOT_IN_INBOX = ("daily_summary",)


def inbox_list(*, user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user)
        .exclude(template__in=NOT_IN_INBOX)
        .only("id", "subject", "body_text", "url", "created_at", "read_at", "template", "action_label", "email_status")
    )


def inbox_get(*, user: User, pk: int) -> Notification | None:
    """One of the user's own notifications (None for anyone else's: the same answer as for an unknown id)."""
    return Notification.objects.filter(recipient=user, pk=pk).exclude(template__in=NOT_IN_INBOX).first()


MESSAGE_START, MESSAGE_END = "<!-- message -->", "<!-- /message -->"
INBOX_TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "h3", "h4", "small", "blockquote", "code"}


def inbox_message_html(notification: Notification) -> str:
    """The message part of the rendered email (no greeting chrome, button or footer), sanitised with nh3 all the
    same: it is our own template, but it carries what people typed."""
    import nh3

    html = notification.body_html
    start, end = html.find(MESSAGE_START), html.find(MESSAGE_END)
    if start == -1 or end == -1 or not html:
        # An older entry without the markers: its text body, as paragraphs.
        from django.utils.html import escape, linebreaks

        text = notification.body_text.split("\n-- \n")[0]
        return linebreaks(escape(text))
    fragment = html[start + len(MESSAGE_START) : end]
    return nh3.clean(
        fragment,
        tags=INBOX_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def inbox_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).exclude(template__in=NOT_IN_INBOX).count()


def inbox_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of this user as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True).exclude(template__in=NOT_IN_INBOX)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


# --- Preferences and defaults ----------------------------------------------------------------------------------


def audience_of(user: User) -> str:
    from prm.access import is_channel_manager

    return Audience.MANAGERS if is_channel_manager(user) else Audience.PARTNERS


def notification_delivery(*, user: User, category: str) -> str:
    """How `user` gets `category` by email: their own choice, else the program's default for their audience, else
    right away."""
    rows = dict(
        NotificationPreference.objects.filter(
            Q(user=user) | Q(user__isnull=True, audience=audience_of(user)), category=category
        ).values_list("user_id", "delivery")
    )
    return rows.get(user.pk) or rows.get(None) or Delivery.IMMEDIATELY


def notification_defaults() -> dict[str, dict[str, str]]:
    """{audience: {category: delivery}} for every audience and category (right away where nothing is set)."""
    result = {a: {c: str(Delivery.IMMEDIATELY) for c in NotificationCategory.values} for a in Audience.values}
    for audience, category, delivery in NotificationPreference.objects.filter(user__isnull=True).values_list(
        "audience", "category", "delivery"
    ):
        if audience in result and category in result[audience]:
            result[audience][category] = delivery
    return result


def notification_preferences(*, user: User) -> list[dict[str, Any]]:
    """One row per category for the preferences page: the user's own choice ("" when they follow the default), the
    default, and what applies."""
    from prm.models import CATEGORY_HELP

    own = dict(NotificationPreference.objects.filter(user=user).values_list("category", "delivery"))
    defaults = notification_defaults()[audience_of(user)]
    return [
        {
            "category": category,
            "label": label,
            "help": CATEGORY_HELP.get(category, ""),
            "own": own.get(category, ""),
            "default": defaults[category],
            "default_label": Delivery(defaults[category]).label,
            "delivery": own.get(category) or defaults[category],
        }
        for category, label in NotificationCategory.choices
    ]


def _clean_choices(choices: dict[str, str], *, allow_default: bool) -> dict[str, str]:
    allowed = set(Delivery.values) | ({""} if allow_default else set())
    cleaned, errors = {}, {}
    for category in NotificationCategory.values:
        if category not in choices:
            continue
        value = str(choices[category] or "")
        if value not in allowed:
            errors[category] = "Choose right away, daily summary or off."
        cleaned[category] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def notification_preferences_set(*, user: User, choices: dict[str, str]) -> int:
    """Save a person's own choices ({category: delivery}); "" means "follow the program's default". Returns how many
    categories changed. Only ever the user's own rows."""
    cleaned = _clean_choices(choices, allow_default=True)
    changed = 0
    with transaction.atomic():
        own = {p.category: p for p in NotificationPreference.objects.select_for_update().filter(user=user)}
        for category, delivery in cleaned.items():
            current = own.get(category)
            if not delivery:
                if current is not None:
                    current.delete()
                    changed += 1
            elif current is None:
                NotificationPreference.objects.create(user=user, category=category, delivery=delivery)
                changed += 1
            elif current.delivery != delivery:
                current.delivery = delivery
                current.save(update_fields=["delivery", "updated_at"])
                changed += 1
    return changed


def notification_defaults_set(*, actor: User, audience: str, choices: dict[str, str]) -> int:
    """Set the program's default delivery per category for channel managers or partner users (used when a person has
    no choice of their own). Each change is audited. Returns how many categories changed."""
    from prm.audit import audit_record

    if audience not in Audience.values:
        raise ValidationError("Choose whom the defaults are for: channel managers or partner users.")
    cleaned = _clean_choices(choices, allow_default=False)
    changed = 0
    with transaction.atomic():
        rows = {
            p.category: p
            for p in NotificationPreference.objects.select_for_update().filter(user__isnull=True, audience=audience)
        }
        for category, delivery in cleaned.items():
            row = rows.get(category)
            before = row.delivery if row else str(Delivery.IMMEDIATELY)
            if before == delivery:
                continue
            if row is None:
                row = NotificationPreference.objects.create(audience=audience, category=category, delivery=delivery)
            else:
                row.delivery = delivery
                row.save(update_fields=["delivery", "updated_at"])
            audit_record(
                actor=actor,
                verb="program.notification_default_changed",
                target=row,
                before={"audience": audience, "category": category, "delivery": before},
                after={"audience": audience, "category": category, "delivery": delivery},
            )
            changed += 1
    return changed


# --- Unsubscribe -----------------------------------------------------------------------------------------------

UNSUBSCRIBE_SALT = "prm.notifications.unsubscribe"
UNSUBSCRIBE_MAX_AGE = timedelta(days=365)
# In a daily summary's footer: turn off every category that comes as a daily summary.
DAILY_SUMMARY = "daily"


def unsubscribe_token(*, user: User, category: str) -> str:
    return signing.dumps({"u": user.pk, "c": category}, salt=UNSUBSCRIBE_SALT, compress=True)


class BadUnsubscribeToken(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


def unsubscribe_read(token: str) -> tuple[User, str]:
    """The user and category a token names; BadUnsubscribeToken when it was altered, is too old, or names nobody."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise BadUnsubscribeToken("expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise BadUnsubscribeToken("invalid") from None
    if not isinstance(data, dict):
        raise BadUnsubscribeToken("invalid")
    category = data.get("c")
    if category != DAILY_SUMMARY and category not in NotificationCategory.values:
        raise BadUnsubscribeToken("invalid")
    user = User.objects.filter(pk=data.get("u"), is_active=True).first() if isinstance(data.get("u"), int) else None
    if user is None:
        raise BadUnsubscribeToken("invalid")
    return user, category


def unsubscribe_categories(*, user: User, category: str) -> list[str]:
    """What a token turns off: its category, or (a daily summary's) every category that comes as a summary."""
    if category != DAILY_SUMMARY:
        return [category]
    return [row["category"] for row in notification_preferences(user=user) if row["delivery"] == Delivery.DAILY]


def unsubscribe_apply(*, user: User, category: str) -> list[str]:
    """Turn the token's categories off for this user (idempotent). Returns their labels."""
    categories = unsubscribe_categories(user=user, category=category)
    notification_preferences_set(user=user, choices=dict.fromkeys(categories, Delivery.OFF))
    return [str(NotificationCategory(c).label) for c in categories]


def unsubscribe_url(*, user: User, category: str) -> str:
    return absolute_url(reverse("notification_unsubscribe", args=[unsubscribe_token(user=user, category=category)]))


def footer_context(*, recipient: User | None, category: str) -> dict[str, Any]:
    """What the shared footer (`_email.html`, `_footer.txt`) says: the unsubscribe link of the category, or why there
    is none (no account yet; an account mail that is always sent)."""
    if recipient is None:
        return {"footer_kind": "no_account"}
    ctx: dict[str, Any] = {"preferences_url": absolute_url(reverse("notification_preferences"))}
    if not category:
        return ctx | {"footer_kind": "always"}
    label = NotificationCategory(category).label if category != DAILY_SUMMARY else "daily summaries"
    return ctx | {
        "footer_kind": "category",
        "category_label": label,
        "unsubscribe_url": unsubscribe_url(user=recipient, category=category),
    }


def unsubscribe_headers(notification: Notification) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe, for mails to an account in a category that can be turned off."""
    category = DAILY_SUMMARY if notification.template == "daily_summary" else notification.category
    if notification.recipient_id is None or not category or notification.recipient is None:
        return {}
    if notification.email != notification.recipient.email:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user=notification.recipient, category=category)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
