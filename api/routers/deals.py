"""Deal registrations: /api/v1/deal-registrations.

The portal's rules apply as they are: the request is checked by the portal's own form (`RegistrationForm`, with the
submit requirements when `submit` is true) and written by the services the portal calls, so the conflict detection,
the first-to-register policy, the audit trail and the notifications are the same. A partner token sees its own
company's registrations (another's is a 404); a staff token sees every partner's and may close one as won or lost.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import Query, Router, Schema, Status

from api.auth import require_partner
from api.pagination import DEFAULT_LIMIT, MAX_LIMIT, page
from api.routers.common import ERRORS, check_moment, money
from api.schemas import (
    CheckIn,
    CheckOut,
    RegistrationIn,
    RegistrationOut,
    RegistrationPage,
    RegistrationPatch,
    Stage,
    StatusFilter,
)
from dealreg import selectors, services
from dealreg.forms import RegistrationForm, RegistrationUpdateForm, registration_initial
from dealreg.models import Conflict, Registration
from dealreg.services.products import products_offered
from dealreg.services.registrations.drafts import EDITABLE, UPDATABLE
from dealreg.services.registrations.submit import PARTNER_WORDING
from dealreg.wording import status_explanation

router = Router(tags=["Deal registrations"])

CLOSING = ("won", "lost")
UPDATE_KEYS = {"stage", "value", "expected_close", "notes"}
PRODUCT_KEYS = {"products", "catalogue_products", "other_products"}


# --- Reading -------------------------------------------------------------------------------------------------


def conflict_reasons(registrations: list[Registration]) -> dict[int, list[str]]:
    """Why each conflicting registration conflicts, in the partner's words (never who), in one query."""
    ids = {r.pk for r in registrations if r.has_conflict}
    kinds: dict[int, set[str]] = {pk: set() for pk in ids}
    if ids:
        rows = Conflict.objects.filter(resolved_at__isnull=True).filter(
            Q(registration_id__in=ids) | Q(other_registration_id__in=ids, kind=Conflict.Kind.REGISTRATION)
        )
        for registration_id, other_id, kind in rows.values_list("registration_id", "other_registration_id", "kind"):
            if registration_id in ids:
                kinds[registration_id].add(kind)
            if other_id in ids:
                kinds[other_id].add(Conflict.Kind.REGISTRATION)
    return {pk: [words for kind, words in PARTNER_WORDING.items() if kind in found] for pk, found in kinds.items()}


def registration_out(registration: Registration, reasons: list[str] | None = None) -> dict[str, Any]:
    headline, next_step = status_explanation(registration)
    if reasons is None:
        reasons = conflict_reasons([registration]).get(registration.pk, [])
    return {
        "id": registration.pk,
        "partner": {"id": registration.partner_id, "name": registration.partner.name},
        "name": registration.name,
        "website": registration.website,
        "country": registration.country.code or "",
        "contact_name": registration.contact_name,
        "contact_email": registration.contact_email,
        "contact_title": registration.contact_title,
        "products": registration.products,
        "value": money(registration.value, registration.currency),
        "currency": registration.currency,
        "expected_close": registration.expected_close,
        "stage": registration.stage,
        "involvement": registration.involvement,
        "notes": registration.notes,
        "status": registration.status,
        "has_conflict": registration.has_conflict,
        "explanation": {"headline": headline, "next_step": next_step, "conflict_reasons": reasons},
        "submitted_at": registration.submitted_at,
        "decided_at": registration.decided_at,
        "decision_reason": registration.decision_reason,
        "protected_until": registration.protected_until,
        "won_amount": money(registration.won_amount, registration.currency),
        "closed_at": registration.closed_at,
        "created_at": registration.created_at,
        "updated_at": registration.updated_at,
    }


def _access(request: HttpRequest, pk: int) -> Registration:
    """The registration, if the token may see it: its own company's for a partner token (else 404), any for staff."""
    if request.partner is not None:  # type: ignore[attr-defined]
        return selectors.access_registration(partner=request.partner, pk=pk)  # type: ignore[attr-defined]
    registration = Registration.objects.select_related("partner", "created_by", "account").filter(pk=pk).first()
    if registration is None:
        raise Http404("Not found")
    return registration


class ListFilters(Schema):
    status: StatusFilter | None = None
    stage: Stage | None = None
    updated_since: datetime | None = None
    partner: int | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get("/deal-registrations", response={200: RegistrationPage, **ERRORS}, summary="List deal registrations")
def registration_list(request: HttpRequest, filters: Query[ListFilters]):
    """Newest first; `status` (or `active`), `stage`, `updated_since` (ISO 8601) filter; a staff token may also
    filter by `partner` (its id). Pass `next` back as `cursor` for the following page (`limit` 1–200)."""
    if not 1 <= filters.limit <= MAX_LIMIT:
        raise ValidationError({"limit": f"Give a limit from 1 to {MAX_LIMIT}."})
    wanted = {"status": filters.status, "stage": filters.stage}
    if request.partner is not None:  # type: ignore[attr-defined]
        registrations = selectors.registration_list_for_partner(partner=request.partner, filters=wanted)  # type: ignore[attr-defined]
    else:
        if filters.partner is not None and not 1 <= filters.partner < 10**18:
            raise ValidationError({"partner": "Give a partner's id."})
        registrations = selectors.registration_list(filters={**wanted, "partner": filters.partner})
    if (since := check_moment(filters.updated_since, "updated_since")) is not None:
        registrations = registrations.filter(updated_at__gte=since)
    rows, next_cursor = page(registrations, cursor=filters.cursor, limit=filters.limit, scope="deal-registrations")
    reasons = conflict_reasons(rows)
    return {"items": [registration_out(r, reasons.get(r.pk, [])) for r in rows], "next": next_cursor}


@router.get("/deal-registrations/{id:registration_id}", response={200: RegistrationOut, **ERRORS})
def registration_detail(request: HttpRequest, registration_id: int):
    """One registration, with where it stands in plain words."""
    return registration_out(_access(request, registration_id))


# --- Writing -------------------------------------------------------------------------------------------------


def _form_data(values: dict[str, Any]) -> MultiValueDict:
    """Values as the portal form would post them."""
    data = MultiValueDict()
    for key, value in values.items():
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data.setlist(key, [str(getattr(v, "pk", v)) for v in value])
        elif value is True:
            data[key] = "on"
        else:
            data[key] = str(value)
    return data


def _with_products(values: dict[str, Any], uses_catalogue: bool) -> dict[str, Any]:
    """The API takes the products as text (`products`) or picked (`catalogue_products`, `other_products`); the form
    has one of the two, depending on whether the program has a catalogue."""
    values = dict(values)
    for code in ("currency", "country"):  # codes are upper case; a client may send "eur"
        if isinstance(values.get(code), str):
            values[code] = values[code].strip().upper()
    picked = values.pop("catalogue_products", None)
    other = values.pop("other_products", None)
    text = values.get("products")
    if not uses_catalogue:
        if picked:
            raise ValidationError({"catalogue_products": "The program has no product catalogue: give `products`."})
        if other and not text:
            values["products"] = other
        return values
    if picked is not None or other is not None:
        if text and "products" in values and picked is not None:
            raise ValidationError("Give the products either as text or picked from the catalogue, not both.")
        values.pop("products", None)
        values["catalogue_products"] = picked or []
        values["other_products"] = other or ""
        values["other"] = bool(other)
        return values
    if "products" in values:  # text alone with a catalogue: what the portal calls "Other"
        values.pop("products")
        values["catalogue_products"] = []
        values["other_products"] = text or ""
        values["other"] = bool(text)
    return values


def _form_errors(form) -> ValidationError:
    errors = {field: list(messages) for field, messages in form.errors.items()}
    if "other_products" in errors and "products" not in errors:
        errors["products"] = errors.pop("other_products")
    return ValidationError(errors)


def _valid_registration_form(values: dict[str, Any], *, submit: bool, registration: Registration | None):
    uses_catalogue = products_offered().exists() or bool(
        registration is not None and registration.catalogue_products.exists()
    )
    form = RegistrationForm(
        _form_data(_with_products(values, uses_catalogue)), for_submit=submit, registration=registration
    )
    if not form.is_valid():
        raise _form_errors(form)
    return form


def _save(request: HttpRequest, form, registration: Registration | None, submit: bool) -> Registration:
    """Save the draft and, if asked, submit it, all or nothing: a refused submission leaves nothing behind."""
    with transaction.atomic():
        registration = services.registration_save_draft(
            actor=request.user, partner=request.partner, data=form.data_for_service(), registration=registration
        )
        if submit:
            registration = services.registration_submit(actor=request.user, registration=registration)
    return selectors.access_registration(partner=request.partner, pk=registration.pk)  # type: ignore[attr-defined]


@router.post("/deal-registrations", response={201: RegistrationOut, **ERRORS}, summary="Register a deal")
def registration_create(request: HttpRequest, payload: RegistrationIn):
    """Save a draft, or with `submit: true` submit it for approval: conflicts are checked as in the portal, and
    `explanation` says where it stands (a conflict in plain words, never naming another partner)."""
    require_partner(request)
    values = payload.model_dump(exclude={"submit"})
    form = _valid_registration_form(values, submit=payload.submit, registration=None)
    return Status(201, registration_out(_save(request, form, None, payload.submit)))


def _current_values(registration: Registration) -> dict[str, Any]:
    """The registration's fields as the API takes them: products as text, or picked from the catalogue."""
    values = registration_initial(registration)
    values.pop("other", None)
    if values["catalogue_products"]:
        values.pop("products", None)
    else:
        values.pop("catalogue_products")
        values.pop("other_products")
        values["products"] = registration.products
    return values


@router.patch("/deal-registrations/{id:registration_id}", response={200: RegistrationOut, **ERRORS})
def registration_change(request: HttpRequest, registration_id: int, payload: RegistrationPatch):
    """Edit a draft (and submit it with `submit: true`); move a submitted or approved registration along (stage,
    value, expected_close, notes); close an approved one: `{"stage": "won", "won_amount": 48000}` or
    `{"stage": "lost", "reason": "…"}`. A staff token may only close."""
    registration = _access(request, registration_id)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("stage") in CLOSING:
        return _close(request, registration, changes)
    if "won_amount" in changes or "reason" in changes:
        raise ValidationError('`won_amount` and `reason` go with closing the deal: `stage` "won" or "lost".')
    if request.partner is None:  # type: ignore[attr-defined]
        raise PermissionDenied(
            "Only the partner's people change its registration; a staff token may close it as won or lost."
        )
    submit = bool(changes.pop("submit", False))
    if not changes and not submit:
        raise ValidationError("Nothing to change: send the fields to change.")
    if registration.status in EDITABLE:
        values = _current_values(registration)
        if PRODUCT_KEYS & set(changes):  # new products replace the old ones, whichever way they were given
            for key in PRODUCT_KEYS:
                values.pop(key, None)
        values.update(changes)
        form = _valid_registration_form(values, submit=submit, registration=registration)
        return registration_out(_save(request, form, registration, submit))
    status = registration.get_status_display().lower()
    if registration.status not in UPDATABLE:
        raise ValidationError(f"This registration is {status}: it cannot be changed any more.")
    if submit:
        raise ValidationError(f"This registration is {status} already.")
    if unknown := set(changes) - UPDATE_KEYS:
        raise ValidationError(
            f"This registration is {status}: only stage, value, expected_close and notes can change "
            f"(not {', '.join(sorted(unknown))})."
        )
    current = {name: getattr(registration, name) for name in UPDATE_KEYS}
    form = RegistrationUpdateForm(_form_data({**current, **changes}))
    if not form.is_valid():
        raise _form_errors(form)
    services.registration_update(actor=request.user, registration=registration, data=form.data_for_service())
    return registration_out(_access(request, registration.pk))


def _close(request: HttpRequest, registration: Registration, changes: dict[str, Any]):
    if extra := set(changes) - {"stage", "won_amount", "reason"}:
        raise ValidationError(
            "Close a deal on its own: send `stage` with `won_amount` (won) or `reason`, "
            f"not {', '.join(sorted(extra))}."
        )
    won = changes["stage"] == "won"
    if not won and changes.get("won_amount") is not None:
        raise ValidationError("A lost deal has no `won_amount`.")
    services.registration_close(
        actor=request.user,
        registration=registration,
        won=won,
        amount=changes.get("won_amount"),
        reason=changes.get("reason") or "",
    )
    return registration_out(_access(request, registration.pk))


@router.post("/deal-registrations/{id:registration_id}/submit", response={200: RegistrationOut, **ERRORS})
def registration_submit(request: HttpRequest, registration_id: int):
    """Submit a draft (or a registration sent back for more information) as it is."""
    require_partner(request)
    registration = _access(request, registration_id)
    if registration.status not in EDITABLE:
        raise ValidationError(f"This registration is {registration.get_status_display().lower()} already.")
    form = _valid_registration_form(_current_values(registration), submit=True, registration=registration)
    return registration_out(_save(request, form, registration, True))


@router.post("/deal-registrations/check", response={200: CheckOut, **ERRORS}, summary="Pre-check a customer")
def registration_check(request: HttpRequest, payload: CheckIn):
    """Whether the customer looks already registered or owned, as the deal form shows while typing. Registers
    nothing."""
    require_partner(request)
    hints = services.registration_check_preview(
        partner=request.partner,  # type: ignore[attr-defined]
        name=" ".join(payload.name.split())[:200],
        website=payload.website.strip()[:300],
        country=payload.country.strip()[:2],
    )
    return {"clear": not hints, "hints": hints}
