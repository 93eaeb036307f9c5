"""The partner company, the people in it, invitations to join it, and the channel team's notes about it."""

import hashlib
import secrets
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django_countries.fields import CountryField


class Partner(models.Model):
    """A partner company, classified along the playbook's lenses. Every field but name and type is optional."""

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

    class Function(models.TextChoices):
        BUILD = "build", "Build"
        SELL = "sell", "Sell"
        SERVICE = "service", "Service"
        INFLUENCE = "influence", "Influence"

    class Influence(models.TextChoices):
        HIGH = "high", "High"
        MID = "mid", "Mid"
        LOW = "low", "Low"

    class CommercialModel(models.TextChoices):
        RESELL = "resell", "Resell / margin"
        REFERRAL = "referral", "Referral / influence fee"
        SERVICE = "service", "Service / managed revenue"
        COCREATION = "cocreation", "Co-creation / IP"

    class RouteToMarket(models.TextChoices):
        DISTRIBUTION = "distribution", "Distribution"
        SI = "si", "System integrators"
        RESELLERS = "resellers", "Resellers"
        MARKETPLACES = "marketplaces", "Marketplaces"
        ALLIANCES = "alliances", "Alliances"

    class Region(models.TextChoices):
        NA = "na", "North America"
        LATAM = "latam", "Latin America"
        EMEA = "emea", "Europe, Middle East & Africa"
        APAC = "apac", "Asia-Pacific"

    class Segment(models.TextChoices):
        ENTERPRISE = "enterprise", "Enterprise"
        MIDMARKET = "midmarket", "Mid-market"
        SMB = "smb", "SMB"

    class Source(models.TextChoices):
        APPLICATION = "application", "Applied on the website"
        MANAGER = "manager", "Added by a channel manager"
        DISTRIBUTOR = "distributor", "Invited by a distributor"

    # Fields a partner admin must fill for the "complete the company profile" onboarding step.
    PROFILE_REQUIRED = ("website", "description", "regions", "segments", "functions")

    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Type.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ONBOARDING, db_index=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANAGER)
    functions = models.JSONField(default=list, blank=True)
    influence = models.CharField(max_length=10, choices=Influence.choices, blank=True)
    commercial_model = models.CharField(max_length=20, choices=CommercialModel.choices, blank=True)
    route_to_market = models.CharField(
        "route to market", max_length=20, choices=RouteToMarket.choices, blank=True, db_index=True
    )
    regions = models.JSONField(default=list, blank=True)
    countries = CountryField(multiple=True, blank=True)
    verticals = models.JSONField(default=list, blank=True, help_text="Industries they sell into.")
    segments = models.JSONField(default=list, blank=True)
    seller_count = models.PositiveIntegerField("number of sellers", null=True, blank=True)
    website = models.URLField(max_length=300, blank=True)
    domain = models.CharField(max_length=253, blank=True, db_index=True, help_text="Derived from the website.")
    description = models.TextField("what they sell", blank=True, max_length=4000)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The distributor this partner buys through (two-tier distribution).",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_partners",
        limit_choices_to={"is_staff": True},
        help_text="The channel manager who owns the relationship.",
    )
    tier = models.ForeignKey("partners.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="partners")
    require_mfa = models.BooleanField(
        default=False,
        help_text="Set by the partner's admins: everyone in the company must set up two-factor authentication.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_deal_at = models.DateTimeField(
        null=True, blank=True, help_text="When the partner submitted its first deal registration (time to first deal)."
    )

    class Meta:
        ordering = ("name",)
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="partner_not_own_parent"),
        ]
        indexes: ClassVar = [
            models.Index(Lower("name"), name="partner_name_lower"),
            models.Index(fields=["status", "name"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        from prm.names import registrable_domain

        self.domain = registrable_domain(self.website)
        super().save(*args, **kwargs)

    @property
    def is_distributor(self) -> bool:
        return self.type == self.Type.DISTRIBUTOR

    @property
    def time_to_activate(self) -> timedelta | None:
        if self.approved_at and self.activated_at:
            return self.activated_at - self.approved_at
        return None

    def missing_profile_fields(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in self.PROFILE_REQUIRED if not getattr(self, f)]

    def labels(self, field: str) -> list[str]:
        """Display labels of a multi-choice field (functions, regions, segments)."""
        choices = {"functions": self.Function, "regions": self.Region, "segments": self.Segment}[field]
        values = getattr(self, field) or []
        return [str(choices(v).label) for v in values if v in choices.values]


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


class PartnerNote(models.Model):
    """A channel manager's note on a partner: internal, never shown in the portal."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"Note on {self.partner} by {self.author}"
