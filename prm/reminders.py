"""The daily reminders sweep. Apps register a function; the sweep runs each one and isolates failures.

A registered function takes a timezone-aware `now` and returns how many reminders it sent. It must be
idempotent (use `notify` with a key naming the reminder), because the sweep may run more than once a day.
"""

import logging
from collections.abc import Callable
from datetime import datetime

logger = logging.getLogger(__name__)

Sweep = Callable[[datetime], int]
_SWEEPS: dict[str, Sweep] = {}


def register(name: str) -> Callable[[Sweep], Sweep]:
    def decorator(func: Sweep) -> Sweep:
        _SWEEPS[name] = func
        return func

    return decorator


def reminder_days(raw: str) -> list[int]:
    """A policy's "15,5,1" as [15, 5, 1]: positive whole numbers, largest first; anything else is ignored."""
    days = {int(part) for part in (raw or "").replace(" ", "").split(",") if part.isdigit() and int(part) > 0}
    return sorted(days, reverse=True)


def registered() -> dict[str, Sweep]:
    return dict(_SWEEPS)


def run_all(now: datetime) -> dict[str, int | str]:
    results: dict[str, int | str] = {}
    for name, func in _SWEEPS.items():
        try:
            results[name] = func(now)
        except Exception as exc:  # one broken sweep must not stop the others
            logger.exception("Reminder sweep %s failed", name)
            results[name] = f"failed: {exc}"
    return results
