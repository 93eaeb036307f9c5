"""Customers and renewals: a won registration becomes (or links to) a customer contract; channel managers record
each renewal's outcome. Contracts without a partner are the startup's direct customers (entered or imported), so
retention of partner-acquired customers can be compared with direct ones."""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from insights.models.money import MONEY


class CustomerContract(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CHURNED = "churned", "Churned"

    class Source(models.TextChoices):
        REGISTRATION = "registration", "Won registration"
        MANUAL = "manual", "Entered by a channel manager"
        IMPORT = "import", "Imported from CSV"

    customer_name = models.CharField(max_length=200)
    account = models.ForeignKey(
        "dealreg.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="contracts"
    )
    registration = models.OneToOneField(
        "dealreg.Registration", null=True, blank=True, on_delete=models.SET_NULL, related_name="contract"
    )
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
        help_text="The partner the customer came through; empty for a direct customer.",
    )
    involvement = models.CharField(max_length=20, blank=True, help_text="How the partner was involved (sourced…).")
    starts_on = models.DateField()
    term_months = models.PositiveSmallIntegerField(default=12)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(max_length=3)
    renewal_on = models.DateField(db_index=True, help_text="When the current term comes up for renewal.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who is reminded before the renewal (the partner's owner by default).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("renewal_on", "customer_name")
        indexes: ClassVar = [models.Index(fields=("partner", "renewal_on"))]

    def __str__(self) -> str:
        return f"{self.customer_name} ({self.amount} {self.currency}, renews {self.renewal_on})"

    @property
    def is_direct(self) -> bool:
        return self.partner_id is None


class RenewalOutcome(models.Model):
    """What happened when a contract came up for renewal on `due_on`."""

    class Outcome(models.TextChoices):
        RENEWED = "renewed", "Renewed"
        EXPANDED = "expanded", "Expanded"
        CHURNED = "churned", "Churned"

    RETAINED = (Outcome.RENEWED, Outcome.EXPANDED)

    contract = models.ForeignKey(CustomerContract, on_delete=models.CASCADE, related_name="outcomes")
    due_on = models.DateField(db_index=True, help_text="The renewal date this outcome answers.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    new_amount = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], help_text="The renewed amount."
    )
    currency = models.CharField(max_length=3)
    note = models.TextField(blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-due_on", "-pk")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("contract", "due_on"), name="renewal_outcome_once_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.customer_name}: {self.get_outcome_display()} on {self.due_on}"
