"""What the partner's and the channel team's MDF forms share: amounts typed the way people write them."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from mdf.services.common import MONEY_MAX

CENT = Decimal("0.01")


def parse_money(value: Any, *, label: str, allow_negative: bool = False) -> Decimal:
    """A typed amount ("5000", "5,000.00", "$5,000", "-250") as a Decimal with two places; a ValidationError that
    says how to write it otherwise. More than two decimals is refused rather than rounded."""
    text = str(value or "").strip()
    for noise in (",", " ", "\u00a0", "_", "$", "€", "£"):
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
