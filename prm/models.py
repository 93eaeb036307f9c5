"""Platform models shared by every app: the user, the audit trail and notifications."""

import hashlib
import hmac
import json
import string
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.crypto import salted_hmac
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


# --- The audit chain's keyed hashes --------------------------------------------------------------------------------
# An event's hash is HMAC-SHA256(key, previous hash + digest), where the digest is HMAC-SHA256(key, canonical JSON of
# the event's snapshot). The digest is kept apart so that a redaction event can carry the original digest: the
# verifier then recomputes the original hash without the personal data it covered. The key lives outside the
# database (AUDIT_HMAC_KEY, or derived from SECRET_KEY), so someone who can only write the table cannot recompute
# the hashes after an edit. prm/migrations/0005 keeps a frozen copy of these functions: change both together, and
# re-chain the trail in a migration, or every existing event stops verifying.

AUDIT_KEY_SALT = "prm.audit.chain"


def audit_hmac_key() -> bytes:
    """The chain's key: AUDIT_HMAC_KEY when set, otherwise derived from SECRET_KEY with a salt of its own (so it is
    never the key that signs sessions). Rotating either one re-keys the chain: re-chain in a migration first."""
    configured = getattr(settings, "AUDIT_HMAC_KEY", "") or ""
    if configured:
        return configured.encode()
    return salted_hmac(AUDIT_KEY_SALT, "audit-hmac-key", secret=settings.SECRET_KEY, algorithm="sha256").digest()


def audit_mac(message: str, *, key: bytes | None = None) -> str:
    return hmac.new(key or audit_hmac_key(), message.encode(), hashlib.sha256).hexdigest()


def audit_snapshot_digest(snapshot: dict[str, Any], *, key: bytes | None = None) -> str:
    """The keyed digest of what an event says (its snapshot); the chain hash covers this digest."""
    return audit_mac("snapshot:" + _canonical(snapshot), key=key)


def audit_chain_hash(prev_hash: str, digest: str, *, key: bytes | None = None) -> str:
    return audit_mac(prev_hash + digest, key=key)


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
    "recognition.awarded": "awarded “{title}”",
    "recognition.withdrawn": "withdrew the recognition “{title}”",
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
    "audit.redacted": "redacted personal data in earlier audit events",
    "audit.rechained": "re-anchored the audit chain on keyed snapshots ({events} events)",
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


# The snapshot's keys: what an event says, as plain values recorded when it happened. The columns of the same name
# are copies for querying; the foreign keys `actor` and `partner` are set to null when the user or partner is
# deleted, and the snapshot keeps their ids and names.
SNAPSHOT_KEYS = (
    "time",
    "actor_id",
    "actor_label",
    "actor_name",
    "partner_id",
    "partner_name",
    "target_type",
    "target_id",
    "target_label",
    "verb",
    "before",
    "after",
    "reason",
)
# Fields a redaction may blank: names, labels and free text, and single values inside before/after ("before.user").
REDACTABLE_FIELDS = ("actor_label", "actor_name", "partner_name", "target_label", "reason")
REDACTED = "[redacted]"


class AuditEvent(models.Model):
    """An append-only, hash-chained record of a state change: who did what to which object, when and why.

    What the hash covers is `snapshot`, filled once when the event is recorded (prm.audit.audit_record); the other
    columns repeat it for querying, and the verifier checks that they still agree with it."""

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
    snapshot = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="What the hash covers: ids, names and labels as they were when the event was recorded.",
    )
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

    @property
    def redacted_fields(self) -> list[str]:
        return list(self.snapshot.get("redacted", [])) if isinstance(self.snapshot, dict) else []

    def content(self) -> dict[str, Any]:
        """What the hash covers: the snapshot, as recorded."""
        return self.snapshot

    def columns_snapshot(self) -> dict[str, Any]:
        """What the plain columns say, in the snapshot's terms (the verifier compares the two)."""
        return json.loads(
            _canonical(
                {
                    "time": self.created_at.isoformat(),
                    "actor_label": self.actor_label,
                    "target_type": self.target_type,
                    "target_id": str(self.target_id),
                    "verb": self.verb,
                    "before": self.before,
                    "after": self.after,
                    "reason": self.reason,
                }
            )
        )

    def snapshot_digest(self, *, key: bytes | None = None) -> str:
        return audit_snapshot_digest(self.snapshot, key=key)

    def compute_hash(self, *, key: bytes | None = None) -> str:
        """The hash of this event as it stands (for an unredacted event, what `hash` must be)."""
        key = key or audit_hmac_key()
        return audit_chain_hash(self.prev_hash, self.snapshot_digest(key=key), key=key)


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
        "api_token_created",  # a key to the API was made or revoked: a security notice, like the above
        "api_token_revoked",
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
    ("webhook_", NotificationCategory.SETUP),
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
