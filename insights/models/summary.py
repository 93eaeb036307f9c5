"""Monthly roll-ups of deal registrations kept by a worker (insights.summary), so the program-wide dashboard reads
a few hundred rows instead of every registration. Filtered views (a partner, a type, a tier…) read the
registrations themselves; both paths give the same numbers (tests/insights/test_summary.py)."""

from decimal import Decimal
from typing import ClassVar

from django.db import models


class RegistrationMonth(models.Model):
    """One (month, kind, involvement, currency, status) cell: how many registrations and their amount."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted in the month (by current status)"
        WON = "won", "Won in the month"
        LOST = "lost", "Lost in the month"
        DECIDED = "decided", "Decided in the month"

    month = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    involvement = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, blank=True)
    passed_poc = models.BooleanField(default=False)
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    # DECIDED: how many within the SLA, and the sum of decision hours (for the mean).
    within_sla = models.PositiveIntegerField(default=0)
    hours = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))

    class Meta:
        indexes: ClassVar = [models.Index(fields=("kind", "month"))]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind} {self.involvement} {self.currency}: {self.count}"


class SummaryState(models.Model):
    """One row (pk=1): up to which registration change the roll-ups are current, and when they were computed."""

    watermark = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    full_rebuild_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Roll-ups computed at {self.computed_at}"


class PartnerWonMonth(models.Model):
    """Won revenue per partner, month and currency (the top partners and route/region breakdowns read these)."""

    partner_id = models.IntegerField()
    month = models.DateField()
    currency = models.CharField(max_length=3)
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))

    class Meta:
        indexes: ClassVar = [models.Index(fields=("month", "partner_id"))]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} partner {self.partner_id}: {self.amount} {self.currency}"
