"""The product catalogue (program setup, /manage/program/products/): the products partners pick from when they
register a deal. Program admins add, change, reorder, retire and offer again; plain channel managers read.

A product registrations point to is never deleted: retiring it takes it off the deal form while every registration
keeps it (RegistrationProduct protects it). A registration's `products` text is the readable summary of what was
picked ("Platform, Analytics, custom connector"), written when the registration is saved: renaming a product later
leaves the summaries of past registrations as they were registered.

Every write checks the program-admin permission, locks what it changes and writes an audit event. No partner is
told: the catalogue concerns no partner in particular, and partners see the products on the deal form.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from dealreg.models import Product, Registration
from partners.services.setup import can_manage_program
from prm.audit import audit_record
from prm.models import User

PRODUCT_FIELDS = ("name", "code", "description")
SUMMARY_MAX = Registration._meta.get_field("products").max_length
# A registration's summary separates products with ", " and the matcher splits it on these: a name holding one
# would read as two products.
SEPARATORS = re.compile(r"[,;\n]")


def _check(actor: User) -> None:
    if not can_manage_program(actor):
        raise ValidationError("Only program admins can change the program.")


# --- Reads -----------------------------------------------------------------------------------------------------


def products_offered() -> QuerySet[Product]:
    """The active products, in the order partners see them."""
    return Product.objects.filter(is_active=True).order_by("order", "name", "pk")


def product_rows() -> tuple[list[Product], list[Product]]:
    """(offered, retired) for the setup page, each product with `registration_count`."""
    products = list(Product.objects.annotate(registration_count=Count("registrations")).order_by("order", "name", "pk"))
    offered = [p for p in products if p.is_active]
    retired = sorted((p for p in products if not p.is_active), key=lambda p: p.name.lower())
    return offered, retired


def products_summary(products: Iterable[Product], other: str = "") -> str:
    """The readable summary a registration keeps: the picked products in catalogue order, then the other text."""
    names = [p.name for p in sorted(products, key=lambda p: (p.order, p.name.lower(), p.pk))]
    other = " ".join((other or "").split())
    summary = ", ".join([*names, other] if other else names)
    if len(summary) > SUMMARY_MAX:
        raise ValidationError(
            {
                "products": f"That is too long to keep ({len(summary)} characters, at most {SUMMARY_MAX}): pick fewer "
                "products or shorten the other one."
            }
        )
    return summary


def products_for_registration(values: Iterable[Any], *, registration: Registration | None = None) -> list[Product]:
    """The catalogue products a partner picked (products or their ids). Only offered products may be picked, except
    the ones the registration already has (retired since: it keeps them)."""
    try:
        ids = {v.pk if isinstance(v, Product) else int(v) for v in values}
    except (TypeError, ValueError):
        raise ValidationError({"catalogue_products": "Pick the products from the list."}) from None
    if not ids:
        return []
    found = {p.pk: p for p in Product.objects.filter(pk__in=ids)}
    if len(found) != len(ids):
        raise ValidationError({"catalogue_products": "One of the products was removed meanwhile: pick again."})
    kept: set[int] = set()
    if registration is not None and registration.pk:
        kept = set(registration.catalogue_products.values_list("pk", flat=True))
    retired = sorted(p.name for p in found.values() if not p.is_active and p.pk not in kept)
    if retired:
        raise ValidationError(
            {"catalogue_products": f"{', '.join(retired)} is no longer offered: pick another product, or Other."}
        )
    return sorted(found.values(), key=lambda p: (p.order, p.name.lower(), p.pk))


# --- Writes ----------------------------------------------------------------------------------------------------


def _values(product: Product) -> dict[str, Any]:
    return {name: getattr(product, name) for name in PRODUCT_FIELDS}


def _only(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    return data


def _clean(product: Product) -> None:
    product.name = " ".join((product.name or "").split())
    product.code = (product.code or "").strip()
    product.description = " ".join((product.description or "").split())
    if not product.name:
        raise ValidationError({"name": "Give the product a name, e.g. Platform."})
    if SEPARATORS.search(product.name):
        raise ValidationError(
            {"name": "Leave commas and semicolons out of the name: deal registrations list products with them."}
        )
    same_name = Product.objects.filter(name__iexact=product.name).exclude(pk=product.pk).first()
    if same_name is not None:
        state = "" if same_name.is_active else " (retired: offer it again from the list instead)"
        raise ValidationError({"name": f"There is already a product called {same_name.name}{state}."})
    same_code = (
        Product.objects.filter(code__iexact=product.code).exclude(pk=product.pk).first() if product.code else None
    )
    if same_code is not None:
        raise ValidationError({"code": f"{same_code.name} already has the code {same_code.code}."})
    product.full_clean(exclude=["order"])


def _save(product: Product) -> None:
    """Save; two admins adding the same name at the same moment: the database's unique index refuses the second."""
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise ValidationError({"name": f"There is already a product called {product.name}."}) from None


def _next_order() -> int:
    return (Product.objects.filter(is_active=True).aggregate(top=Max("order"))["top"] or 0) + 1


def product_create(*, actor: User, data: dict[str, Any]) -> Product:
    """Add a product at the end of the list partners pick from. Audited."""
    _check(actor)
    _only(data)
    with transaction.atomic():
        product = Product(**data)
        _clean(product)
        product.order = _next_order()
        _save(product)
        audit_record(
            actor=actor,
            verb="program.product_created",
            target=product,
            after={**_values(product), "order": product.order},
        )
    return product


def product_update(*, actor: User, product: Product, data: dict[str, Any]) -> Product:
    """Change a product's name, code or description. Audited with before and after. Registrations already saved
    keep the summary they were registered with."""
    _check(actor)
    _only(data)
    with transaction.atomic():
        locked = Product.objects.select_for_update().filter(pk=product.pk).first()
        if locked is None:
            raise ValidationError("This product was removed meanwhile.")
        before = _values(locked)
        for name, value in data.items():
            setattr(locked, name, value)
        _clean(locked)
        after = _values(locked)
        changed = [name for name in PRODUCT_FIELDS if before[name] != after[name]]
        if not changed:
            return locked
        _save(locked)
        audit_record(
            actor=actor,
            verb="program.product_changed",
            target=locked,
            before={n: before[n] for n in changed},
            after={n: after[n] for n in changed},
        )
    return locked


def product_move(*, actor: User, product: Product, direction: str) -> Product:
    """Move an offered product one place up or down the list partners pick from. Audited."""
    _check(actor)
    if direction not in ("up", "down"):
        raise ValidationError("Move a product up or down.")
    with transaction.atomic():
        offered = list(products_offered().select_for_update())
        index = next((i for i, p in enumerate(offered) if p.pk == product.pk), None)
        if index is None:
            raise ValidationError(f"{product.name} is not offered, so it has no place in the list.")
        other_index = index - 1 if direction == "up" else index + 1
        if not 0 <= other_index < len(offered):
            raise ValidationError(f"{product.name} is already {'first' if direction == 'up' else 'last'}.")
        before = offered[index].order
        offered[index], offered[other_index] = offered[other_index], offered[index]
        for position, item in enumerate(offered, start=1):  # numbered afresh: equal orders cannot get stuck
            if item.order != position:
                Product.objects.filter(pk=item.pk).update(order=position, updated_at=timezone.now())
                item.order = position
        moved = offered[other_index]
        audit_record(
            actor=actor,
            verb="program.product_moved",
            target=moved,
            before={"order": before},
            after={"order": moved.order, "direction": direction, "passed": offered[index].name},
        )
    return moved


def product_retire(*, actor: User, product: Product) -> Product:
    """Stop offering a product on the deal form. Registrations keep it; nothing is deleted. Audited."""
    _check(actor)
    with transaction.atomic():
        now = timezone.now()
        changed = Product.objects.filter(pk=product.pk, is_active=True).update(
            is_active=False, retired_at=now, updated_at=now
        )
        if changed != 1:
            raise ValidationError(f"{product.name} is already retired.")
        product.refresh_from_db()
        audit_record(
            actor=actor,
            verb="program.product_retired",
            target=product,
            before={"is_active": True},
            after={"is_active": False, "registrations": product.registrations.count()},
        )
    return product


def product_restore(*, actor: User, product: Product) -> Product:
    """Offer a retired product again, at the end of the list. Audited."""
    _check(actor)
    with transaction.atomic():
        order = _next_order()
        changed = Product.objects.filter(pk=product.pk, is_active=False).update(
            is_active=True, retired_at=None, order=order, updated_at=timezone.now()
        )
        if changed != 1:
            raise ValidationError(f"{product.name} is offered already.")
        product.refresh_from_db()
        audit_record(
            actor=actor,
            verb="program.product_restored",
            target=product,
            before={"is_active": False},
            after={"is_active": True, "order": order},
        )
    return product
