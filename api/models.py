"""API tokens: a person's key to the JSON API, acting with exactly that person's permissions.

Only the SHA-256 of the token's secret is stored; the token itself (`prm_<prefix>_<secret>`) is shown once when it
is made. The prefix is stored in clear (indexed, unique): it finds the row and lets people tell their tokens apart.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    # Set for a partner member's token: the token then acts in that partner only, and stops working if its owner
    # leaves the company. Empty for a channel manager's (staff) token.
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “Salesforce sync”.")
    prefix = models.CharField(max_length=8, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = "API token"
        indexes: ClassVar = [
            models.Index(fields=["partner", "revoked_at"]),
            models.Index(fields=["user", "revoked_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} (prm_{self.prefix}_…)"

    @property
    def display_prefix(self) -> str:
        return f"prm_{self.prefix}_…"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.is_expired() else "active"
