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


def add_business_hours(start: datetime, hours: float, *, day_start: int = 9, day_end: int = 17) -> datetime:
    """`start` moved forward by `hours` of business time: Monday to Friday from `day_start` to `day_end` o'clock,
    in the site's time zone. A start outside those hours counts from the next opening; 16 business hours from
    Friday 15:00 with a 9–17 day is Tuesday 15:00."""
    if not 0 <= day_start < day_end <= 24:
        raise ValueError("The business day must start before it ends, within 0–24 hours.")
    local = timezone.localtime(start) if timezone.is_aware(start) else start
    left = timedelta(hours=hours)

    def opening(moment: datetime) -> datetime:
        """The same moment if within business hours, else the next opening."""
        while True:
            day_open = moment.replace(hour=day_start, minute=0, second=0, microsecond=0)
            day_close = day_open + timedelta(hours=day_end - day_start)
            if moment.weekday() < 5 and moment < day_close:
                return max(moment, day_open)
            moment = (day_open + timedelta(days=1)).replace(hour=day_start)

    local = opening(local)
    while True:
        day_close = local.replace(hour=day_start, minute=0, second=0, microsecond=0) + timedelta(
            hours=day_end - day_start
        )
        if local + left <= day_close:
            return local + left
        left -= day_close - local
        local = opening(day_close + timedelta(microseconds=1))
