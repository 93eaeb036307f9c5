"""Money in one place: parse what people type, format with the currency, keep totals per currency, convert to the
reporting currency at the startup's own monthly rates.

The rules (DOMAIN.md "Money"):
- every amount is a `Decimal` with a currency code (ISO 4217); floats are refused;
- amounts in different currencies are never added as they are: `Totals` keeps one sum per currency;
- a total in the reporting currency converts each amount at the rate of its month (`ExchangeRate`, entered or
  imported by the startup, never fetched) and says so ("converted at March 2026 rates"); an amount whose month has
  no rate is listed apart as "not converted", never dropped and never added at face value.

Templates use the `money` filter and the `converted` tag of `prm.templatetags.money`; Python code `format_money`.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount a 14-digit, 2-decimal column holds.
MONEY_MAX = Decimal("999999999999.99")
# Symbols only where they are unambiguous for our users; every other currency is written after the amount.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


# --- Parsing and rounding ------------------------------------------------------------------------------------------


def to_cents(value: Decimal | int | str) -> Decimal:
    """`value` as a Decimal with two places, rounded half up. ValueError for anything that is not a number
    (TypeError for a float: money is never a float)."""
    if isinstance(value, float):
        raise TypeError("Money is never a float: pass a Decimal or a string.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def cents_down(value: Decimal) -> Decimal:
    """Rounded DOWN to the cent (the most someone may ask for never exceeds the rule)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_DOWN)


def parse_money(value: Any, *, label: str = "amount", allow_negative: bool = False) -> Decimal:
    """A typed amount ("5000", "5,000.00", "$5,000", "€ 1 250", "-250") as a Decimal with two places, or a
    ValidationError that says how to write it. More than two decimals is refused rather than rounded."""
    text = str(value if value is not None else "").strip()
    for noise in (",", " ", "\u00a0", "\u202f", "_", *SYMBOLS.values()):
        text = text.replace(noise, "")
    text = text.replace("−", "-")  # a typographic minus, as our pages print it
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"Give the {label} as a number, like 5000 or 5,000.00.") from None
    if not amount.is_finite():
        raise ValidationError(f"Give the {label} as a number, like 5000 or 5,000.00.")
    if amount < 0 and not allow_negative:
        raise ValidationError(f"The {label} cannot be negative.")
    if abs(amount) > MONEY_MAX:
        raise ValidationError(f"That is more than we can store: check the {label}.")
    if amount != amount.quantize(CENT):
        raise ValidationError(f"Give the {label} in whole cents: at most two decimals.")
    return amount.quantize(CENT)


def parse_currency(value: Any) -> str:
    """A currency code as typed ("eur ") -> "EUR"; ValidationError unless it is three letters."""
    code = str(value or "").strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise ValidationError("Give the currency as its three-letter code, like USD or EUR.")
    return code


# --- Formatting ----------------------------------------------------------------------------------------------------


def format_money(amount: Decimal | int | None, currency: str, *, places: int = 2) -> str:
    """ "$5,000.00", "€1,250.50", "12,000.00 CHF"; `places=0` for round figures on dashboards ("$5,000").
    Negative amounts keep a typographic minus in front. None gives ""."""
    if amount is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    value = Decimal(amount).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "−" if value < 0 else ""
    text = f"{abs(value):,.{places}f}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def month_of(moment: date | datetime) -> date:
    """The first day of the month `moment` falls in (a datetime in the current time zone)."""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment.replace(day=1)


def month_words(months: Iterable[date]) -> str:
    """ "March 2026", "January–March 2026", "November 2025–February 2026"."""
    months = sorted(set(months))
    if not months:
        return ""
    first, last = months[0], months[-1]
    if first == last:
        return f"{first:%B %Y}"
    if first.year == last.year:
        return f"{first:%B}–{last:%B %Y}"
    return f"{first:%B %Y}–{last:%B %Y}"


# --- Totals per currency ------------------------------------------------------------------------------------------


class Totals:
    """Sums kept per currency: adding EUR to USD keeps two sums. `str()` lists them ("€1,000.00 + $500.00")."""

    def __init__(self, items: Iterable[tuple[Decimal | None, str]] = ()) -> None:
        self._by: dict[str, Decimal] = {}
        for amount, currency in items:
            self.add(amount, currency)

    def add(self, amount: Decimal | None, currency: str) -> "Totals":
        if amount is None:
            return self
        if isinstance(amount, float):
            raise TypeError("Money is never a float: pass a Decimal.")
        self._by[currency] = self._by.get(currency, ZERO) + Decimal(amount)
        return self

    def __add__(self, other: "Totals") -> "Totals":
        return Totals([*self, *other])

    def __iter__(self) -> Iterator[tuple[Decimal, str]]:
        return iter((amount, currency) for currency, amount in sorted(self._by.items()))

    def __bool__(self) -> bool:
        return any(amount != 0 for amount in self._by.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Totals) and {k: v for k, v in self._by.items() if v} == {
            k: v for k, v in other._by.items() if v
        }

    def __repr__(self) -> str:
        return f"Totals({dict(sorted(self._by.items()))!r})"

    def amount(self, currency: str) -> Decimal:
        return self._by.get(currency, ZERO)

    @property
    def currencies(self) -> list[str]:
        return sorted(c for c, a in self._by.items() if a)

    def words(self, *, places: int = 2) -> str:
        parts = [format_money(amount, currency, places=places) for amount, currency in self if amount]
        return " + ".join(parts) if parts else "—"

    __str__ = words


# --- Conversion to the reporting currency -------------------------------------------------------------------------


@dataclass
class Rates:
    """The startup's monthly rates into one currency, loaded in one query. `rate(c, m)` is how many units of `to`
    one unit of `c` was worth in month `m`, or None when nobody entered it."""

    to: str
    table: dict[tuple[str, date], Decimal] = field(default_factory=dict)

    @classmethod
    def load(cls, to: str, *, months: Iterable[date] | None = None) -> "Rates":
        from prm.models import ExchangeRate

        rows = ExchangeRate.objects.filter(to_currency=to)
        if months is not None:
            rows = rows.filter(month__in=sorted(set(months)))
        return cls(to, {(c, m): r for c, m, r in rows.values_list("currency", "month", "rate")})

    def rate(self, currency: str, month: date) -> Decimal | None:
        if currency == self.to:
            return Decimal(1)
        return self.table.get((currency, month))


@dataclass
class Converted:
    """A total in the reporting currency, the months whose rates it used, and what could not be converted."""

    currency: str
    total: Decimal = ZERO
    months: set[date] = field(default_factory=set)
    unconverted: Totals = field(default_factory=Totals)
    count: int = 0  # how many amounts went in (converted or not)

    def __add__(self, other: "Converted") -> "Converted":
        if other.currency != self.currency:
            raise ValueError(f"Cannot add a {other.currency} total to a {self.currency} total.")
        return Converted(
            self.currency,
            self.total + other.total,
            self.months | other.months,
            self.unconverted + other.unconverted,
            self.count + other.count,
        )

    @property
    def is_complete(self) -> bool:
        return not self.unconverted

    @property
    def note(self) -> str:
        """ "converted at March 2026 rates" (nothing when every amount was already in the reporting currency)."""
        return f"converted at {month_words(self.months)} rates" if self.months else ""

    def words(self, *, places: int = 0) -> str:
        text = format_money(self.total, self.currency, places=places)
        if self.unconverted:
            text += f" (+ {self.unconverted.words(places=places)} not converted)"
        return text

    def __str__(self) -> str:
        return self.words()


def convert(
    items: Iterable[tuple[Decimal | None, str, date | datetime]], *, to: str, rates: Rates | None = None
) -> Converted:
    """Sum (amount, currency, when) items in `to`, each at its month's rate. Rates are loaded in one query unless
    given. Rounded to the cent at the end, half up."""
    rows = [(Decimal(a), c, month_of(w)) for a, c, w in items if a is not None]
    if rates is None:
        rates = Rates.load(to, months={m for a, c, m in rows if c != to})
    result = Converted(to)
    total = ZERO
    for amount, currency, month in rows:
        result.count += 1
        rate = rates.rate(currency, month)
        if rate is None:
            result.unconverted.add(amount, currency)
            continue
        total += amount * rate
        if currency != to:
            result.months.add(month)
    result.total = total.quantize(CENT, rounding=ROUND_HALF_UP)
    return result


def share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part / whole as a fraction with four places (None when the whole is zero or unknown)."""
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
