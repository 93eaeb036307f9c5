"""Decide and next: walking a work queue one item at a time (the deal review queue, the MDF queue, applications).

An item page knows it was opened from a queue by `?queue=<name>` (carried by every link and form of the walk, with
the queue page's filters) or, for a plain link clicked on the queue page itself, by the Referer (same origin only).
The app passes the queue's keys in the queue page's order (ids, or (kind, id) pairs for a queue of two kinds), how
to link to an item and the queue page's address; this module says where the item stands, which item comes next
after a decision or a skip (leaving out what another manager decided meanwhile), and the words ("Item 3 of 12 in
the review queue", "11 left"). `prm` knows no feature app: everything comes in as arguments."""

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest, QueryDict

PARAM = "queue"


def queue_filters(request: HttpRequest, *, name: str, path: str, keep: Iterable[str] = ()) -> dict[str, str] | None:
    """None when this page was not opened from the queue `name` (whose page is at `path`); else the queue page's
    filters named in `keep` (non-empty values only), read from `?queue=` or, failing that, from the Referer."""
    if request.GET.get(PARAM) == name:
        source = request.GET
    else:
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        if referer.path != path or (referer.netloc and referer.netloc != request.get_host()):
            return None
        source = QueryDict(referer.query)
    return {key: source[key] for key in keep if source.get(key)}


@dataclass(frozen=True)
class Walk:
    """Where the current item stands in its queue, with the links of the walk (each carrying the queue context)."""

    name: str
    label: str  # "review queue"
    list_url: str  # the queue page, with its filters
    query: str  # "queue=review&conflict=1"
    filters: dict[str, str]  # the queue page's filters: {"conflict": "1"}
    keys: tuple[Hashable, ...]
    current: Hashable
    url_for: Callable[[Hashable], str]

    @property
    def total(self) -> int:
        return len(self.keys)

    @property
    def index(self) -> int | None:
        try:
            return self.keys.index(self.current)
        except ValueError:
            return None

    @property
    def in_queue(self) -> bool:
        return self.index is not None

    @property
    def position(self) -> int | None:
        return None if self.index is None else self.index + 1

    def link(self, key: Hashable) -> str:
        return f"{self.url_for(key)}?{self.query}"

    @property
    def previous_url(self) -> str:
        index = self.index
        return self.link(self.keys[index - 1]) if index else ""

    @property
    def next_url(self) -> str:
        """The item after this one; from the last, back to the first still waiting (a skipped one)."""
        key = next_key(self.keys, self.keys, self.current)
        return self.link(key) if key is not None else ""

    @property
    def words(self) -> str:
        if self.index is None:
            return f"Not waiting in the {self.label} any more · {self.total} waiting"
        return f"Item {self.index + 1} of {self.total} in the {self.label}"

    def after_decision(self, remaining: Sequence[Hashable]) -> tuple[str, str]:
        """Where to go once the current item is decided, given the queue's keys now (`remaining`, in order):
        the next item still waiting, else the queue page. Returns (url, words saying how many are left)."""
        key = next_key(self.keys, remaining, self.current)
        left = len(remaining)
        if key is None or left == 0:
            return self.list_url, f"That was the last one: the {self.label} is empty."
        return self.link(key), f"{left} left in the {self.label}."


def next_key(before: Sequence[Hashable], now: Sequence[Hashable], current: Hashable) -> Hashable | None:
    """The first key after `current` in the order `before` that is still in `now` (the current one and whatever
    left the queue meanwhile are skipped); past the end, the first key of `now` that is not the current one."""
    waiting = set(now)
    start = before.index(current) + 1 if current in before else 0
    for key in before[start:]:
        if key in waiting and key != current:
            return key
    return next((key for key in now if key != current), None)


def walk(
    *,
    name: str,
    label: str,
    list_url: str,
    filters: dict[str, str],
    keys: Iterable[Hashable],
    current: Hashable,
    url_for: Callable[[Hashable], str],
) -> Walk:
    query = urlencode({PARAM: name, **filters})
    list_query = urlencode(filters)
    return Walk(
        name=name,
        label=label,
        list_url=f"{list_url}?{list_query}" if list_query else list_url,
        query=query,
        filters=dict(filters),
        keys=tuple(keys),
        current=current,
        url_for=url_for,
    )
