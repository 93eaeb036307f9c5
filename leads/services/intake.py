"""Leads coming in: entered by a channel manager, imported, sent by the partner locator's contact form or the API.
Every lead's company is checked by the account matcher first; a flagged lead waits for a channel manager, the others
go out as the distribution settings say (a locator lead straight to the partner the visitor chose)."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django_countries import countries

from dealreg.models import Product
from leads.matching import lead_match
from leads.models import Lead
from partners.models import Partner
from prm.audit import audit_record
from prm.models import User

from .common import require_manager, tell_managers

LEAD_FIELDS = (
    "name",
    "website",
    "country",
    "contact_name",
    "contact_email",
    "contact_phone",
    "industry",
    "size",
    "interest",
    "notes",
)
LIMITS = {
    "name": 200,
    "website": 300,
    "contact_name": 160,
    "contact_email": 254,
    "contact_phone": 40,
    "industry": 100,
    "interest": 300,
    "notes": 4000,
}
MATCH_FIELDS = ("name", "website", "country")


def _text(value: Any) -> str:
    text = str(value or "").replace("\x00", "")
    return text.strip()


def clean_lead_data(data: dict[str, Any]) -> dict[str, Any]:
    """The lead's fields checked and tidied, or a ValidationError naming each bad field."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in LEAD_FIELDS:
        if name not in data:
            continue
        value = _text(data[name])
        if name in ("name", "contact_name", "industry", "interest"):
            value = " ".join(value.split())
        limit = LIMITS.get(name)
        if limit and len(value) > limit:
            errors[name] = f"Keep it under {limit:,} characters (it has {len(value):,})."
            continue
        out[name] = value
    if "country" in out:
        code = out["country"].upper()
        if code and code not in dict(countries):
            by_name = {str(label).lower(): c for c, label in countries}
            code = by_name.get(out["country"].lower(), "")
            if not code:
                errors["country"] = "Give a country code like DE or a country's English name like Germany."
        out["country"] = code
    if "size" in out:
        size = out["size"].lower().replace("-", "")
        if size and size not in Lead.Size.values:
            errors["size"] = "One of smb, midmarket or enterprise (or leave it empty)."
        out["size"] = size
    if out.get("contact_email"):
        try:
            validate_email(out["contact_email"])
        except ValidationError:
            errors["contact_email"] = "Give an email address like name@company.com."
    if "website" in out and out["website"] and (" " in out["website"] or "." not in out["website"]):
        errors["website"] = "Give a web address like company.com."
    for required, words in (
        ("name", "Give the company's name."),
        ("contact_name", "Give the contact's name."),
        ("contact_email", "Give the contact's email address."),
    ):
        if required in data and not out.get(required) and required not in errors:
            errors[required] = words
    if errors:
        raise ValidationError(errors)
    return out


def _products(values: Iterable[Any], interest: str) -> list[Product]:
    """The catalogue products picked (products or ids), plus the offered products the interest names."""
    ids = set()
    for value in values or ():
        try:
            ids.add(value.pk if isinstance(value, Product) else int(value))
        except (TypeError, ValueError):
            raise ValidationError({"products": "Pick the products from the list."}) from None
    picked = list(Product.objects.filter(pk__in=ids)) if ids else []
    if len(picked) != len(ids):
        raise ValidationError({"products": "One of the products was removed meanwhile: pick again."})
    words = interest.lower()
    if words:
        for product in Product.objects.filter(is_active=True):
            if product.name.lower() in words and product not in picked:
                picked.append(product)
    return picked


def _match(lead: Lead) -> None:
    flag = lead_match(name=lead.name, website=lead.website, country=str(lead.country or ""))
    lead.match_kind = flag.kind if flag else ""
    lead.match_reason = flag.reason if flag else ""
    lead.match_checked_at = timezone.now()
    lead.match_confirmed_at = None
    lead.match_confirmed_by = None
    lead.match_confirm_reason = ""


def _snapshot(lead: Lead) -> dict[str, Any]:
    return {name: str(getattr(lead, name) or "") for name in LEAD_FIELDS} | {
        "source": lead.source,
        "status": lead.status,
        "match_kind": lead.match_kind,
        "preferred_partner": lead.preferred_partner_id,
    }


def create_lead(
    *,
    actor: User | None = None,
    company_name: str,
    website: str = "",
    country: str = "",
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    industry: str = "",
    size: str = "",
    interest: str = "",
    notes: str = "",
    source: str,
    preferred_partner: Partner | int | None = None,
    products: Iterable[Any] = (),
) -> Lead:
    """Create a lead, check its company with the account matcher, then hand it on: a flagged lead (an existing
    customer, a protected registration, our direct sales team's account) waits for a channel manager to confirm;
    a locator lead with a chosen partner is offered to that partner; any other goes out as the distribution
    settings say (a channel manager picks, or it is offered automatically). Audited; the channel team is told."""
    if source not in Lead.Source.values:
        raise ValidationError({"source": f"Unknown source {source!r}."})
    if actor is not None and source in (Lead.Source.MANAGER, Lead.Source.IMPORT):
        require_manager(actor)
    data = clean_lead_data(
        {
            "name": company_name,
            "website": website,
            "country": country,
            "contact_name": contact_name,
            "contact_email": contact_email,
            "contact_phone": contact_phone,
            "industry": industry,
            "size": size,
            "interest": interest,
            "notes": notes,
        }
    )
    preferred = None
    if preferred_partner is not None:
        preferred_id = preferred_partner.pk if isinstance(preferred_partner, Partner) else preferred_partner
        preferred = Partner.objects.filter(pk=preferred_id, status=Partner.Status.ACTIVE).first()
        if preferred is None:
            raise ValidationError({"preferred_partner": "That partner is not taking leads at the moment."})
    with transaction.atomic():
        lead = Lead(source=source, preferred_partner=preferred, created_by=actor, **data)
        picked = _products(products, data.get("interest", ""))
        _match(lead)
        lead.save()
        if picked:
            lead.products.set(picked)
        event = audit_record(
            actor=actor, verb="lead.created", target=lead, partner=preferred, after=_snapshot(lead), label=lead.name
        )
        offers = []
        if not lead.needs_match_confirmation:
            from .distribution import lead_distribute, lead_offer_locator

            if source == Lead.Source.LOCATOR and preferred is not None:
                offers = [lead_offer_locator(lead=lead)]
            else:
                offers = lead_distribute(actor=None, lead=lead)
        if not offers:
            tell_managers(
                lead=lead,
                key=f"audit:{event.pk}:lead_new",
                template="lead_new",
                context={"flagged": lead.needs_match_confirmation},
                partner=preferred,
            )
    lead.refresh_from_db()
    return lead


def lead_update(*, actor: User, lead: Lead, data: dict[str, Any], products: Iterable[Any] | None = None) -> Lead:
    """A channel manager corrects a lead that nobody holds or has been offered yet. A changed company is checked
    by the matcher again (and needs confirming again if flagged). Audited with what changed."""
    require_manager(actor)
    clean = clean_lead_data(data)
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        if current.status not in (Lead.Status.NEW, Lead.Status.UNASSIGNED):
            raise ValidationError(
                f"This lead is {current.get_status_display().lower()}: only new leads and leads back with us can be "
                "edited."
            )
        before = _snapshot(current)
        for name, value in clean.items():
            setattr(current, name, value)
        if not current.name or not current.contact_name or not current.contact_email:
            raise ValidationError("A lead needs the company's name, the contact's name and email address.")
        current.refresh_match_keys()
        if any(before[f] != str(getattr(current, f) or "") for f in MATCH_FIELDS):
            _match(current)
        current.save()
        if products is not None:
            current.products.set(_products(products, ""))
        after = _snapshot(current)
        changed = [k for k in after if before[k] != after[k]]
        if changed:
            audit_record(
                actor=actor,
                verb="lead.updated",
                target=current,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                label=current.name,
            )
    return current
