"""Webhook endpoints the channel team registers, and the deliveries (with each HTTP attempt) made to them."""

import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q


def new_secret() -> str:
    """The signing secret: 32 random bytes, URL-safe, with a prefix that says what it is when it leaks in a log."""
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL that receives the events it subscribes to (`events` empty: every event), signed with `secret`."""

    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, blank=True, help_text="Event types it receives; empty means all.")
    secret = models.CharField(max_length=100, default=new_secret)
    is_active = models.BooleanField(default=True, db_index=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    failure_count = models.PositiveIntegerField(default=0, help_text="Failed attempts in a row (any delivery).")
    failing_since = models.DateTimeField(null=True, blank=True, help_text="The first of those failed attempts.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.description or self.url

    def receives(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class WebhookDelivery(models.Model):
    """One event for one endpoint. Retries are attempts on the same delivery, so `event_id` stays the same (the
    receiver deduplicates by it); a manual redeliver is one more attempt, with the same event id."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed, will retry"
        GAVE_UP = "gave_up", "Gave up"

    OPEN = (Status.PENDING, Status.FAILED)

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4)
    event_type = models.CharField(max_length=60, db_index=True)
    payload = models.JSONField(help_text="The body posted (id, type, created_at, data).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    first_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Start of the retry window (a manual redeliver starts a new one)."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=1000, blank=True)
    error = models.TextField(blank=True)
    manual = models.BooleanField(default=False, help_text="The next attempt was asked for by a person.")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes: ClassVar = [
            models.Index(fields=("endpoint", "-created_at")),
            models.Index(
                fields=("next_attempt_at",), condition=Q(status__in=("pending", "failed")), name="webhook_due"
            ),
        ]
        constraints: ClassVar = [
            # One delivery per event and endpoint: fanning out the same audit event twice creates nothing more.
            models.UniqueConstraint(fields=("endpoint", "event_id"), name="webhook_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery, as the log shows it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    manual = models.BooleanField(default=False, help_text="Asked for by a person (redeliver).")
    started_at = models.DateTimeField()
    succeeded = models.BooleanField(default=False)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=1000, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("delivery", "number")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("delivery", "number"), name="webhook_attempt_number_once"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.delivery_id}"
