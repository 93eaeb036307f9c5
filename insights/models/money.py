"""What the startup tells the app about money the partners app cannot see: its direct revenue (for the ecosystem
contribution ratio) and what it spends on a partner besides MDF (for partner ROI). Exchange rates are platform
data (prm.models.ExchangeRate)."""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

MONEY = {"max_digits": 14, "decimal_places": 2}


class DirectRevenue(models.Model):
    """Revenue the startup won without partners in a month (entered or imported from CSV), one row per month and
    currency."""

    month = models.DateField(help_text="The first day of the month.")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(max_length=3)
    note = models.CharField(max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-month", "currency")
        verbose_name_plural = "direct revenue"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("month", "currency"), name="direct_revenue_unique_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="direct_revenue_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%B %Y}: {self.amount} {self.currency}"


class ProgramCost(models.Model):
    """Money spent on one partner besides MDF (enablement, events, certification fees): the other half of partner
    ROI's denominator."""

    class Kind(models.TextChoices):
        ENABLEMENT = "enablement", "Enablement"
        OTHER = "other", "Other"

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="program_costs")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ENABLEMENT)
    incurred_on = models.DateField()
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(max_length=3)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-incurred_on", "-pk")
        indexes: ClassVar = [models.Index(fields=("partner", "incurred_on"))]

    def __str__(self) -> str:
        return f"{self.partner}: {self.amount} {self.currency} ({self.get_kind_display()})"
