"""The period a number is computed for, and the filters that narrow the partners it counts."""

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.http import QueryDict
from django.utils import timezone

PERIOD_CHOICES = [
    ("this_quarter", "This quarter"),
    ("last_quarter", "Last quarter"),
    ("12m", "Last 12 months"),
    ("custom", "Custom"),
]
MAX_DAYS = 3 * 366


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    """Days `start` to `end`, both included, in the installation's time zone."""

    start: date
    end: date
    key: str = "custom"

    @property
    def label(self) -> str:
        if self.key in ("this_quarter", "last_quarter"):
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        if self.start.year == self.end.year:
            return f"{self.start:%b %-d} – {self.end:%b %-d, %Y}"
        return f"{self.start:%b %-d, %Y} – {self.end:%b %-d, %Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        """The first moment after the period (exclusive bound)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def previous(self) -> "Period":
        """The period of the same kind just before: the quarter before a quarter, else the same number of days."""
        if self.key == "12m":
            return Period(_add_months(self.start, -12), self.start - timedelta(days=1), "custom")
        if self.key in ("this_quarter", "last_quarter") or (
            self.start.day == 1 and self.end == _add_months(self.start, 3) - timedelta(days=1)
        ):
            start = _add_months(self.start, -3)
            return Period(start, self.start - timedelta(days=1), "last_quarter" if self.key else "custom")
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1), "custom")

    def is_whole_months(self, today: date | None = None) -> bool:
        """Starts on a first and ends on a last of the month (or today or later: nothing has happened after today)."""
        today = today or timezone.localdate()
        month_end = _add_months(self.end.replace(day=1), 1) - timedelta(days=1)
        return self.start.day == 1 and (self.end == month_end or self.end >= today)

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        out, month = [], self.start.replace(day=1)
        while month <= self.end:
            out.append(month)
            month = _add_months(month, 1)
        return out

    def query(self) -> str:
        if self.key == "custom":
            return f"period=custom&start={self.start.isoformat()}&end={self.end.isoformat()}"
        return f"period={self.key}"

    @classmethod
    def named(cls, key: str, *, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        quarter = _quarter_start(today)
        if key == "last_quarter":
            start = _add_months(quarter, -3)
            return cls(start, quarter - timedelta(days=1), key)
        if key == "12m":  # twelve whole months: this one and the eleven before
            return cls(_add_months(today.replace(day=1), -11), today, key)
        return cls(quarter, _add_months(quarter, 3) - timedelta(days=1), "this_quarter")


def period_from_params(params: QueryDict | dict, *, today: date | None = None) -> tuple[Period, list[str]]:
    """The period a page asks for (`?period=this_quarter|last_quarter|12m|custom&start=&end=`), and what was
    wrong with it in words (then the default, this quarter, is used)."""
    key = (params.get("period") or "this_quarter").strip()
    if key != "custom":
        if key not in dict(PERIOD_CHOICES):
            return Period.named("this_quarter", today=today), [f"Unknown period {key!r}: showing this quarter."]
        return Period.named(key, today=today), []
    errors = []
    try:
        start = date.fromisoformat((params.get("start") or "").strip())
        end = date.fromisoformat((params.get("end") or "").strip())
    except ValueError:
        return Period.named("this_quarter", today=today), ["Give both dates of a custom period, like 2026-01-31."]
    if end < start:
        errors.append("The custom period ends before it starts: the dates were swapped.")
        start, end = end, start
    if (end - start).days > MAX_DAYS:
        errors.append("A custom period is at most three years: it was shortened.")
        start = end - timedelta(days=MAX_DAYS)
    return Period(start, end, "custom"), errors


@dataclass(frozen=True)
class Filters:
    """Which partners count: one partner, or partners of a type, tier, route to market, region or owner."""

    partner: int | None = None
    type: str = ""
    tier: int | None = None
    rtm: str = ""
    region: str = ""
    owner: int | None = None

    FIELDS = ("partner", "type", "tier", "rtm", "region", "owner")

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f) for f in self.FIELDS)

    def partners(self):
        """The matching partners (a queryset; every partner when empty)."""
        from partners.models import Partner

        qs = Partner.objects.all()
        if self.partner:
            qs = qs.filter(pk=self.partner)
        if self.type:
            qs = qs.filter(type=self.type)
        if self.tier:
            qs = qs.filter(tier_id=self.tier)
        if self.rtm:
            qs = qs.filter(route_to_market=self.rtm)
        if self.region:
            qs = (
                qs.filter(regions__contains=[self.region])
                if _json_contains()
                else qs.filter(regions__icontains=f'"{self.region}"')
            )
        if self.owner:
            qs = qs.filter(owner_id=self.owner)
        return qs

    def query(self) -> str:
        return "&".join(f"{f}={getattr(self, f)}" for f in self.FIELDS if getattr(self, f))

    def lookup(self, field: str = "partner") -> dict:
        """Filter kwargs that narrow rows with a `field` foreign key to the matching partners: nothing when empty,
        the id itself for one partner alone, else a subquery."""
        if self.is_empty:
            return {}
        if self.partner and not any(getattr(self, f) for f in self.FIELDS if f != "partner"):
            return {f"{field}_id": self.partner}
        return {f"{field}__in": self.partners().values("pk")}

    def with_partner(self, partner_id: int) -> "Filters":
        return replace(self, partner=partner_id)

    @classmethod
    def from_params(cls, params: QueryDict | dict) -> tuple["Filters", list[str]]:
        from partners.models import Partner

        errors: list[str] = []

        def number(name: str) -> int | None:
            raw = (params.get(name) or "").strip()
            if not raw:
                return None
            if raw.isdigit() and len(raw) <= 18:  # a row id fits a 64-bit key (prm.converters)
                return int(raw)
            errors.append(f"Ignored the {name} filter: {raw!r} is not one of the choices.")
            return None

        def choice(name: str, choices) -> str:
            raw = (params.get(name) or "").strip()
            if raw and raw not in dict(choices):
                errors.append(f"Ignored the {name} filter: {raw!r} is not one of the choices.")
                return ""
            return raw

        filters = cls(
            partner=number("partner"),
            type=choice("type", Partner.Type.choices),
            tier=number("tier"),
            rtm=choice("rtm", Partner.RouteToMarket.choices),
            region=choice("region", Partner.Region.choices),
            owner=number("owner"),
        )
        return filters, errors


def _json_contains() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains
