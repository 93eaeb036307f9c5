"""What deal registration tells the partners app: the approved-registrations tier requirement and the "register a
first deal" onboarding step. Registered in DealregConfig.ready(). (Won revenue is money: insights provides it,
converted to the reporting currency, so the tier and the scorecard read the same number.)"""

from datetime import datetime
from decimal import Decimal

from django.db.models import Count

# Statuses a registration can only reach by having been approved.
WAS_APPROVED = ("approved", "won", "lost", "expired")


def approved_registrations(partner_ids: list[int], since: datetime) -> dict[int, Decimal]:
    """Approved deal registrations per partner, decided since `since` (one query for all partners)."""
    from dealreg.models import Registration

    rows = (
        Registration.objects.filter(partner_id__in=partner_ids, status__in=WAS_APPROVED, decided_at__gte=since)
        .values("partner_id")
        .annotate(n=Count("id"))
    )
    return {row["partner_id"]: Decimal(row["n"]) for row in rows}


def first_deal_registered(partner, step) -> bool:
    """The onboarding step "register a first deal" is done once the partner submitted one."""
    from dealreg.models import Registration

    return Registration.objects.filter(partner=partner, submitted_at__isnull=False).exists()


def register() -> None:
    from partners import hooks, metrics
    from partners.models import ChecklistStep, TierRequirement

    metrics.register_metric(TierRequirement.Kind.APPROVED_REGISTRATIONS, approved_registrations)
    hooks.register_step_detector(ChecklistStep.Kind.FIRST_DEAL, first_deal_registered)
