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
from dataclasses import dataclass, replace
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


# --- Portal panels ----------------------------------------------------------------------------------------------
# The partner's portal home shows what other apps want the partner to see of itself (its recognition...). Each app
# registers a provider in its AppConfig.ready(); the provider sees only the viewer's own partner:
#
#     from partners.hooks import Panel, PanelItem, register_portal_panel
#
#     register_portal_panel("recognition", lambda partner: Panel("Recognition", [PanelItem("Fastest mover")]))
#
# A provider with nothing to show returns None and the home has no empty box.


@dataclass(frozen=True)
class PanelItem:
    title: str
    meta: str = ""  # a short line beside the title: "Badge · awarded Jul 3, 2026"
    text: str = ""  # a sentence or two under it
    url: str = ""  # where the title links to, if anywhere


@dataclass(frozen=True)
class Panel:
    title: str
    items: list[PanelItem]
    note: str = ""  # under the heading
    url: str = ""
    link_label: str = "Details"
    key: str = ""  # the panel's anchor on the page (#recognition); the registered name when left blank


PanelProvider = Callable[["Partner"], "Panel | None"]
_PANELS: dict[str, PanelProvider] = {}
_PER_USER: set[str] = set()  # providers called as func(partner, user): panels for the person signed in


def register_portal_panel(name: str, func: PanelProvider, *, per_user: bool = False) -> PanelProvider:
    """Register `func(partner) -> Panel | None` under `name` (registering a name again replaces it); with
    `per_user=True` it is called as `func(partner, user)` with the person signed in (a member of `partner`)."""
    _PANELS[name] = func
    _PER_USER.discard(name)
    if per_user:
        _PER_USER.add(name)
    return func


def unregister_portal_panel(name: str) -> None:
    _PANELS.pop(name, None)
    _PER_USER.discard(name)


def portal_panels(partner: "Partner", user: Any = None) -> list[Panel]:
    """Every registered app's panel for the partner's own portal, in registration order (None is left out).
    Per-user panels are left out when no user is given."""
    panels = []
    for name, func in _PANELS.items():
        if name in _PER_USER:
            if user is None:
                continue
            panel = func(partner, user)  # type: ignore[call-arg]
        else:
            panel = func(partner)
        if panel is not None:
            panels.append(panel if panel.key else replace(panel, key=name))
    return panels
