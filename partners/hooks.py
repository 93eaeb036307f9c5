"""How later apps tell onboarding about facts it cannot see by itself.

`partners` knows none of the apps built on it (enablement, dealreg), so they register a detector for the step
kinds they can answer, and call `notify_step_event` when something relevant happened:

    # enablement/apps.py, in ready()
    from partners.hooks import register_step_detector

    register_step_detector("course", lambda partner, step: course_completed(partner, step.course_key))

    # enablement/services.py, after a completion is recorded
    from partners.hooks import notify_step_event

    notify_step_event(partner=enrollment.partner, actor=user)

A step kind without a detector never completes by itself; the checklist says so honestly.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from partners.models import ChecklistStep, Partner

StepDetector = Callable[["Partner", "ChecklistStep"], bool]

# Kinds whose completion another app knows about, and the app that will provide it (for honest copy).
HOOKED_KINDS = {"course": "Enablement", "first_deal": "Deal registration"}

_DETECTORS: dict[str, StepDetector] = {}


def register_step_detector(kind: str, func: StepDetector) -> StepDetector:
    """Register `func(partner, step) -> bool` (step is the ChecklistStep, e.g. `step.course_key`) for `kind`."""
    if kind not in HOOKED_KINDS:
        raise ValueError(f"Onboarding detects {kind!r} steps itself; only {sorted(HOOKED_KINDS)} take a detector.")
    _DETECTORS[kind] = func
    return func


def unregister_step_detector(kind: str) -> None:
    _DETECTORS.pop(kind, None)


def step_detector(kind: str) -> StepDetector | None:
    return _DETECTORS.get(kind)


def has_detector(kind: str) -> bool:
    return kind in _DETECTORS


def provider_label(kind: str) -> str:
    """The app that will complete a hooked step, e.g. "Enablement"."""
    return HOOKED_KINDS.get(kind, "")


def notify_step_event(*, partner: "Partner", actor: Any = None) -> bool:
    """Something that may complete an onboarding step happened: re-check the partner's checklist.
    Cheap and idempotent; returns True if the partner just became active."""
    from partners.services.onboarding import onboarding_refresh

    return onboarding_refresh(partner=partner, actor=actor)
