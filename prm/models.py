"""Platform models shared by every app: the user, the audit trail and notifications."""

import hashlib
import json
import string
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.functional import cached_property

from prm.phrases import fill

CHANNEL_MANAGERS_GROUP = "Channel managers"


class EmailUserManager(UserManager):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any):  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = EmailUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ("email",)

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @cached_property
    def is_channel_manager(self) -> bool:
        """Staff who run the partner program. Superusers count, so a fresh install is usable."""
        if not (self.is_active and self.is_staff):
            return False
        return self.is_superuser or self.groups.filter(name=CHANNEL_MANAGERS_GROUP).exists()


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)


# How each verb reads in a timeline; placeholders come from the event's before/after data ("{user!p}" is a
# possessive, prm.timeline). A tuple lists sentences best first: the first whose values the event has is used.
AUDIT_SENTENCES: dict[str, str | tuple[str, ...]] = {
    "partner.created": "added the partner",
    "invitation.created": "invited {email} as {role}",
    "invitation.revoked": "cancelled the invitation to {email}",
    "invitation.accepted": "accepted the invitation",
    "membership.created": "{user} joined as {role}",
    "membership.role_changed": ("changed {user!p} role to {role}", "changed a role to {role}"),
    "membership.removed": "removed {user}",
    "partner.profile_updated": "updated the profile",
    "partner.owner_changed": "changed who owns the relationship",
    "partner.note_added": "added a note",
    "onboarding.step_completed": "completed the onboarding step “{step}”",
    "agreement.accepted": "accepted the partner agreement v{version} as {signer_name}",
    "agreement.published": "published the partner agreement v{version}",
    "partner.activated": "activated the partner: onboarding complete",
    "partner.dormant": "marked the partner dormant after {idle_days} days without activity",
    "partner.reactivated": "marked the partner active again after new activity",
    "application.submitted": "recorded the application from {contact_email}",
    "application.approved": "approved the application",
    "application.declined": "declined the application",
    "tier.changed": "changed the tier to {tier}",
    "tier.proposal_rejected": "rejected the proposal to move to {proposed_tier}",
    "tier.requirement_ticked": "confirmed “{requirement}”",
    "tier.requirement_unticked": "withdrew “{requirement}”",
}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class AuditChainHead(models.Model):
    """One row holding the newest event's hash; locking it serialises appends so the chain never forks."""

    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self) -> str:
        return self.last_hash or "(empty chain)"


class AuditEvent(models.Model):
    """An append-only, hash-chained record of a state change: who did what to which object, when and why."""

    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, help_text="Who acted, kept even if the user is deleted.")
    verb = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64)
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ("-id",)
        indexes: ClassVar = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.verb} {self.target_type}#{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only: they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        raise ValueError("Audit events are append-only: they cannot be deleted.")

    @property
    def summary(self) -> str:
        """The event in words, for activity timelines."""
        template = AUDIT_SENTENCES.get(self.verb)
        if template is None:
            return self.verb.replace(".", " ").replace("_", " ")
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        values = {**before, **after}
        templates = (template,) if isinstance(template, str) else template
        for candidate in templates[:-1]:
            if all(name in values for name in _placeholders(candidate)):
                return fill(candidate, values, strict=True)
        return fill(templates[-1], values, strict=True)

    def content(self) -> dict[str, Any]:
        """What the hash covers. partner_id is stored as the value it had when written."""
        return {
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "verb": self.verb,
            "target_type": self.target_type,
            "target_id": str(self.target_id),
            "partner_id": self.partner_id,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
        }

    def compute_hash(self) -> str:
        # Round-trip through JSON so the hash is the same before saving and after reading back.
        content = json.loads(_canonical(self.content()))
        return hashlib.sha256((self.prev_hash + _canonical(content)).encode()).hexdigest()


class Notification(models.Model):
    """One message to one person: shown in the in-app inbox (when the recipient has an account) and emailed."""

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not emailed"
        # The recipient's preference for the category: "daily summary" waits for the digest, "off" never emails.
        DIGEST = "digest", "Waiting for the daily summary"
        DIGESTED = "digested", "Sent in the daily summary"
        OFF = "off", "Not emailed (turned off)"

    idempotency_key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(help_text="Where the email goes; for invitations there is no account yet.")
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    template = models.CharField(max_length=100)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="Where the inbox entry links to.")
    action_label = models.CharField(max_length=100, blank=True, help_text="The button to `url`.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING, db_index=True
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_last_error = models.TextField(blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.email}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def category(self) -> str:
        return notification_category(self.template)

    @property
    def category_label(self) -> str:
        category = self.category
        return NotificationCategory(category).label if category else "Account"

    @property
    def excerpt(self) -> str:
        """One plain line from the text body: the first paragraph after the greeting, without links."""
        for paragraph in self.body_text.split("\n\n"):
            line = " ".join(paragraph.split())
            if not line or line.startswith(("Hello", "Hi ", "http://", "https://", "--")):
                continue
            return line if len(line) <= 160 else line[:159].rsplit(" ", 1)[0] + "…"
        return ""


# --- Notification categories and preferences ---------------------------------------------------------------------


class NotificationCategory(models.TextChoices):
    """What a person can choose how to receive. The category of a notification comes from its template's name."""

    DEALS = "deals", "Deal registration"
    MDF = "mdf", "MDF"
    ENABLEMENT = "enablement", "Training and certification"
    PROGRAM = "program", "Partner program"
    INSIGHTS = "insights", "Reviews and insights"
    SETUP = "setup", "Program changes"


CATEGORY_HELP = {
    NotificationCategory.DEALS: "Registrations submitted, decided, expiring; SLA reminders.",
    NotificationCategory.MDF: "Funds allocated or expiring, requests and claims decided or waiting, payments.",
    NotificationCategory.ENABLEMENT: "Courses completed, certifications earned, expiring or revoked; nudges.",
    NotificationCategory.PROGRAM: "Applications, onboarding, agreements, tiers, incentive plans, colleagues joining.",
    NotificationCategory.INSIGHTS: "Review reminders, action items, renewals and the weekly digest.",
    NotificationCategory.SETUP: "Changes the channel team makes to the program (tiers, checklists).",
}

# Security and account mails are always sent and cannot be turned off: an invitation (no account yet), someone's
# role or membership changing, and the daily summary itself (it is how a "daily summary" choice is delivered).
# Password and sign-in mails are sent by allauth and never pass through here.
ALWAYS_SENT_TEMPLATES = frozenset(
    {
        "invitation",
        "membership_role_changed",
        "membership_removed",
        "membership_mfa_required",
        "daily_summary",
        "security_sign_in_failures",
    }
)

# The template name's prefix decides its category; the first match wins.
CATEGORY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("deal_", NotificationCategory.DEALS),
    ("mdf_", NotificationCategory.MDF),
    ("enablement_", NotificationCategory.ENABLEMENT),
    ("insights_", NotificationCategory.INSIGHTS),
    ("setup_", NotificationCategory.SETUP),
    ("program_", NotificationCategory.SETUP),
    ("application_", NotificationCategory.PROGRAM),
    ("partner_", NotificationCategory.PROGRAM),
    ("onboarding_", NotificationCategory.PROGRAM),
    ("tier_", NotificationCategory.PROGRAM),
    ("reseller_", NotificationCategory.PROGRAM),
    ("incentives_", NotificationCategory.PROGRAM),
    ("invitation_", NotificationCategory.PROGRAM),
)


def notification_category(template: str) -> str:
    """The category of a notification template, or "" for one that is always sent (security and account mails).
    A template no prefix names falls in "Partner program", so it can still be turned off."""
    if template in ALWAYS_SENT_TEMPLATES:
        return ""
    for prefix, category in CATEGORY_PREFIXES:
        if template.startswith(prefix):
            return str(category)
    return str(NotificationCategory.PROGRAM)


class NotificationPreference(models.Model):
    """How one person wants a category of notifications by email: right away, in a daily summary, or not at all
    (the inbox always has them). A row without a user is the program's default for an audience (managers or
    partner users), set in the program setup; without either, notifications are emailed right away."""

    class Delivery(models.TextChoices):
        IMMEDIATELY = "immediately", "Right away"
        DAILY = "daily", "Daily summary"
        OFF = "off", "Off (inbox only)"

    class Audience(models.TextChoices):
        MANAGERS = "managers", "Channel managers"
        PARTNERS = "partners", "Partner users"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    audience = models.CharField(
        max_length=10, choices=Audience.choices, blank=True, help_text="For a default (no user): whom it is for."
    )
    category = models.CharField(max_length=20, choices=NotificationCategory.choices)
    delivery = models.CharField(max_length=12, choices=Delivery.choices, default=Delivery.IMMEDIATELY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=models.Q(user__isnull=False),
                name="notification_pref_one_per_user_category",
            ),
            models.UniqueConstraint(
                fields=["audience", "category"],
                condition=models.Q(user__isnull=True),
                name="notification_pref_one_default_per_audience",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, audience="")
                | models.Q(user__isnull=True, audience__in=["managers", "partners"]),
                name="notification_pref_user_or_audience",
            ),
        ]

    def __str__(self) -> str:
        who = self.user or self.get_audience_display()
        return f"{who}: {self.get_category_display()} → {self.get_delivery_display()}"


class ExchangeRate(models.Model):
    """The startup's own monthly rate: one unit of `currency` was worth `rate` units of `to_currency` in `month`.
    Entered in the manager app or imported from CSV; the app never fetches rates (DOMAIN.md "Money")."""

    currency = models.CharField(max_length=3)
    to_currency = models.CharField(max_length=3)
    month = models.DateField(help_text="The first day of the month the rate is for.")
    rate = models.DecimalField(max_digits=18, decimal_places=8)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-month", "currency")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("currency", "to_currency", "month"), name="exchange_rate_unique_month"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="exchange_rate_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate.normalize():f} {self.to_currency} ({self.month:%B %Y})"
