"""Where the numbers behind quantitative tier requirements come from.

`partners` knows none of the apps that own those numbers (enablement counts certified people, dealreg counts
approved registrations and won revenue), so they register a provider here when they load, typically in their
`AppConfig.ready()`:

    from partners.metrics import register_metric

    register_metric("certified_people", certified_people_by_partner)

A provider takes the partner ids and the start of the measuring window and returns {partner_id: Decimal}; partners
it leaves out count as 0. It is called once per kind for all partners at a time, so it must answer with one query,
never one per partner. Until a kind has a provider, its value is 0 and it is reported as *not tracked*, so pages can
say so honestly instead of pretending the partner has nothing.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from partners.models import TierRequirement

Kind = TierRequirement.Kind
MetricProvider = Callable[[list[int], datetime], dict[int, Decimal]]

# Requirements measured "in the last 12 months" look back this far.
WINDOW = timedelta(days=365)
QUANTITATIVE_KINDS: tuple[str, ...] = tuple(k.value for k in Kind if k != Kind.QUALITATIVE)
# What an untracked kind waits for, in words for partners and channel managers.
UNTRACKED_NOTES = {
    Kind.CERTIFIED_PEOPLE: "not tracked yet: counts once Enablement is live",
    Kind.APPROVED_REGISTRATIONS: "not tracked yet: counts once deal registration is live",
    Kind.WON_REVENUE: "not tracked yet: counts once deal registration is live",
}

_PROVIDERS: dict[str, MetricProvider] = {}


def register_metric(kind: str, func: MetricProvider) -> MetricProvider:
    """Make `func` the provider of `kind` (replacing any earlier one). Returns `func`."""
    if kind not in QUANTITATIVE_KINDS:
        raise ValueError(f"Unknown quantitative requirement kind {kind!r}; expected one of {QUANTITATIVE_KINDS}.")
    _PROVIDERS[kind] = func
    return func


def unregister_metric(kind: str) -> None:
    """Forget the provider of `kind` (tests use it to clean up after a fake provider)."""
    _PROVIDERS.pop(kind, None)


def is_tracked(kind: str) -> bool:
    return kind in _PROVIDERS


def metric_values(kind: str, partner_ids: Iterable[int], since: datetime) -> tuple[dict[int, Decimal], bool]:
    """Every partner's value of `kind` since `since`, and whether the kind is tracked at all.

    Every id gets a value: missing ones (and every one, for an untracked kind) are Decimal 0."""
    ids = list(partner_ids)
    provider = _PROVIDERS.get(kind)
    if provider is None or not ids:
        return dict.fromkeys(ids, Decimal(0)), provider is not None
    measured = provider(ids, since)
    return {pk: Decimal(measured.get(pk) or 0) for pk in ids}, True
