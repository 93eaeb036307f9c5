"""What the partner writes: drafts (saved as often as it likes), updates of a live registration (kept as history
in the audit trail), and the check while typing that says whether the customer looks taken."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dealreg.models import DirectOpportunity, Registration
from partners.models import Partner
from prm.audit import audit_record
from prm.models import User
from prm.money import parse_money

from .common import require_member

DRAFT_FIELDS = (
    "name",
    "website",
    "country",
    "contact_name",
    "contact_email",
    "contact_title",
    "products",
    "other_products",
    "value",
    "currency",
    "expected_close",
    "stage",
    "involvement",
    "notes",
)
# Picked from the catalogue (products or their ids); with `other_products`, the service writes `products` from them.
CATALOGUE_KEY = "catalogue_products"
UPDATE_FIELDS = ("stage", "value", "expected_close", "notes", "products")
EDITABLE = (Registration.Status.DRAFT, Registration.Status.NEEDS_INFO)
UPDATABLE = (Registration.Status.SUBMITTED, Registration.Status.APPROVED)
# Won and lost close a deal: that comes with the lifecycle features, not with an edit.
OPEN_STAGES = tuple(s for s in Registration.Stage.values if s not in (Registration.Stage.WON, Registration.Stage.LOST))

HINT_CUSTOMER = "Looks like an existing customer of ours: this would be a renewal or expansion"
HINT_REGISTERED = (
    "Another registration already covers a company like this; yours would be reviewed by a channel manager"
)
HINT_DIRECT = "Our own sales team works with this company"


def _clean_value(field: str, value: Any) -> Any:
    if field in ("value", "expected_close") and value in ("", None):
        return None
    if field == "value" and isinstance(value, int | float):
        return Decimal(str(value))
    if field == "value" and isinstance(value, str):
        try:
            return parse_money(value, label="estimated value")
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}) from None
    if field == "currency":
        return (value or "").strip().upper()
    if field == "country":
        return (str(value or "")).strip().upper()
    if isinstance(value, str):
        return value.strip()
    return value


def _apply(registration: Registration, data: dict[str, Any], fields: tuple[str, ...]) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    for field in fields:
        if field in data:
            setattr(registration, field, _clean_value(field, data[field]))
    if registration.stage not in OPEN_STAGES:
        raise ValidationError({"stage": "Closing a deal as won or lost comes with the lifecycle features."})
    registration.name = " ".join((registration.name or "").split())
    if not registration.name:
        raise ValidationError({"name": "Give the customer's company name."})
    registration.full_clean(exclude=["partner", "created_by", "account", "decided_by"])
    if registration.stage == Registration.Stage.POC:
        registration.passed_poc = True


def _products_from(data: dict[str, Any], registration: Registration | None) -> tuple[dict[str, Any], list | None]:
    """Turn the catalogue picking (`catalogue_products`, `other_products`) into the `products` summary the
    registration keeps. A caller that writes the `products` text itself (no catalogue) leaves no picking: the text
    is then all there is. Returns the data to apply and the products to link (None: leave the links alone)."""
    from dealreg.services.products import products_for_registration, products_summary

    if CATALOGUE_KEY not in data and "other_products" not in data:
        if "products" not in data:
            return data, None
        return {**data, "other_products": ""}, []
    if "products" in data:
        raise ValidationError("Give the products either as text or picked from the catalogue, not both.")
    data = dict(data)
    picked = products_for_registration(data.pop(CATALOGUE_KEY, None) or [], registration=registration)
    other = " ".join(str(data.get("other_products") or "").split())
    data["other_products"] = other
    data["products"] = products_summary(picked, other)
    return data, picked


def _snapshot(registration: Registration, fields: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for field in fields:
        value = getattr(registration, field)
        if isinstance(value, Decimal | date):
            value = str(value)
        elif field == "country":
            value = str(value or "")
        out[field] = value
    return out


def registration_save_draft(
    *, actor: User, partner: Partner, data: dict[str, Any], registration: Registration | None = None
) -> Registration:
    """Create a draft, or save changes to a draft (or to a registration sent back for more information).
    Nothing is checked against other registrations until it is submitted. Products come either picked from the
    catalogue (`catalogue_products` with `other_products`: the `products` summary is written from them) or as the
    `products` text alone (callers without the catalogue)."""
    require_member(actor, partner)
    with transaction.atomic():
        if registration is None:
            registration = Registration(partner=partner, created_by=actor)
            data, picked = _products_from(data, None)
            _apply(registration, data, DRAFT_FIELDS)
            registration.save()
            if picked:
                registration.catalogue_products.set(picked)
            audit_record(
                actor=actor,
                verb="deal.drafted",
                target=registration,
                partner=partner,
                after=_snapshot(registration, DRAFT_FIELDS),
            )
            return registration
        if registration.partner_id != partner.pk:
            raise ValidationError("This registration belongs to another company.")
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status not in EDITABLE:
            raise ValidationError(
                f"This registration is {current.get_status_display().lower()}: only drafts and registrations "
                "sent back for more information can be edited."
            )
        before = _snapshot(current, DRAFT_FIELDS)
        data, picked = _products_from(data, current)
        _apply(current, data, DRAFT_FIELDS)
        current.save()
        if picked is not None:
            current.catalogue_products.set(picked)
        after = _snapshot(current, DRAFT_FIELDS)
        changed = [f for f in DRAFT_FIELDS if before[f] != after[f]]
        if changed and current.status == Registration.Status.NEEDS_INFO:
            # Drafts change freely; a registration a manager already saw keeps its history.
            audit_record(
                actor=actor,
                verb="deal.updated",
                target=current,
                partner=partner,
                before={f: before[f] for f in changed},
                after={f: after[f] for f in changed},
            )
    return current


def registration_update(*, actor: User, registration: Registration, data: dict[str, Any]) -> Registration:
    """The partner moves a submitted or approved registration along: stage, value, expected close, notes and
    products. Each change is kept (before and after) in the audit trail, which is the registration's history."""
    require_member(actor, registration.partner)
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status not in UPDATABLE:
            raise ValidationError(
                f"This registration is {current.get_status_display().lower()}: only submitted and approved "
                "registrations can be updated."
            )
        before = _snapshot(current, UPDATE_FIELDS)
        _apply(current, data, UPDATE_FIELDS)
        after = _snapshot(current, UPDATE_FIELDS)
        changed = [f for f in UPDATE_FIELDS if before[f] != after[f]]
        if not changed:
            return current
        current.updated_at = timezone.now()
        current.save(update_fields=[*UPDATE_FIELDS, "passed_poc", "updated_at"])
        audit_record(
            actor=actor,
            verb="deal.updated",
            target=current,
            partner=current.partner,
            before={f: before[f] for f in changed},
            after={f: after[f] for f in changed},
        )
    return current


def registration_check_preview(*, partner: Partner, name: str, website: str = "", country: str = "") -> list[str]:
    """Hints for the check while the partner types: whether the customer looks already registered or owned, in
    words that never name another partner or show its deal. At most three; empty when nothing matches."""
    from dealreg.candidates import find_candidates

    name = " ".join((name or "").split())
    website = (website or "").strip()
    if len(name) < 2 and not website:
        return []
    candidates = find_candidates(
        name=name, website=website, country=(country or "").strip().upper(), exclude_partner_id=partner.pk, limit=10
    )
    account_ids = [c.obj.pk for c in candidates if c.kind != "registration"]
    in_direct_pipeline = set(
        DirectOpportunity.objects.filter(account_id__in=account_ids, stage=DirectOpportunity.Stage.OPEN).values_list(
            "account_id", flat=True
        )
    )  # one query for every candidate account, not one each
    hints: list[str] = []
    for candidate in candidates:
        if candidate.kind == "registration":
            found = [HINT_REGISTERED]
        else:
            account = candidate.obj
            found = []
            if account.is_customer:
                found.append(HINT_CUSTOMER)
            if account.is_named_account or account.pk in in_direct_pipeline:
                found.append(HINT_DIRECT)
        for hint in found:
            if hint not in hints:
                hints.append(hint)
    return hints[:3]
