"""The partner program: its settings (one row), optional tiers with requirements and benefits, and proposals to
move a partner between tiers, which a channel manager accepts or rejects (never applied silently)."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q


def _default_currency() -> str:
    return getattr(settings, "PRM_CURRENCY", "USD")


class Program(models.Model):
    """The program's settings. There is one row (pk=1); `partners.services.program_get` creates it on demand."""

    class Stage(models.IntegerChoices):
        VALIDATION = 1, "1 · 0–2 years: product validation"
        EXPANSION = 2, "2 · 2–3 years: market expansion"
        ECOSYSTEM = 3, "3 · 3–5 years: ecosystem growth"
        GLOBAL = 4, "4 · 5+ years: global orchestration"

    name = models.CharField(max_length=120, default="Partner program")
    description = models.TextField(blank=True, help_text="What partners get and what you expect, in a few lines.")
    pmi_stage = models.PositiveSmallIntegerField(
        "Partner Maturity Index stage", choices=Stage.choices, default=Stage.VALIDATION
    )
    require_agreement_first = models.BooleanField(
        default=True, help_text="Partner users must accept the current agreement before using the portal."
    )
    stall_days = models.PositiveSmallIntegerField(
        default=3, help_text="Remind a partner when an onboarding step has waited this many days."
    )
    second_reminder_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days a step waits before the second reminder."
    )
    escalation_days = models.PositiveSmallIntegerField(
        default=10, help_text="Days a step waits before the owning channel manager is told."
    )
    dormancy_days = models.PositiveSmallIntegerField(
        default=90, help_text="An active partner with no activity for this many days becomes dormant."
    )
    reporting_currency = models.CharField(
        max_length=3,
        default=_default_currency,
        help_text="Totals across currencies are converted into this one, at the monthly rates you keep.",
    )
    internal_sellers = models.PositiveIntegerField(
        "internal sellers",
        default=0,
        help_text="Your own sales team's size: the effective sales force adds the sellers of active partners.",
    )
    review_reminder_days = models.PositiveSmallIntegerField(
        default=3, help_text="Remind the partner's owner and admins this many days before a scheduled review."
    )

    class Wizard(models.TextChoices):
        PENDING = "pending", "Not run yet"
        DONE = "done", "Completed"
        SKIPPED = "skipped", "Skipped"

    setup_wizard = models.CharField(
        "first-run setup wizard",
        max_length=10,
        choices=Wizard.choices,
        default=Wizard.PENDING,
        help_text="Whether the first-run setup wizard was completed or skipped; pending shows it on a fresh install.",
    )
    setup_wizard_at = models.DateTimeField(null=True, blank=True, help_text="When it was completed or skipped.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "program settings"
        verbose_name_plural = "program settings"
        # Program admins change the program setup (/manage/program/); plain channel managers see it read-only.
        permissions = (("manage_program", "Can change the program setup"),)

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    name = models.CharField(max_length=60, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="Higher is better: 1 registered, 2 silver, 3 gold.")
    description = models.TextField(blank=True)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    mdf_eligible = models.BooleanField("MDF eligible", default=False)
    deal_protection_days = models.PositiveSmallIntegerField(null=True, blank=True)
    other_benefits = models.TextField(blank=True, help_text="Early product access, co-marketing… one per line.")

    class Meta:
        ordering = ("rank",)

    def __str__(self) -> str:
        return self.name

    def benefit_lines(self) -> list[str]:
        lines = []
        if self.discount_percent is not None:
            lines.append(f"{self.discount_percent.normalize():f}% discount")
        if self.mdf_eligible:
            lines.append("Eligible for market development funds (MDF)")
        if self.deal_protection_days:
            lines.append(f"Registered deals protected for {self.deal_protection_days} days")
        lines.extend(line.strip() for line in self.other_benefits.splitlines() if line.strip())
        return lines


class TierRequirement(models.Model):
    class Kind(models.TextChoices):
        CERTIFIED_PEOPLE = "certified_people", "Certified people"
        APPROVED_REGISTRATIONS = "approved_registrations", "Approved deal registrations (12 months)"
        WON_REVENUE = "won_revenue", "Won revenue (12 months)"
        QUALITATIVE = "qualitative", "Qualitative (a channel manager ticks it)"

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    threshold = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="For quantitative kinds."
    )
    label = models.CharField(
        max_length=200, blank=True, help_text="For qualitative kinds, e.g. 'Joint marketing plan agreed'."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("tier__rank", "order", "pk")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(kind="qualitative", threshold__isnull=True) | (~Q(kind="qualitative") & Q(threshold__gt=0)),
                name="tierrequirement_threshold_matches_kind",
                violation_error_message="Quantitative requirements need a threshold above 0; "
                "qualitative ones need a label and no threshold.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier}: {self.describe()}"

    @property
    def is_quantitative(self) -> bool:
        return self.kind != self.Kind.QUALITATIVE

    def describe(self) -> str:
        if not self.is_quantitative:
            return self.label or "Qualitative requirement"
        amount = self.threshold.normalize() if self.threshold is not None else 0
        return {
            self.Kind.CERTIFIED_PEOPLE: f"{amount:f} certified people",
            self.Kind.APPROVED_REGISTRATIONS: f"{amount:f} approved deal registrations in 12 months",
            self.Kind.WON_REVENUE: f"{amount:,f} won revenue in 12 months",
        }[self.kind]


class RequirementTick(models.Model):
    """A channel manager confirms a qualitative requirement for one partner."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="requirement_ticks")
    requirement = models.ForeignKey(TierRequirement, on_delete=models.CASCADE, related_name="ticks")
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ticked_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["partner", "requirement"], name="requirementtick_once"),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.requirement.describe()}"


class TierProposal(models.Model):
    """The nightly evaluation's suggestion. A channel manager decides; nothing changes until then."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded"

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="tier_proposals")
    current_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proposed_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_promotion = models.BooleanField()
    evidence = models.JSONField(default=dict, help_text="The measured values the proposal is based on.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["partner"], condition=Q(status="pending"), name="tierproposal_one_pending_per_partner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.current_tier or 'no tier'} → {self.proposed_tier or 'no tier'}"

    @property
    def measured_at(self):
        """When the evidence was measured (the nightly evaluation), so a reader knows how old its numbers are."""
        from datetime import datetime

        raw = (self.evidence or {}).get("measured_at")
        try:
            return datetime.fromisoformat(raw) if raw else None
        except (TypeError, ValueError):
            return None
