"""Service-level clocks shared by every review queue (deal registrations, MDF requests and claims)."""

from datetime import datetime, timedelta

from django.utils import timezone


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


def span(seconds: float) -> str:
    hours = int(seconds // 3600)
    if hours < 1:
        minutes = max(int(seconds // 60), 1)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if hours < 24:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = hours // 24
    return f"{days} day{'s' if days != 1 else ''}"


def sla_clock(due: datetime | None, now: datetime | None = None) -> tuple[str, bool]:
    """("due in 5 hours" | "overdue by 1 day", overdue?) for a decision due at `due`."""
    if due is None:
        return "", False
    now = now or timezone.now()
    seconds = (due - now).total_seconds()
    if seconds >= 0:
        return f"due in {span(seconds)}", False
    return f"overdue by {span(-seconds)}", True
