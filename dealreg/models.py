"""Deal registration: the end customers the startup knows (accounts, its direct pipeline, its customers), the
registrations partners submit, and the conflicts found between them.

Match keys (`name_key`, `domain`) are stored normalised (prm.names) and indexed, so candidate search never scans
everything. On PostgreSQL, fuzzy candidates come from the word tables of migration 0004 (every distinct name key
and its words, kept by triggers; see dealreg/candidates.py); the pg_trgm index of migration 0002 serves the admin's
name search.
"""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django_countries.fields import CountryField

from prm.names import company_name_key, registrable_domain


class MatchKeysMixin(models.Model):
    """A company as the matcher sees it: name, website and country, with normalised keys kept in step."""

    name = models.CharField(max_length=200)
    website = models.CharField(max_length=300, blank=True)
    country = CountryField(blank=True)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    domain = models.CharField(max_length=253, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.refresh_match_keys()
        super().save(*args, **kwargs)

    def refresh_match_keys(self) -> None:
        self.name_key = company_name_key(self.name, self.country)
        self.domain = registrable_domain(self.website)


class Account(MatchKeysMixin):
    """An end customer the startup knows: a named account of its direct sales team, an existing customer, or
    simply a company in its CRM. Entered by channel managers or imported from CSV."""

    class Size(models.TextChoices):
        SMB = "smb", "SMB (under 100 people)"
        MIDMARKET = "midmarket", "Mid-market (100–999)"
        ENTERPRISE = "enterprise", "Enterprise (1,000+)"

    industry = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=20, choices=Size.choices, blank=True)
    is_named_account = models.BooleanField(
        "named account", default=False, help_text="Reserved for the direct sales team."
    )
    is_customer = models.BooleanField(
        "existing customer", default=False, help_text="Renewals and expansions are not new opportunities."
    )
    account_owner = models.CharField(max_length=160, blank=True, help_text="Who at the startup owns it.")
    external_id = models.CharField(
        "external id", max_length=100, blank=True, help_text="Its id in the startup's CRM (set by a CRM sync)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="dealreg_account_external_id_unique",
                violation_error_message="Another account already has this external id.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DirectOpportunity(models.Model):
    """An opportunity the startup's own sales team works on: the direct pipeline partners must not collide with."""

    class Stage(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="opportunities")
    title = models.CharField(max_length=200)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.OPEN, db_index=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    expected_close = models.DateField(null=True, blank=True)
    owner_name = models.CharField(max_length=160, blank=True)
    external_id = models.CharField(
        "external id", max_length=100, blank=True, help_text="Its id in the startup's CRM (set by a CRM sync)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name_plural = "direct opportunities"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="dealreg_opportunity_external_id_unique",
                violation_error_message="Another direct opportunity already has this external id.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.account})"


class DealregPolicy(models.Model):
    """The registration policy (one row, pk=1): objective, transparent and shown to partners."""

    exclusivity_days = models.PositiveSmallIntegerField(default=90)
    decision_sla_business_days = models.PositiveSmallIntegerField(default=2)
    auto_approve_without_conflict = models.BooleanField(
        default=False, help_text="Approve registrations with no conflict at all as soon as they are submitted."
    )
    max_extensions = models.PositiveSmallIntegerField(default=1)
    extension_days = models.PositiveSmallIntegerField(default=30)
    expiry_reminder_days = models.CharField(
        max_length=40, default="14,3", help_text="Remind the partner this many days before protection ends."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "deal registration policy"
        verbose_name_plural = "deal registration policy"

    def __str__(self) -> str:
        return "Deal registration policy"


class Product(models.Model):
    """One product of the startup's catalogue, kept by the channel team (program setup): partners pick from the
    active ones when they register a deal. A product registrations point to is retired, never deleted, so every
    registration keeps what it was registered for."""

    name = models.CharField(max_length=80)
    code = models.CharField(
        "SKU or code", max_length=40, blank=True, help_text="Your internal code, if you have one; partners see it."
    )
    description = models.CharField(
        max_length=200, blank=True, help_text="One line partners read next to the name, to pick the right one."
    )
    is_active = models.BooleanField(
        "offered", default=True, help_text="Retired products are no longer offered; registrations keep them."
    )
    order = models.PositiveIntegerField(default=0, help_text="Position in the list partners pick from.")
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("order", "name")
        constraints: ClassVar = [
            models.UniqueConstraint(
                Lower("name"),
                name="dealreg_product_name_ci_unique",
                violation_error_message="There is already a product with this name.",
            ),
            models.UniqueConstraint(
                Lower("code"),
                condition=~Q(code=""),
                name="dealreg_product_code_ci_unique",
                violation_error_message="Another product already has this code.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Registration(MatchKeysMixin):
    """A partner's registration of an opportunity. The inherited name/website/country describe the customer."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        NEEDS_INFO = "needs_info", "Needs more information"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WON = "won", "Won"
        LOST = "lost", "Lost"
        EXPIRED = "expired", "Expired"

    class Stage(models.TextChoices):
        DISCOVERY = "discovery", "Discovery"
        POC = "poc", "POC / pilot"
        PROPOSAL = "proposal", "Proposal"
        NEGOTIATION = "negotiation", "Negotiation"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    class Involvement(models.TextChoices):
        SOURCED = "sourced", "Sourced: we found it and lead it"
        INFLUENCED = "influenced", "Influenced: we shaped the decision, you lead"
        FULFILLED = "fulfilled", "Fulfilled: you lead, we deliver or transact"
        COSELL = "cosell", "Co-sell: developed jointly"

    # Statuses that hold (or claim) the customer: they take part in conflict detection.
    ACTIVE = (Status.SUBMITTED, Status.NEEDS_INFO, Status.APPROVED)

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="registrations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
        help_text="The known account this customer was matched to, if any.",
    )
    contact_name = models.CharField(max_length=160, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_title = models.CharField(max_length=160, blank=True)
    # `products` is the human-readable summary every list, export and the matcher read ("Platform, Analytics,
    # custom connector"). When the partner picked from the catalogue, `catalogue_products` and `other_products` (what
    # was typed under "Other") hold the picking and the service writes the summary from them; older registrations
    # and callers without a catalogue only have the text.
    products = models.CharField(max_length=300, blank=True)
    catalogue_products = models.ManyToManyField(
        Product, through="RegistrationProduct", blank=True, related_name="registrations"
    )
    other_products = models.CharField(
        max_length=200, blank=True, help_text="What the partner wrote under “Other” (not in the catalogue)."
    )
    value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, default="USD")
    expected_close = models.DateField(null=True, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DISCOVERY)
    passed_poc = models.BooleanField(default=False, help_text="Set once the deal has been through a POC stage.")
    involvement = models.CharField(max_length=20, choices=Involvement.choices, default=Involvement.SOURCED)
    notes = models.TextField(blank=True, max_length=4000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    has_conflict = models.BooleanField(default=False, db_index=True)
    has_priority = models.BooleanField(
        default=False, help_text="First to register this customer among active registrations (the policy)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed: the insights roll-ups refresh the months of registrations changed since their watermark. Every
    # queryset .update() of a registration sets it too (auto_now only covers save()).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decision_due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    protected_until = models.DateTimeField(null=True, blank=True, db_index=True)
    extensions_used = models.PositiveSmallIntegerField(default=0)
    extension_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while the partner's request for a longer protection awaits a decision."
    )
    extension_reason = models.TextField(blank=True, help_text="Why the partner asked for the pending extension.")
    won_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes: ClassVar = [
            models.Index(fields=["partner", "status"]),
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["partner", "submitted_at"]),
            models.Index(fields=["status", "closed_at"]),
            models.Index(
                fields=["partner"],
                condition=Q(stage="poc", status__in=["submitted", "needs_info", "approved"]),
                name="registration_open_poc",
            ),
            # The channel team's queue (counts and SLA clocks on every manager page): only the waiting ones.
            models.Index(fields=["decision_due_at"], condition=Q(status="submitted"), name="registration_awaiting"),
            models.Index(fields=["domain"], condition=~Q(domain=""), name="registration_domain_set"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner})"


class RegistrationProduct(models.Model):
    """A catalogue product a registration is for. PROTECT: a product a registration points to cannot be deleted
    (retire it instead)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["registration", "product"], name="dealreg_registration_product_unique")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.product_id}"


class Conflict(models.Model):
    """Something a registration collides with, as found on submission, with the matcher's verdict and reasons."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", "Another partner's registration"
        OPPORTUNITY = "opportunity", "Direct pipeline"
        NAMED_ACCOUNT = "named_account", "Named account"
        CUSTOMER = "customer", "Existing customer"

    class Verdict(models.TextChoices):
        SAME = "same", "Same customer"
        POSSIBLE = "possible", "Possibly the same customer"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    other_registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(
        DirectOpportunity, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    found_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-score", "pk")

    def __str__(self) -> str:
        return f"{self.registration}: {self.get_kind_display()} ({self.verdict}, {self.score})"
