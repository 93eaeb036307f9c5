"""The deal registration policy (one row) and the business-day clock the decision SLA runs on."""

from datetime import datetime, timedelta

from django.utils import timezone

from dealreg.models import DealregPolicy


def policy_get() -> DealregPolicy:
    """The policy row (pk=1, created by a migration; recreated with defaults if someone removed it)."""
    policy, _ = DealregPolicy.objects.get_or_create(pk=1)
    return policy


def add_business_days(start: datetime, days: int) -> datetime:
    """`start` moved forward by `days` business days (Monday to Friday), keeping the time of day. Weekdays are
    judged in the site's time zone; a start on a weekend counts from the next Monday."""
    local = timezone.localtime(start) if timezone.is_aware(start) else start
    added = 0
    while added < days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            added += 1
    return local
