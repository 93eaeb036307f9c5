"""What insights tells the lower apps through their registries: the won-revenue tier requirement (converted to the
reporting currency by insights.metrics, so a tier, the scorecard and the dashboard read one number), and keeping
the roll-ups honest when registrations are deleted."""

from datetime import datetime
from decimal import Decimal


def won_revenue(partner_ids: list[int], since: datetime) -> dict[int, Decimal]:
    """Won revenue per partner since `since`, in the reporting currency (amounts without a rate are not counted;
    the scorecard lists them apart)."""
    from insights.metrics import partner_won_revenue

    return {pk: total.total for pk, total in partner_won_revenue(partner_ids, since).items()}


def _registration_deleted(sender, **kwargs) -> None:
    from insights.summary import summary_invalidate

    summary_invalidate()


def register() -> None:
    from django.db.models.signals import post_delete

    from partners import metrics
    from partners.models import TierRequirement

    metrics.register_metric(TierRequirement.Kind.WON_REVENUE, won_revenue)
    post_delete.connect(_registration_deleted, sender="dealreg.Registration", dispatch_uid="insights-summary-delete")
