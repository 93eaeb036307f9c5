"""The review rhythm (QBR/MBR): a cadence per partner, scheduled reviews with an agenda built from the scorecard,
notes, and action items with an owner and a due date."""

from typing import ClassVar

from django.conf import settings
from django.db import models


class ReviewPlan(models.Model):
    """How often the channel team reviews a partner, and when the next review is."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    partner = models.OneToOneField("partners.Partner", on_delete=models.CASCADE, related_name="review_plan")
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.QUARTERLY)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.partner}: {self.get_cadence_display()}"


class Review(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="reviews")
    scheduled_on = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True)
    title = models.CharField(max_length=160, blank=True, help_text='e.g. "Q3 business review".')
    agenda = models.JSONField(default=list, blank=True, help_text="Built from the scorecard when prepared.")
    agenda_built_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=20000)
    held_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-scheduled_on", "-pk")
        indexes: ClassVar = [models.Index(fields=("partner", "status", "scheduled_on"))]

    def __str__(self) -> str:
        return f"{self.partner}: review on {self.scheduled_on}"


class ActionItem(models.Model):
    """Something agreed in a review: who does it, by when, and whether it is done."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="action_items")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="review_actions")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_actions",
        help_text="A channel manager or one of the partner's people.",
    )
    due_on = models.DateField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("done_at", "due_on", "pk")
        indexes: ClassVar = [models.Index(fields=("partner", "done_at", "due_on"))]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
