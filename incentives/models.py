"""Incentive plans and the earnings ledger (DOMAIN.md "Incentives and earnings").

- An `IncentivePlan` (the program has one) has numbered `PlanVersion`s. A version is a draft until it is
  published with an effective date; from then on its rules never change (a new version replaces it).
- Rules of a version: the first-win bonus and the renewal rebate (fields of the version), deal payouts per
  involvement (`DealPayoutRule`) and time-boxed boosts (`Boost`). The margin by tier is not copied: it is read from
  `partners.Tier.discount_percent`, the one source of truth, and shown with the plan.
- `EarningLine` is the ledger: one line per event and rule, keyed by `event_key` (unique) so an event never accrues
  twice. Amounts are never edited and lines never deleted: a correction is a negative line. Only the state moves
  (accrued → approved → paid, or held with a reason).
"""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}
FROZEN = "This plan version is published: its rules no longer change. Create a new version instead."


class IncentivePlan(models.Model):
    name = models.CharField(max_length=120, default="Partner incentive plan")
    payable_after_days = models.PositiveSmallIntegerField(
        default=30, help_text="An accrued earning is approved for payment this many days after it accrues."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.name


class PlanVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    # The fields that are rules: frozen once the version is published.
    RULE_FIELDS = ("first_win_bonus", "first_win_currency", "renewal_rebate_percent")

    plan = models.ForeignKey(IncentivePlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    effective_from = models.DateField(null=True, blank=True, help_text="Set when the version is published.")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True, max_length=2000, help_text="What changed and why (shown to partners).")
    first_win_bonus = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Paid once, on a partner's first won deal.",
    )
    first_win_currency = models.CharField(max_length=3, blank=True)
    renewal_rebate_percent = models.DecimalField(
        **PERCENT,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Percent of the renewed amount, for customers the partner brought.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("plan", "-number")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("plan", "number"), name="incentives_version_number_unique"),
            models.UniqueConstraint(
                fields=("plan", "effective_from"),
                condition=Q(status="published"),
                name="incentives_one_version_per_effective_date",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(effective_from__isnull=False, published_at__isnull=False),
                name="incentives_published_version_has_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            stored = PlanVersion.objects.filter(pk=self.pk).values(*self.RULE_FIELDS, "status").first()
            changed = stored and (
                any(stored[f] != getattr(self, f) for f in self.RULE_FIELDS) or self.status != stored["status"]
            )
            if stored and stored["status"] == self.Status.PUBLISHED and changed:
                raise ValidationError(FROZEN)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise ValidationError(FROZEN)
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class FrozenWithVersion(models.Model):
    """A rule belonging to a version: it can be added, changed or removed only while the version is a draft."""

    version: "models.ForeignKey[PlanVersion, PlanVersion]"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self._check_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_draft()
        return super().delete(*args, **kwargs)

    def _check_draft(self) -> None:
        status = PlanVersion.objects.filter(pk=self.version_id).values_list("status", flat=True).first()
        if status == PlanVersion.Status.PUBLISHED:
            raise ValidationError(FROZEN)


class DealPayoutRule(FrozenWithVersion):
    """What a won deal pays, for one involvement: a percent of the won amount or a fixed fee. A rule with a
    currency applies to deals in that currency (its minimum and cap are in it); a percent rule without a currency
    applies to deals in any currency (and has no minimum or cap, which would need one)."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percent of the won amount"
        FIXED = "fixed", "Fixed fee"

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="payout_rules")
    involvement = models.CharField(max_length=20)  # dealreg Registration.Involvement values
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    percent = models.DecimalField(**PERCENT, null=True, blank=True)
    fixed_amount = models.DecimalField(**MONEY, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    min_deal_amount = models.DecimalField(**MONEY, null=True, blank=True)
    cap_amount = models.DecimalField(**MONEY, null=True, blank=True)

    class Meta:
        ordering = ("version", "involvement", "currency")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("version", "involvement", "currency"), name="incentives_one_payout_per_involvement"
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0), name="incentives_payout_percent_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(fixed_amount__isnull=True) | Q(fixed_amount__gte=0),
                name="incentives_payout_fee_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.involvement} {self.kind}"


class Boost(FrozenWithVersion):
    """A time-boxed extra on deal payouts (an extra percent of the won amount, or a multiplier of the payout) for
    the deals it is scoped to. Blank scope fields match every deal."""

    class Kind(models.TextChoices):
        EXTRA_PERCENT = "extra_percent", "Extra percent of the won amount"
        MULTIPLIER = "multiplier", "Multiplier of the deal payout"

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="boosts")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.EXTRA_PERCENT)
    value = models.DecimalField(max_digits=6, decimal_places=2)
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day a won deal gets the boost.")
    region = models.CharField(max_length=10, blank=True)  # partners Partner.Region values
    country = models.CharField(max_length=2, blank=True)
    product = models.CharField(max_length=80, blank=True, help_text="Deals whose products mention this text.")
    segment = models.CharField(max_length=20, blank=True)  # partners Partner.Segment values
    partner_type = models.CharField(max_length=20, blank=True)  # partners Partner.Type values
    tier = models.ForeignKey("partners.Tier", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("version", "starts_on", "name")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="incentives_boost_dates"),
            models.CheckConstraint(condition=Q(value__gt=0), name="incentives_boost_value_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class EarningLine(models.Model):
    """One line of a partner's earnings. Never edited (only its state moves) and never deleted."""

    class Kind(models.TextChoices):
        DEAL_PAYOUT = "deal_payout", "Deal payout"
        FIRST_WIN = "first_win", "First-win bonus"
        BOOST = "boost", "Boost"
        RENEWAL_REBATE = "renewal_rebate", "Renewal rebate"
        CORRECTION = "correction", "Correction"

    class State(models.TextChoices):
        ACCRUED = "accrued", "Accrued"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"
        HELD = "held", "Held"

    # What may change on a stored line: its state and what goes with it.
    STATE_FIELDS = frozenset({"state", "hold_reason", "approved_at", "paid_at", "payout_run", "updated_at"})

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="earning_lines")
    registration = models.ForeignKey(
        "dealreg.Registration", null=True, blank=True, on_delete=models.PROTECT, related_name="earning_lines"
    )
    renewal = models.ForeignKey(
        "insights.RenewalOutcome", null=True, blank=True, on_delete=models.PROTECT, related_name="earning_lines"
    )
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        help_text="The line this correction cancels.",
    )
    rule_kind = models.CharField(max_length=20, choices=Kind.choices)
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="earning_lines")
    base_amount = models.DecimalField(**MONEY, help_text="What the rule was applied to (won or renewed amount).")
    base_currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY, help_text="What the partner earns; negative for a correction.")
    currency = models.CharField(max_length=3)
    calculation = models.TextField(help_text="How the amount was calculated, in words.")
    earned_on = models.DateField(help_text="The day of the event (won, renewed, corrected).")
    payable_on = models.DateField(help_text="From this day the line may be approved for payment.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACCRUED, db_index=True)
    hold_reason = models.TextField(blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payout_run = models.ForeignKey(
        "PayoutRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lines",
        help_text="The payout run that claimed this line (a line is in one run only).",
    )
    event_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-earned_on", "-pk")
        indexes: ClassVar = [
            models.Index(fields=("partner", "state")),
            models.Index(fields=("partner", "earned_on")),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(state="held") | ~Q(hold_reason=""), name="incentives_held_line_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.get_rule_kind_display()} {self.amount} {self.currency}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.STATE_FIELDS:
                raise ValidationError("An earning line is never edited: record a correction (a negative line).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("An earning line is never deleted: record a correction (a negative line).")


class PayoutRun(models.Model):
    """A payout of approved lines for a period: a draft selects the approved lines earned in the period and not in
    another run (lines can be excluded with a reason); approving it claims those lines for this run (a line is in
    one run only: the claim is a compare-and-set on `EarningLine.payout_run`); marking it paid records the payment
    reference and date and moves its lines to paid. A cancelled run (before it is paid) releases its lines."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved, awaiting payment"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    period_start = models.DateField(help_text="Lines earned on or after this day.")
    period_end = models.DateField(help_text="Lines earned on or before this day.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    notes = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True, help_text="The day the payment was made.")
    payment_reference = models.CharField(max_length=120, blank=True)
    cancelled_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-period_end", "-pk")
        permissions: ClassVar = [("manage_payouts", "Can prepare, approve and mark payout runs paid (finance)")]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="incentives_run_period_dates"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_on__isnull=False) & ~Q(payment_reference="")),
                name="incentives_paid_run_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"Payout run #{self.pk} ({self.period_start:%d %b %Y} – {self.period_end:%d %b %Y})"


class PayoutExclusion(models.Model):
    """A line left out of a run, with the reason (the line stays approved, for a later run)."""

    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="exclusions")
    line = models.ForeignKey("EarningLine", on_delete=models.PROTECT, related_name="payout_exclusions")
    reason = models.TextField(max_length=1000)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("run", "line")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("run", "line"), name="incentives_exclusion_once_per_run"),
            models.CheckConstraint(condition=~Q(reason=""), name="incentives_exclusion_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Line #{self.line_id} excluded from run #{self.run_id}"


class LineQuestion(models.Model):
    """A partner's question about one earning line: a thread between the partner and the channel team that stays
    with the line. Open until a channel manager answers; the partner may reply (which opens it again)."""

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting an answer"
        ANSWERED = "answered", "Answered"

    line = models.ForeignKey("EarningLine", on_delete=models.PROTECT, related_name="questions")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="earning_questions")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-updated_at", "-pk")

    def __str__(self) -> str:
        return f"Question on line #{self.line_id}"


class QuestionMessage(models.Model):
    question = models.ForeignKey(LineQuestion, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_channel_team = models.BooleanField(default=False)
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"Message #{self.pk} on question #{self.question_id}"


class Recognition(models.Model):
    """Non-financial recognition a channel manager awards a partner: partner of the quarter or year, or a custom
    badge. Shown on the partner's page, its portal and (once it exists) its public profile. Withdrawn, never
    deleted: `withdrawn_at` hides it and keeps the record."""

    class Kind(models.TextChoices):
        PARTNER_OF_QUARTER = "quarter", "Partner of the quarter"
        PARTNER_OF_YEAR = "year", "Partner of the year"
        BADGE = "badge", "Badge"

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="recognitions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BADGE)
    title = models.CharField(max_length=80, help_text='e.g. "Partner of the quarter, Q3 2026" or "Fastest mover".')
    citation = models.TextField(blank=True, max_length=1000, help_text="Why, in a sentence or two (shown).")
    awarded_on = models.DateField()
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-awarded_on", "-pk")

    def __str__(self) -> str:
        return f"{self.title} ({self.partner})"
