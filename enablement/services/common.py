"""What the enablement services share: who may act, text cleaning and dates. Links and who is told come from
`prm.notifications` (absolute_url, notify_each) and `partners.selectors` (partner_people, owner_or_managers)."""

import calendar
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from prm.access import is_channel_manager
from prm.models import User

TEXT_MAX = 2000


def require_manager(actor: User | None, *, what: str = "manage the enablement catalogue") -> None:
    if not is_channel_manager(actor):
        raise ValidationError(f"Only channel managers can {what}.")


def clean_text(value: Any, *, what: str, required: bool = True, max_length: int = TEXT_MAX) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ValidationError(f"Give {what}.")
    if len(value) > max_length:
        raise ValidationError(f"Keep {what} under {max_length} characters (it has {len(value)}).")
    return value


def add_months(day: date, months: int) -> date:
    """`day` plus whole months; the 31st becomes the last day of a shorter month (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
