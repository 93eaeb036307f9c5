"""Writes on a partner's profile: its classification, who owns the relationship, and the channel team's notes.

Partner admins keep their company's profile up to date (what they sell, where, to whom); channel managers also
set the classification that is theirs to decide (type, influence, commercial model, route to market, parent,
tier, owner). Every change is audited with the changed fields only, and told to the other side.
"""

__all__ = [
    "PARTNER_MANAGER_FIELDS",
    "PARTNER_PROFILE_FIELDS",
    "partner_note_add",
    "partner_set_owner",
    "partner_update_profile",
]

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django_countries import countries as all_countries

from partners.models import Partner, PartnerNote, Tier
from prm.access import is_channel_manager, user_membership
from prm.audit import audit_record
from prm.models import AuditEvent, User
from prm.notifications import notify

# What a partner admin may change about its own company.
PARTNER_PROFILE_FIELDS = (
    "website",
    "description",
    "functions",
    "regions",
    "countries",
    "verticals",
    "segments",
    "seller_count",
)
# The channel manager's classification: partners see some of it but cannot change it. Status is not here: it
# moves through the workflows (approval, activation, dormancy) that record their own dates and tell people.
PARTNER_MANAGER_FIELDS = (
    "name",
    "type",
    "influence",
    "commercial_model",
    "route_to_market",
    "parent",
    "tier",
    "owner",
)
# Changes a partner can see on its company page, so a channel manager's edit of them is told to its admins.
_VISIBLE_TO_PARTNER = frozenset({*PARTNER_PROFILE_FIELDS, "name", "type", "parent"})

MULTI_CHOICES = {"functions": Partner.Function, "regions": Partner.Region, "segments": Partner.Segment}
MAX_VERTICALS = 20
MAX_VERTICAL_LENGTH = 60
MAX_SELLER_COUNT = 1_000_000
_RELATED = {
    "parent": (Partner, "Choose a distributor from the list."),
    "tier": (Tier, "Choose a tier from the list."),
    "owner": (User, "Choose a channel manager from the list."),
}


# How a field is named in messages and emails (to partners and to channel managers alike).
FIELD_LABELS = {
    "name": "company name",
    "type": "partner type",
    "website": "website",
    "description": "description of the offer",
    "functions": "functions",
    "regions": "regions",
    "countries": "countries",
    "verticals": "industries",
    "segments": "customer segments",
    "seller_count": "number of sellers",
    "influence": "influence",
    "commercial_model": "commercial model",
    "route_to_market": "route to market",
    "parent": "distributor",
    "tier": "tier",
    "owner": "channel manager",
    "status": "status",
}

_ORDER = list(FIELD_LABELS)  # changes are listed (audited, told) in this order


def _field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def _editable_fields(actor: User, partner: Partner) -> tuple[str, ...]:
    if is_channel_manager(actor):
        return PARTNER_PROFILE_FIELDS + PARTNER_MANAGER_FIELDS
    membership = user_membership(actor)
    if membership is not None and membership.partner_id == partner.pk and membership.is_admin:
        return PARTNER_PROFILE_FIELDS
    raise ValidationError("Only your company's admins can edit the company profile. Ask one of them.")


# --- Normalising input: the same value always compares (and is stored) the same way ----------------------------


def _normalize(field: str, value: Any) -> Any:
    if field in MULTI_CHOICES:
        choices = MULTI_CHOICES[field]
        values = {str(v) for v in (value or [])}
        unknown = sorted(values - set(choices.values))
        if unknown:
            raise ValidationError({field: f"Unknown choice: {', '.join(unknown)}."})
        return [c for c in choices.values if c in values]  # the choices' own order
    if field == "countries":
        codes = {str(getattr(c, "code", c)).strip().upper() for c in (value or []) if str(c).strip()}
        unknown = sorted(c for c in codes if c not in all_countries)
        if unknown:
            raise ValidationError({field: f"Unknown country code: {', '.join(unknown)}. Pick countries from the list."})
        return sorted(codes)
    if field == "verticals":
        items = value.split(",") if isinstance(value, str) else list(value or [])
        seen: dict[str, str] = {}
        for item in items:
            text = " ".join(str(item).split())
            if text and text.lower() not in seen:
                seen[text.lower()] = text
        verticals = list(seen.values())
        too_long = [v for v in verticals if len(v) > MAX_VERTICAL_LENGTH]
        if too_long:
            raise ValidationError(
                {field: f"Keep each industry under {MAX_VERTICAL_LENGTH} characters (“{too_long[0][:30]}…” is longer)."}
            )
        if len(verticals) > MAX_VERTICALS:
            raise ValidationError({field: f"List at most {MAX_VERTICALS} industries."})
        return verticals
    if field == "seller_count":
        if value in (None, ""):
            return None
        try:
            count = int(value)
        except (TypeError, ValueError):
            raise ValidationError({field: "Enter a whole number."}) from None
        if not 0 <= count <= MAX_SELLER_COUNT:
            raise ValidationError({field: f"Enter a number between 0 and {MAX_SELLER_COUNT:,}."})
        return count
    if field == "name":
        name = " ".join(str(value or "").split())
        if not name:
            raise ValidationError({field: "The company needs a name."})
        return name
    if field in ("website", "description"):
        return str(value or "").strip()
    if field in ("type", "influence", "commercial_model", "route_to_market"):
        return str(value or "")
    if field in _RELATED:
        model, message = _RELATED[field]
        if value is not None and not isinstance(value, model):
            raise ValidationError({field: message})
        return value
    raise ValidationError(f"“{field}” is not part of a partner's profile.")


def _snapshot(field: str, value: Any) -> Any:
    """A field's value as the audit trail records it (JSON: ids for related objects, codes for countries)."""
    if field in ("parent", "tier", "owner"):
        return getattr(value, "pk", value)
    if field == "countries":
        return sorted(str(getattr(c, "code", c)) for c in (value or []))
    return value


def _check_relationship(partner: Partner, changes: dict[str, Any]) -> None:
    """The rules that span fields or rows: unique names, two-tier distribution."""
    errors: dict[str, str] = {}
    if "name" in changes and Partner.objects.filter(name__iexact=changes["name"]).exclude(pk=partner.pk).exists():
        errors["name"] = f"Another partner is already named “{changes['name']}”."
    if changes.get("parent") is not None:
        parent = changes["parent"]
        if parent.pk == partner.pk:
            errors["parent"] = "A partner cannot buy through itself."
        elif parent.type != Partner.Type.DISTRIBUTOR:
            errors["parent"] = f"{parent.name} is not a distributor. Only distributors have resellers under them."
        elif parent.parent_id == partner.pk:
            errors["parent"] = f"{parent.name} buys through {partner.name}; it cannot also be its distributor."
    new_type = changes.get("type", partner.type)
    if "type" in changes and partner.type == Partner.Type.DISTRIBUTOR and new_type != Partner.Type.DISTRIBUTOR:
        resellers = partner.children.count()
        if resellers:
            errors["type"] = (
                f"{partner.name} has {resellers} reseller{'s' if resellers != 1 else ''} under it. "
                "Move them to another distributor first."
            )
    # Two tiers, no more: a distributor buys from us directly (so no chain, and no loop, can form).
    touches = "type" in changes or "parent" in changes
    if touches and new_type == Partner.Type.DISTRIBUTOR and changes.get("parent", partner.parent) is not None:
        errors.setdefault("parent", "A distributor buys from us directly: leave “Buys through distributor” empty.")
    if errors:
        raise ValidationError(errors)


# --- Services -------------------------------------------------------------------------------------------------


def partner_update_profile(*, actor: User, partner: Partner, data: dict[str, Any]) -> Partner:
    """Change some of a partner's profile fields (`data`: field → new value; unchanged values are ignored).

    A partner admin may change PARTNER_PROFILE_FIELDS of its own company; a channel manager any of those and of
    PARTNER_MANAGER_FIELDS. The audit event records only what changed (before/after). A channel manager's change
    that the partner can see is told to its admins, a partner admin's change to the owning channel manager; a new
    owner goes through the same path as `partner_set_owner`. Raises ValidationError (by field when it can) and
    changes nothing when any value is refused."""
    allowed = _editable_fields(actor, partner)
    refused = [f for f in data if f not in allowed]
    if refused:
        if all(f in PARTNER_MANAGER_FIELDS or f == "status" for f in refused):
            labels = ", ".join(_field_label(f) for f in refused)
            raise ValidationError(f"Only your channel manager can change: {labels}.")
        raise ValidationError(f"“{refused[0]}” cannot be changed here.")
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, value in data.items():
        try:
            clean[field] = _normalize(field, value)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    new_owner_given = "owner" in clean
    new_owner = clean.pop("owner", None)
    # A tier change goes through the program's own service: audited as a tier change, told to the partner,
    # and any pending proposal is set aside.
    new_tier_given = "tier" in clean
    new_tier = clean.pop("tier", None)
    if new_owner_given and new_owner is not None:
        _require_channel_manager_owner(new_owner)

    with transaction.atomic():
        locked = (
            Partner.objects.select_for_update(of=("self",)).select_related("parent", "tier", "owner").get(pk=partner.pk)
        )
        changes = {
            f: clean[f] for f in _ORDER if f in clean and _snapshot(f, getattr(locked, f)) != _snapshot(f, clean[f])
        }
        if changes:
            _check_relationship(locked, changes)
            before = {f: _snapshot(f, getattr(locked, f)) for f in changes}
            for field, value in changes.items():
                setattr(locked, field, value)
            locked.full_clean(exclude=[f.name for f in Partner._meta.fields if f.name not in changes])
            locked.save(update_fields=[*changes, "domain", "updated_at"])
            event = audit_record(
                actor=actor,
                verb="partner.profile_updated",
                target=locked,
                partner=locked,
                before=before,
                after={f: _snapshot(f, getattr(locked, f)) for f in changes},
            )
            _tell_about_profile_change(actor=actor, partner=locked, fields=list(changes), event=event)
        owner_changed = new_owner_given and _pk(new_owner) != locked.owner_id
        if owner_changed:
            _change_owner(actor=actor, partner=locked, owner=new_owner)
        if new_tier_given and _pk(new_tier) != locked.tier_id:
            from partners.services.program import partner_set_tier

            partner_set_tier(actor=actor, partner=locked, tier=new_tier, reason="Set by your channel manager.")
            locked.tier = new_tier

    if changes:
        _refresh_onboarding(locked)
    _copy_onto(partner, locked)
    return partner


def partner_set_owner(*, actor: User, partner: Partner, owner: User | None) -> Partner:
    """Make `owner` (a channel manager, or nobody) the owner of the relationship. Audited; the new owner and the
    partner's admins are told."""
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers assign partners.")
    if owner is not None:
        _require_channel_manager_owner(owner)
    with transaction.atomic():
        locked = Partner.objects.select_for_update(of=("self",)).select_related("owner").get(pk=partner.pk)
        if locked.owner_id != _pk(owner):
            _change_owner(actor=actor, partner=locked, owner=owner)
    _copy_onto(partner, locked)
    return partner


def partner_note_add(*, actor: User, partner: Partner, body: str) -> PartnerNote:
    """A channel manager's internal note on a partner (never shown in the portal). Audited without its text."""
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers write notes on partners.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    limit = PartnerNote._meta.get_field("body").max_length
    if len(body) > limit:
        raise ValidationError({"body": f"Keep a note under {limit:,} characters (this one has {len(body):,})."})
    with transaction.atomic():
        note = PartnerNote.objects.create(partner=partner, author=actor, body=body)
        audit_record(
            actor=actor,
            verb="partner.note_added",
            target=note,
            partner=partner,
            after={"note": note.pk, "length": len(body)},
        )
    return note


# --- Helpers --------------------------------------------------------------------------------------------------


def _pk(obj: Any) -> int | None:
    return getattr(obj, "pk", None)


def _require_channel_manager_owner(owner: User) -> None:
    if not is_channel_manager(owner):
        raise ValidationError({"owner": f"{owner.display_name} is not a channel manager, so cannot own a partner."})


def _copy_onto(partner: Partner, fresh: Partner) -> None:
    """Keep the caller's object in step with what was saved (views render it right after)."""
    if partner is fresh:
        return
    for field in (*PARTNER_PROFILE_FIELDS, *PARTNER_MANAGER_FIELDS, "domain", "updated_at"):
        setattr(partner, field, getattr(fresh, field))


def _refresh_onboarding(partner: Partner) -> None:
    from partners.services.onboarding import onboarding_refresh

    onboarding_refresh(partner=partner)


def _change_owner(*, actor: User, partner: Partner, owner: User | None) -> AuditEvent:
    """Inside the caller's transaction, with `partner` locked."""
    previous = partner.owner
    partner.owner = owner
    partner.save(update_fields=["owner", "updated_at"])
    event = audit_record(
        actor=actor,
        verb="partner.owner_changed",
        target=partner,
        partner=partner,
        before={"owner": _pk(previous), "owner_email": previous.email if previous else ""},
        after={"owner": _pk(owner), "owner_email": owner.email if owner else ""},
    )
    if owner is not None:
        if owner.pk != actor.pk:  # nobody needs an email about what they just did themselves
            notify(
                key=f"audit:{event.pk}:owner",
                template="partner_owner_assigned",
                recipient=owner,
                partner=partner,
                url=reverse("manage:partner_detail", args=[partner.pk]),
                context={"partner": partner, "actor": actor, "previous": previous},
            )
        from partners.selectors import partner_admins

        for admin in partner_admins(partner=partner):
            notify(
                key=f"audit:{event.pk}:admin:{admin.pk}",
                template="partner_owner_changed",
                recipient=admin,
                partner=partner,
                url=reverse("portal:company"),
                context={"partner": partner, "owner": owner},
            )
    return event


def _tell_about_profile_change(*, actor: User, partner: Partner, fields: list[str], event: AuditEvent) -> None:
    from partners.selectors import partner_admins

    if is_channel_manager(actor):
        visible = [f for f in fields if f in _VISIBLE_TO_PARTNER]
        if not visible:
            return  # internal classification: nothing the partner sees changed
        labels = [_field_label(f) for f in visible]
        for admin in partner_admins(partner=partner):
            notify(
                key=f"audit:{event.pk}:admin:{admin.pk}",
                template="partner_profile_updated",
                recipient=admin,
                partner=partner,
                url=reverse("portal:company"),
                context={"partner": partner, "actor": actor, "fields": labels, "audience": "partner"},
            )
    elif partner.owner_id and partner.owner_id != actor.pk:
        notify(
            key=f"audit:{event.pk}:owner",
            template="partner_profile_updated",
            recipient=partner.owner,
            partner=partner,
            url=reverse("manage:partner_detail", args=[partner.pk]),
            context={
                "partner": partner,
                "actor": actor,
                "fields": [_field_label(f) for f in fields],
                "audience": "manager",
            },
        )
