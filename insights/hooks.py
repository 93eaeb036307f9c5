"""How later apps add their numbers to insights without insights importing them (`incentives` imports insights'
renewals, so insights importing it back would be a cycle). An app registers in its AppConfig.ready():

    from insights.hooks import DigestItem, register_digest_items, register_metric_series, register_spend_source

    register_spend_source("incentives", "incentives", accrued_rows)        # joins MDF and program costs in ROI
    register_metric_series("incentives_accrued", accrued_rows)             # a catalogue metric's values
    register_digest_items("incentives", lambda now: [DigestItem("2 questions await an answer", 2, "/manage/…")])
    register_value_metrics("leads", lead_values)                          # counts, rates, hours of its own

Other values (value metrics): `func(start, end, partner_filter)` returns `{key: (value, detail)}` for catalogue
metrics marked `hooked` that are not money (a rate as a Decimal fraction, hours, a count) — one call gives all its
keys, so an app computes them together in a few aggregate queries. A metric no function gives is left out.

Money rows (spend sources and metric series): `func(start, end, partner_filter)` gets the period's first and last
day (both included) and the dashboard's `Filters`; it narrows its rows with `partner_filter.lookup("<its partner
foreign key>")` (nothing when the filter is empty, the id for one partner, else a subquery) and returns rows of
`{"m": first day of the month, "currency": "EUR", "amount": Decimal}`: one aggregate query, never one per partner.
The metrics module converts them at each month's rate like MDF paid; an amount with no rate is listed apart.

With nothing registered every number is what it was: partner ROI is won / (MDF paid + program costs), a metric of
the catalogue marked `hooked` is left out of the snapshot, and the digest has no extra section.
"""

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from insights.metrics.period import Filters

MoneyRows = Callable[[date, date, "Filters"], Iterable[Mapping[str, Any]]]
ValueMetrics = Callable[[date, date, "Filters"], Mapping[str, tuple[Any, str]]]


class DigestItem(NamedTuple):
    """One line of the weekly digest: what waits, in words with its number, how many, and where to act on it."""

    text: str  # "2 questions about earnings await an answer"
    count: int  # 0: nothing waits, the line is left out
    url: str = ""


DigestItems = Callable[[datetime], Iterable[DigestItem]]


@dataclass(frozen=True)
class SpendSource:
    name: str
    label: str  # what it is in the ROI's words: "incentives" → "spent (MDF, incentives, program costs)"
    func: MoneyRows


_SPEND: dict[str, SpendSource] = {}
_SERIES: dict[str, MoneyRows] = {}
_DIGEST: dict[str, DigestItems] = {}
_VALUES: dict[str, ValueMetrics] = {}


# --- Spend: what partner ROI divides by, beside MDF paid and program costs ----------------------------------------


def register_spend_source(name: str, label: str, func: MoneyRows) -> MoneyRows:
    """Count `func`'s money rows as program spend in partner ROI (registering a name again replaces it)."""
    _SPEND[name] = SpendSource(name, label, func)
    return func


def unregister_spend_source(name: str) -> None:
    _SPEND.pop(name, None)


def spend_sources() -> list[SpendSource]:
    return list(_SPEND.values())


# --- Metric series: the values of a catalogue metric another app owns ---------------------------------------------


def register_metric_series(key: str, func: MoneyRows) -> MoneyRows:
    """Make `func` the source of the money metric `key` of the catalogue (one marked `hooked`)."""
    from insights.metrics.catalogue import METRICS

    definition = METRICS.get(key)
    if definition is None or not definition.hooked or definition.unit != "money":
        hooked = sorted(k for k, d in METRICS.items() if d.hooked)
        raise ValueError(f"{key!r} is not a money metric fed by another app; expected one of {hooked}.")
    _SERIES[key] = func
    return func


def unregister_metric_series(key: str) -> None:
    _SERIES.pop(key, None)


def metric_series() -> dict[str, MoneyRows]:
    return dict(_SERIES)


# --- Value metrics: the non-money metrics of the catalogue another app owns ---------------------------------------


def register_value_metrics(name: str, func: ValueMetrics) -> ValueMetrics:
    """Register `func(start, end, partner_filter) -> {key: (value, detail)}` under `name` (again: replaces it)."""
    _VALUES[name] = func
    return func


def unregister_value_metrics(name: str) -> None:
    _VALUES.pop(name, None)


def value_metrics(start: date, end: date, partner_filter: "Filters") -> dict[str, tuple[Any, str]]:
    """Every registered function's values for the period, keyed by metric; a key the catalogue does not mark
    `hooked` (or that is money) and a failing function are logged and left out (the page still shows)."""
    from insights.metrics.catalogue import METRICS

    found: dict[str, tuple[Any, str]] = {}
    for name, func in list(_VALUES.items()):
        try:
            values = dict(func(start, end, partner_filter))
        except Exception:
            logging.getLogger(__name__).exception("Value metrics of %s failed", name)
            continue
        for key, value in values.items():
            definition = METRICS.get(key)
            if definition is None or not definition.hooked or definition.unit == "money":
                logging.getLogger(__name__).error("%s gave %r: not a non-money metric marked hooked", name, key)
                continue
            found[key] = value
    return found


# --- The weekly digest ----------------------------------------------------------------------------------------------


def register_digest_items(name: str, func: DigestItems) -> DigestItems:
    """Register `func(now) -> [DigestItem, ...]` under `name` (registering a name again replaces it)."""
    _DIGEST[name] = func
    return func


def unregister_digest_items(name: str) -> None:
    _DIGEST.pop(name, None)


def digest_items(now: datetime) -> list[tuple[str, DigestItem]]:
    """(provider name, item) of every item with something waiting. A failing provider is logged and left out: the
    rest of the digest still goes to every manager."""
    found = []
    for name, func in list(_DIGEST.items()):
        try:
            items = [DigestItem(*item) for item in func(now)]
        except Exception:
            logging.getLogger(__name__).exception("Digest items of %s failed", name)
            continue
        found += [(name, item) for item in items if item.count > 0]
    return found
