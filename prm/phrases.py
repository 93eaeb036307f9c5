"""Small phrase helpers for sentences shown to people: possessives ("Nikos'", "Anna's") and templates filled with
`{name!p}` possessives. At the ground of prm: the models (audit sentences) and the timelines use them."""

import string
from collections.abc import Mapping
from typing import Any


def possessive(name: str) -> str:
    """ "Anna" → "Anna's", "Nikos" → "Nikos'", "James" → "James'" (one rule: a final s takes a bare apostrophe)."""
    name = (name or "").strip()
    if not name:
        return ""
    return f"{name}'" if name[-1] in "sS" else f"{name}'s"


class _Formatter(string.Formatter):
    """str.format with blanks for missing values and a `!p` conversion for possessives ("{user!p} role")."""

    def __init__(self, *, strict: bool) -> None:
        self.strict = strict

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        if self.strict and key not in kwargs:
            raise KeyError(key)
        value = kwargs.get(key, "") if isinstance(key, str) else ""
        return "" if value is None else value

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion == "p":
            return possessive(str(value))
        return super().convert_field(value, conversion)


_LENIENT = _Formatter(strict=False)
_STRICT = _Formatter(strict=True)


def fill(template: str, values: Mapping[str, Any], *, strict: bool = False) -> str:
    """`template` with `values` put in, `{name!p}` as a possessive. A missing value is blank, or with `strict` the
    sentence stops before its first placeholder ("changed the tier to {tier}" → "changed the tier to")."""
    try:
        return (_STRICT if strict else _LENIENT).vformat(template, (), dict(values))
    except (KeyError, ValueError, IndexError, AttributeError):
        return template.split("{", 1)[0].strip()


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]
