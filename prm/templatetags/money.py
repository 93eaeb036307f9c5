"""The one way templates show money: `{{ amount|money:currency }}`, `{{ amount|money0:currency }}` (no cents),
`{{ amount|money_signed:currency }}` ("+$5,000.00", "−$2,500.00": ledgers), `{{ totals|money }}` for a `Totals`,
and `{% converted total %}` for a `Converted` (the sum, its rates note, and what was not converted, listed apart)."""

from decimal import Decimal

from django import template

from prm.money import Converted, Totals, format_money

register = template.Library()


@register.filter
def money(amount: Decimal | Totals | Converted | None, currency: str = "") -> str:
    if amount is None or amount == "":
        return "—"
    if isinstance(amount, (Totals, Converted)):
        return amount.words(places=2)
    return format_money(amount, currency)


@register.filter
def money_signed(amount: Decimal | None, currency: str = "") -> str:
    """An amount with its sign always shown: "+$5,000.00", "−$2,500.00", "$0.00"."""
    if amount is None or amount == "":
        return "—"
    text = format_money(amount, currency)
    return f"+{text}" if Decimal(amount) > 0 else text


@register.filter
def money0(amount: Decimal | Totals | Converted | None, currency: str = "") -> str:
    if amount is None or amount == "":
        return "—"
    if isinstance(amount, (Totals, Converted)):
        return amount.words(places=0)
    return format_money(amount, currency, places=0)


@register.inclusion_tag("prm/_converted.html")
def converted(total: Converted | None, places: int = 0) -> dict:
    return {"total": total, "places": places}
