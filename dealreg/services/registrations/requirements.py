"""What a registration needs before it goes to a channel manager: the one definition. A draft needs only the
customer's name (so the partner finds it again); everything else may wait. The deal form marks these fields
("needed to submit") and checks them when the partner submits, all from this list.

At least one product is needed once the program offers a product catalogue (a product ticked, or "Other" said);
without a catalogue the products stay free text and optional, as they were."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Requirement:
    field: str  # the registration's field (the deal form's too; products: the summary of what was picked)
    what: str  # in a sentence: "Before you submit, add the contact's email."
    with_catalogue_only: bool = False  # asked only when the program offers products to pick from


SUBMIT_REQUIREMENTS = (
    Requirement("name", "the customer's company name"),
    Requirement("contact_name", "the contact's name"),
    Requirement("contact_email", "the contact's email"),
    Requirement("products", "at least one product", with_catalogue_only=True),
    Requirement("value", "the estimated value"),
    Requirement("expected_close", "the expected close date"),
)
REQUIRED_TO_SUBMIT = tuple(requirement.field for requirement in SUBMIT_REQUIREMENTS)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def submit_requirements(*, with_catalogue: bool) -> tuple[Requirement, ...]:
    """What submitting asks for, with or without a product catalogue to pick from."""
    return tuple(r for r in SUBMIT_REQUIREMENTS if with_catalogue or not r.with_catalogue_only)


def missing_to_submit(values: Mapping[str, Any], *, with_catalogue: bool) -> list[Requirement]:
    """The requirements `values` (a registration's fields, by name) leave unmet, in the form's order."""
    return [r for r in submit_requirements(with_catalogue=with_catalogue) if _blank(values.get(r.field))]


def registration_missing_to_submit(registration: Any) -> list[Requirement]:
    """The requirements a saved registration leaves unmet, as the deal form would ask them today."""
    from dealreg.services.products import products_offered

    values = {field: getattr(registration, field) for field in REQUIRED_TO_SUBMIT}
    return missing_to_submit(values, with_catalogue=products_offered().exists())
