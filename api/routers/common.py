"""What the routers share: money and partner references as every payload shows them, the error responses, list
parameters."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from api.schemas import Error

ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error}
MAX_ID = 10**18 - 1


def money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    return None if amount is None else {"amount": f"{amount:.2f}", "currency": currency}


def partner_ref(partner) -> dict[str, Any] | None:
    return None if partner is None else {"id": partner.pk, "name": partner.name}


def check_limit(limit: int = DEFAULT_LIMIT) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError({"limit": f"Give a limit from 1 to {MAX_LIMIT}."})
    return limit


def check_id(value: int | None, what: str) -> int | None:
    if value is not None and not 1 <= value <= MAX_ID:
        raise ValidationError({what: f"Give a {what}'s id."})
    return value


def check_moment(value: datetime | None, what: str) -> datetime | None:
    """A time a filter compares with, in UTC (a time without an offset is the server's local time): PostgreSQL
    refuses offsets past ±15:59, which ISO 8601 allows; a time that leaves the calendar in UTC is a 400."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=timezone.get_current_timezone())
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValidationError({what: "Give a time between the years 1 and 9999."}) from None
