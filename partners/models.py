"""The partner company, the people in it, and invitations to join it (the core; the partners issue extends it)."""

import hashlib
import secrets
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class Partner(models.Model):
    class Type(models.TextChoices):
        GSI = "gsi", "Global SI"
        SI = "si", "System integrator"
        ISV = "isv", "ISV / co-sell"
        RESELLER = "reseller", "Reseller"
        DISTRIBUTOR = "distributor", "Distributor"
        VAR = "var", "Value-added reseller"
        MSP = "msp", "MSP / CSP"
        CONSULTANT = "consultant", "Consultant / influencer"
        ALLIANCE = "alliance", "Technology alliance"
        MARKETPLACE = "marketplace", "Marketplace"
        DESIGN = "design", "Design partner"

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        DECLINED = "declined", "Declined"
        ONBOARDING = "onboarding", "Onboarding"
        ACTIVE = "active", "Active"
        DORMANT = "dormant", "Dormant"
        OFFBOARDED = "offboarded", "Offboarded"

    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Type.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ONBOARDING, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The distributor this partner buys through (two-tier distribution).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("name"), name="partner_name_unique_ci"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="partner_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerMembership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        SALES = "sales", "Sales"
        TECHNICAL = "technical", "Technical"
        MARKETING = "marketing", "Marketing"
        FINANCE = "finance", "Finance"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SALES)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("partner", "user__email")
        # OneToOne on user already means "a user belongs to at most one partner".

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.partner})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _default_expiry():
    return timezone.now() + timedelta(days=settings.PRM_INVITATION_VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An invitation to join a partner with a role. Only the token's hash is stored; the link carries the token."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=PartnerMembership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_default_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        constraints: ClassVar = [
            # One open invitation per person and partner; re-inviting replaces the old one.
            models.UniqueConstraint(
                "partner",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.partner} ({self.get_role_display()})"

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)

    @classmethod
    def find(cls, token: str) -> "Invitation | None":
        return cls.objects.select_related("partner", "invited_by").filter(token_hash=_hash_token(token)).first()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return self.State(self.state).label
