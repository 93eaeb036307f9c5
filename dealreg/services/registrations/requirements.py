"""What a registration needs before it goes to a channel manager: the one definition. A draft needs only the
customer's name (so the partner finds it again); everything else may wait. The deal form marks these fields
("needed to submit") and checks them when the partner submits, all from this list."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Requirement:
    field: str  # the registration's field (the deal form's too; products: the summary of what was picked)
    what: str  # in a sentence: "Before you submit, add the contact's email."


SUBMIT_REQUIREMENTS = (
    Requirement("name", "the customer's company name"),
    Requirement("contact_name", "the contact's name"),
    Requirement("contact_email", "the contact's email"),
    Requirement("products", "at least one product"),
    Requirement("value", "the estimated value"),
    Requirement("expected_close", "the expected close date"),
)
REQUIRED_TO_SUBMIT = tuple(requirement.field for requirement in SUBMIT_REQUIREMENTS)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def missing_to_submit(values: Mapping[str, Any]) -> list[Requirement]:
    """The requirements `values` (a registration's fields, by name) leave unmet, in the form's order."""
    return [requirement for requirement in SUBMIT_REQUIREMENTS if _blank(values.get(requirement.field))]


def registration_missing_to_submit(registration: Any) -> list[Requirement]:
    """The requirements a saved registration leaves unmet."""
    return missing_to_submit({field: getattr(registration, field) for field in REQUIRED_TO_SUBMIT})
