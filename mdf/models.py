"""Market development funds as a ledger.

A partner's budget for a period holds no balance of its own: every movement of money is a `LedgerEntry`
(allocation, reservation on approval, release, payout, expiry), and the balance (allocated, reserved, paid,
expired, available) is the sum of its entries, computed in the database (mdf.ledger). Writes that depend on the
balance lock the budget row first (select_for_update), so two approvals racing against the same budget are
serialised and never both spend the same money.

Money is `Decimal` with two places and the budget's currency code; amounts are rounded to the cent, half up,
except the most a partner may request (cost × (1 − share)), which is rounded down so it never exceeds the share.
"""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from prm.uploads import private_storage, upload_path

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


def _default_currency() -> str:
    return getattr(settings, "PRM_CURRENCY", "USD")


class MdfSettings(models.Model):
    """The MDF program's settings. One row (pk=1); `mdf.services.mdf_settings()` creates it on first use."""

    class PeriodLength(models.IntegerChoices):
        QUARTER = 3, "Fiscal quarter"
        HALF = 6, "Fiscal half-year"
        YEAR = 12, "Fiscal year"

    currency = models.CharField(max_length=3, default=_default_currency, help_text="ISO code of every MDF amount.")
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="1 = January. Periods are counted from it.",
    )
    period_months = models.PositiveSmallIntegerField(choices=PeriodLength.choices, default=PeriodLength.QUARTER)
    expiry_grace_days = models.PositiveSmallIntegerField(
        default=0, help_text="Unused funds expire this many days after their period ends."
    )
    claim_days = models.PositiveSmallIntegerField(
        default=60, help_text="A claim must be filed within this many days after the activity ends."
    )
    review_business_days = models.PositiveSmallIntegerField(
        default=2, help_text="Requests and claims should be decided within this many business days."
    )
    admin_approval_above = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Requests approved above this amount also need an admin's approval. Empty: one approval.",
    )
    allow_overspend = models.BooleanField(
        default=False, help_text="Allow approvals beyond the available balance (the balance goes negative)."
    )
    claim_reminder_days = models.CharField(
        max_length=40, default="15,5,1", help_text="Remind the partner this many days before its claim deadline."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "MDF settings"
        verbose_name_plural = "MDF settings"

    def __str__(self) -> str:
        return "MDF settings"


class Period(models.Model):
    """A fiscal period (a quarter by default). Created on demand by `mdf.services.period_for(date)`."""

    name = models.CharField(max_length=40)  # "FY2026 Q3"
    starts_on = models.DateField(unique=True)
    ends_on = models.DateField()
    funds_expired_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the unused funds of this period were expired (once)."
    )

    class Meta:
        ordering = ("-starts_on",)
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="mdf_period_dates")
        ]

    def __str__(self) -> str:
        return self.name


class TierPool(models.Model):
    """Optional: an amount set aside for the partners of a tier in a period; allocations may draw from it."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="pools")
    tier = models.ForeignKey("partners.Tier", on_delete=models.PROTECT, related_name="mdf_pools")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(max_length=3, default=_default_currency)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("period", "tier__rank")
        constraints: ClassVar = [models.UniqueConstraint(fields=("period", "tier"), name="mdf_pool_once_per_tier")]

    def __str__(self) -> str:
        return f"{self.tier} pool, {self.period}"


class Budget(models.Model):
    """A partner's funds for a period. Its balance is the sum of its ledger entries (mdf.ledger.balance_of)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="mdf_budgets")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="budgets")
    currency = models.CharField(max_length=3, default=_default_currency)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-period__starts_on", "partner__name")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("partner", "period"), name="mdf_budget_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.partner}, {self.period}"


class FundRequest(models.Model):
    """A partner's request for funds for a marketing activity, and its approval (which reserves the amount)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        NEEDS_INFO = "needs_info", "Needs more information"
        AWAITING_ADMIN = "awaiting_admin", "Awaiting admin approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired (not claimed in time)"
        CLAIMED = "claimed", "Claim filed"
        CLOSED = "closed", "Closed"

    class ActivityType(models.TextChoices):
        EVENT = "event", "Event"
        WEBINAR = "webinar", "Webinar"
        DIGITAL = "digital", "Digital campaign"
        CONTENT = "content", "Content"
        TRAINING = "training", "Training"
        OTHER = "other", "Other"

    # Statuses waiting for a channel manager (the review queue).
    IN_REVIEW = (Status.SUBMITTED, Status.AWAITING_ADMIN)
    # Statuses that hold a reservation on the budget.
    RESERVING = (Status.APPROVED, Status.CLAIMED)

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="mdf_requests")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="requests")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)

    activity_type = models.CharField(max_length=20, choices=ActivityType.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    expected_leads = models.PositiveIntegerField(null=True, blank=True)
    expected_pipeline = models.DecimalField(**MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO)])
    total_cost = models.DecimalField(**MONEY, validators=[MinValueValidator(ZERO)])
    partner_share_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    requested_amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, default=_default_currency)

    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decision_due_at = models.DateTimeField(null=True, blank=True)
    info_requested = models.TextField(blank=True, help_text="What the channel manager asked for (needs info).")
    approved_amount = models.DecimalField(**MONEY, null=True, blank=True)
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    claim_deadline = models.DateField(null=True, blank=True, help_text="Set on approval: end + the claim days.")
    deadline_extended = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)
        indexes: ClassVar = [models.Index(fields=("partner", "status"), name="mdf_request_partner_status")]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="mdf_request_dates"),
            models.CheckConstraint(
                condition=Q(requested_amount__lte=models.F("total_cost")), name="mdf_request_le_cost"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Claim(models.Model):
    """The partner's claim after the activity: what it cost, what it asks back, proof and results; then payout."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        NEEDS_INFO = "needs_info", "More proof needed"
        APPROVED = "approved", "Approved, payment due"
        REJECTED = "rejected", "Rejected"
        PAID = "paid", "Paid"

    IN_REVIEW = (Status.SUBMITTED,)

    request = models.OneToOneField(FundRequest, on_delete=models.PROTECT, related_name="claim")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="mdf_claims")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    actual_cost = models.DecimalField(**MONEY, validators=[MinValueValidator(ZERO)])
    amount_claimed = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, default=_default_currency)
    leads = models.PositiveIntegerField(null=True, blank=True)
    results = models.TextField(max_length=4000, blank=True, help_text="What the activity achieved, in words.")

    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decision_due_at = models.DateTimeField(null=True, blank=True)
    info_requested = models.TextField(blank=True)
    approved_amount = models.DecimalField(**MONEY, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    paid_amount = models.DecimalField(**MONEY, null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    payout_reference = models.CharField(max_length=120, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"Claim for {self.request}"


class ProofFile(models.Model):
    """Proof of performance attached to a claim. Stored privately; served only to its partner and managers."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        PHOTO = "photo", "Photo"
        ATTENDEES = "attendees", "Attendee list"
        LEADS = "leads", "Lead list"
        OTHER = "other", "Other"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="proofs")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    file = models.FileField(storage=private_storage, upload_to=upload_path("mdf/proof"), max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("uploaded_at",)

    def __str__(self) -> str:
        return self.original_name


class LedgerEntry(models.Model):
    """One movement of money on a budget. Entries are only ever appended (a correction is a new entry).

    Effects on the balance buckets (amount is positive, except an allocation may be negative to correct one):
    allocation: allocated += amount · reservation: reserved += amount · release: reserved -= amount ·
    payout: reserved -= amount, paid += amount · expiry: expired += amount.
    available = allocated − reserved − paid − expired."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", "Allocation"
        RESERVATION = "reservation", "Reservation"
        RELEASE = "release", "Release"
        PAYOUT = "payout", "Payout"
        EXPIRY = "expiry", "Expiry"

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default=_default_currency)
    request = models.ForeignKey(FundRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    pool = models.ForeignKey(TierPool, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    memo = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name_plural = "ledger entries"
        indexes: ClassVar = [models.Index(fields=("budget", "kind"), name="mdf_entry_budget_kind")]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(kind="allocation") | Q(amount__gt=0), name="mdf_entry_positive_unless_allocation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"


class Attribution(models.Model):
    """A deal registration attributed to an MDF activity (for ROI). A registration counts for one activity."""

    request = models.ForeignKey(FundRequest, on_delete=models.CASCADE, related_name="attributions")
    registration = models.OneToOneField(
        "dealreg.Registration", on_delete=models.CASCADE, related_name="mdf_attribution"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.registration} ← {self.request}"
