"""The demo's steps. Each feature app registers how it seeds its demo data (one line in its AppConfig.ready), and
`seed_demo` runs the steps in order after the program, partners and first deals exist, so `prm` imports no feature
app to seed it:

    register_demo_step("mdf", "mdf.demo.seed_mdf", order=30)

A step is a callable (or its dotted path, imported when the demo runs) taking `stdout=`; it must be idempotent.
Steps date what they create on the program's story line with `demo_clock` (months of history, not all "now").
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import count
from typing import Any
from unittest import mock

from django.utils import timezone
from django.utils.module_loading import import_string

_STEPS: dict[str, tuple[int, Callable[..., Any] | str]] = {}


def register_demo_step(name: str, func: Callable[..., Any] | str, *, order: int) -> None:
    """Register (or replace) the demo step `name`; lower `order` runs first."""
    _STEPS[name] = (order, func)


def demo_steps() -> list[tuple[str, Callable[..., Any]]]:
    """The registered steps in order, their callables imported."""
    ordered = sorted(_STEPS.items(), key=lambda item: (item[1][0], item[0]))
    return [(name, import_string(func) if isinstance(func, str) else func) for name, (_, func) in ordered]


@contextmanager
def demo_clock(at: datetime, *, step: timedelta = timedelta(seconds=7)) -> Iterator[None]:
    """Run the block as if it were `at`: `django.utils.timezone.now()` returns `at`, then a few seconds later on
    each call, so the services stamp their rows, audit events and notifications on the demo's story line instead
    of all "now" (auto_now_add reads the same clock). Deterministic: no randomness, only `at` and the call count.

    Only for the demo: wrap a step whose own checks hold at `at` (nothing in the block may need the real time)."""
    calls = count()

    def now() -> datetime:
        return at + step * next(calls)

    with mock.patch("django.utils.timezone.now", now):
        yield


def days_ago(days: float, *, hour: int = 10, now: datetime | None = None) -> datetime:
    """`days` before today at `hour` (local time): a believable office-hours moment for the demo."""
    now = now or timezone.now()
    moment = timezone.localtime(now - timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return min(moment, now - timedelta(minutes=5))
