"""Partner health stored (DOMAIN.md "Partner health"; insights.health computes it, insights.health_store keeps it):
one snapshot per partner per day, with the reasons that made the score, so the manager's at-risk list reads a
table instead of scoring every partner, a scorecard draws the last 90 days, and the digest can tell who moved.

A snapshot is a computed fact, never a decision: it is overwritten when the same day is computed again (the
"Recalculate" button, a second nightly run) and nothing is audited about it."""

from typing import ClassVar

from django.db import models
from django.db.models import Q


class HealthSnapshot(models.Model):
    """A partner's health on one day. `is_latest` marks each partner's newest snapshot (one per partner, kept by
    insights.health_store), so "the current health of every partner" is one indexed filter."""

    class Band(models.TextChoices):
        HEALTHY = "healthy", "Healthy"
        WATCH = "watch", "Watch"
        AT_RISK = "at_risk", "At risk"

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="health_snapshots")
    day = models.DateField()
    computed_at = models.DateTimeField()
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=10, choices=Band.choices)
    reasons = models.JSONField(default=list, help_text='[{"points": -25, "text": "No activity for 75 days"}, …]')
    inputs = models.JSONField(default=dict, blank=True, help_text="The facts the score was computed from.")
    is_latest = models.BooleanField(default=False)

    class Meta:
        ordering = ("partner", "-day")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("partner", "day"), name="health_snapshot_one_per_day"),
            models.UniqueConstraint(
                fields=("partner",), condition=Q(is_latest=True), name="health_snapshot_one_latest"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="health_snapshot_score_0_100"),
        ]
        indexes: ClassVar = [
            models.Index(fields=("band", "score"), condition=Q(is_latest=True), name="health_latest_band_score"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.day}: {self.score} ({self.band})"

    @property
    def band_label(self) -> str:
        return self.Band(self.band).label

    @property
    def negative_reasons(self) -> list[dict]:
        """What pulls the score down, biggest first."""
        return sorted((r for r in self.reasons if r.get("points", 0) < 0), key=lambda r: r["points"])
