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
from dataclasses import dataclass
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


# --- Partner summaries ------------------------------------------------------------------------------------------
# The channel manager's partner page shows what the other apps know of the partner (certified people, MDF
# balance...). Each app registers a provider in its AppConfig.ready():
#
#     from partners.hooks import Summary, register_partner_summary
#
#     register_partner_summary("enablement", lambda partner: Summary("Enablement", ["3 certified people"], url))


@dataclass(frozen=True)
class Summary:
    title: str
    facts: list[str]
    url: str = ""
    link_label: str = "Details"


SummaryProvider = Callable[["Partner"], "Summary | None"]
_SUMMARIES: dict[str, SummaryProvider] = {}


def register_partner_summary(name: str, func: SummaryProvider) -> SummaryProvider:
    """Register `func(partner) -> Summary | None` under `name` (registering a name again replaces it)."""
    _SUMMARIES[name] = func
    return func


def partner_summaries(partner: "Partner") -> list[Summary]:
    """Every registered app's summary of the partner, in registration order (apps with nothing to say give None)."""
    return [summary for func in _SUMMARIES.values() if (summary := func(partner)) is not None]
