"""Counts beside the manager navigation ("Deals 3"): what waits for the channel team in each section.

`prm` knows no feature app, so an app that knows what waits registers a provider in its AppConfig.ready():

    from prm.badges import BadgeItem, register_badges

    register_badges("insights", lambda request: [BadgeItem("deals", 3, "deals awaiting a decision")])

`prm.context_processors.shell` asks the providers once per request, lazily (only a page that draws the navigation
pays for it) and only for channel managers. A provider returns items for any nav section ("partners", "deals",
"mdf", "insights"...); items of one section are summed into its badge, and their words make the badge's title.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class BadgeItem:
    section: str  # the nav entry it belongs to, as in prm.context_processors._NAV
    count: int
    label: str  # what is counted, in words: "applications to review"

    @property
    def words(self) -> str:
        return f"{self.count} {self.label}"


@dataclass(frozen=True)
class Badge:
    section: str
    count: int
    items: tuple[BadgeItem, ...]

    @property
    def title(self) -> str:
        """ "2 applications to review, 1 tier proposal to decide" (for the badge's tooltip and screen readers)."""
        return ", ".join(item.words for item in self.items)

    def __str__(self) -> str:
        return str(self.count)


BadgeProvider = Callable[[HttpRequest], Iterable[BadgeItem]]
_PROVIDERS: dict[str, BadgeProvider] = {}


def register_badges(name: str, func: BadgeProvider) -> BadgeProvider:
    """Register `func(request) -> [BadgeItem, ...]` under `name` (registering a name again replaces it)."""
    _PROVIDERS[name] = func
    return func


def unregister_badges(name: str) -> None:
    _PROVIDERS.pop(name, None)


def nav_badges(request: HttpRequest) -> dict[str, Badge]:
    """Every section with something waiting → its badge. Sections with nothing waiting are left out."""
    grouped: dict[str, list[BadgeItem]] = {}
    for func in _PROVIDERS.values():
        for item in func(request):
            if item.count > 0:
                grouped.setdefault(item.section, []).append(item)
    return {
        section: Badge(section, sum(item.count for item in items), tuple(items)) for section, items in grouped.items()
    }
