"""Cursor pagination: rows in a fixed order (newest id first), `?cursor=` is an opaque signed token naming the last
row a page showed, `next` is the cursor of the following page (null on the last). Rows added meanwhile never shift
a page; a tampered or junk cursor is a 400."""

from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

SALT = "api.cursor"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def _decode(cursor: str, scope: str) -> int:
    try:
        data = signing.loads(cursor, salt=f"{SALT}:{scope}")
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError("This cursor is not valid: use the `next` value of the previous page as it is.") from None
    if not isinstance(data, int) or data < 1:
        raise ValidationError("This cursor is not valid: use the `next` value of the previous page as it is.")
    return data


def page(queryset: QuerySet, *, cursor: str | None, limit: int, scope: str) -> tuple[list[Any], str | None]:
    """One page of `queryset` (ordered here by id, newest first) and the cursor of the next one. `scope` names the
    list, so a cursor of one list is refused by another."""
    queryset = queryset.order_by("-pk")
    if cursor:
        queryset = queryset.filter(pk__lt=_decode(cursor, scope))
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = signing.dumps(rows[-1].pk, salt=f"{SALT}:{scope}") if more and rows else None
    return rows, next_cursor
