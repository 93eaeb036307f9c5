"""What the enablement services share: who may act, text cleaning, dates, links and who is told."""

import calendar
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from partners.models import Partner
from partners.selectors import channel_managers, partner_admins
from prm.access import is_channel_manager
from prm.models import User
from prm.notifications import notify

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


def site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def url_or(name: str, *args: Any, fallback: str = "portal:training") -> str:
    """The path of a named page, or of `fallback` when the page does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return reverse(fallback)


def partner_people(partner: Partner, *also: User | None) -> list[User]:
    """The partner's active admins plus `also` (each once, active users only)."""
    people: dict[int, User] = {}
    for user in (*also, *partner_admins(partner=partner).filter(is_active=True)):
        if user is not None and user.is_active and user.pk not in people:
            people[user.pk] = user
    return list(people.values())


def relationship_managers(partner: Partner) -> list[User]:
    """Who at the startup hears about a partner: its owner, or every channel manager when it has none."""
    owner = partner.owner if partner.owner_id else None
    if owner is not None and owner.is_active:
        return [owner]
    return list(channel_managers())


def tell(
    *, key: str, template: str, users: list[User], partner: Partner | None, url: str, label: str, context: dict
) -> int:
    """Notify each user once per key (the user's id is added to the key). Returns how many were addressed."""
    for user in users:
        notify(
            key=f"{key}:{user.pk}",
            template=template,
            recipient=user,
            partner=partner,
            url=url,
            context={"action_url": site_url(url), "action_label": label, "partner": partner, **context},
        )
    return len(users)
