"""The demo's steps. Each feature app registers how it seeds its demo data (one line in its AppConfig.ready), and
`seed_demo` runs the steps in order after the program, partners and first deals exist, so `prm` imports no feature
app to seed it:

    register_demo_step("mdf", "mdf.demo.seed_mdf", order=30)

A step is a callable (or its dotted path, imported when the demo runs) taking `stdout=`; it must be idempotent.
"""

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

_STEPS: dict[str, tuple[int, Callable[..., Any] | str]] = {}


def register_demo_step(name: str, func: Callable[..., Any] | str, *, order: int) -> None:
    """Register (or replace) the demo step `name`; lower `order` runs first."""
    _STEPS[name] = (order, func)


def demo_steps() -> list[tuple[str, Callable[..., Any]]]:
    """The registered steps in order, their callables imported."""
    ordered = sorted(_STEPS.items(), key=lambda item: (item[1][0], item[0]))
    return [(name, import_string(func) if isinstance(func, str) else func) for name, (_, func) in ordered]
