"""Writes of the public partner locator: a partner admin's public profile, and a visitor's "contact this partner"
request, which waits for its email confirmation and then becomes a lead offered to that partner.

Import from here (`from partners.services.locator import ...`); the reads are in `partners/locator.py`.
"""

__all__ = [
    "CONFIRM_HOURS",
    "ConfirmOutcome",
    "contact_confirm_url",
    "contact_request_confirm",
    "contact_request_read",
    "contact_request_submit",
    "public_profile_for",
    "public_profile_update",
]

import enum
import logging
import re
from datetime import timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from partners.models import Partner, PublicProfile
from partners.models.locator import ContactRequest
from prm.access import user_membership
from prm.audit import audit_record
from prm.models import AUDIT_SENTENCES, User
from prm.notifications import notify

logger = logging.getLogger("partners.locator")

CONFIRM_HOURS = 48
CONFIRM_SALT = "partners.locator.contact-confirm"
MAX_SERVICES = 12
MAX_SERVICE_LENGTH = 60
# Path words of the locator that a profile's slug must not take.
RESERVED_SLUGS = frozenset({"confirm", "contact", "logo", "page", "search"})

PROFILE_FIELDS = ("listed", "headline", "description", "services", "public_website")
FIELD_LABELS = {
    "listed": "shown in the partner locator",
    "headline": "headline",
    "description": "description",
    "services": "services",
    "public_website": "public website",
    "logo": "logo",
}


AUDIT_SENTENCES.update(
    {
        "locator.profile_updated": "updated the public profile in the partner locator",
        "locator.contact_confirmed": "received a confirmed request from {company} through the partner locator",
    }
)


# --- The public profile ------------------------------------------------------------------------------------------


def public_profile_for(partner: Partner) -> PublicProfile:
    """The partner's public profile, or a new unsaved (unlisted) one."""
    try:
        return PublicProfile.objects.get(partner=partner)
    except PublicProfile.DoesNotExist:
        return PublicProfile(partner=partner)


def split_services(value: Any) -> list[str]:
    """Services typed one per line (or a list): trimmed, blank and repeated ones dropped, in the order typed."""
    items = re.split(r"[\r\n]+", value) if isinstance(value, str) else list(value or [])
    seen: dict[str, str] = {}
    for item in items:
        text = " ".join(str(item).split()).strip(" -•*")
        if text and text.lower() not in seen:
            seen[text.lower()] = text
    return list(seen.values())


def clean_services(value: Any) -> list[str]:
    """The services as stored, or a ValidationError saying what is too long or too many."""
    services = split_services(value)
    too_long = [s for s in services if len(s) > MAX_SERVICE_LENGTH]
    if too_long:
        raise ValidationError(f"Keep each service under {MAX_SERVICE_LENGTH} characters (“{too_long[0][:30]}…”).")
    if len(services) > MAX_SERVICES:
        raise ValidationError(f"List at most {MAX_SERVICES} services (you have {len(services)}).")
    return services


def _normalize(data: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in data.items():
        if name not in PROFILE_FIELDS:
            raise ValidationError(f"“{name}” is not part of the public profile.")
        if name == "listed":
            clean[name] = bool(value)
        elif name == "services":
            try:
                clean[name] = clean_services(value)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
        else:
            text = str(value or "").strip()
            if name == "headline":
                text = " ".join(text.split())
            limit = PublicProfile._meta.get_field(name).max_length
            if limit and len(text) > limit:
                errors[name] = f"Keep it under {limit:,} characters (it has {len(text):,})."
            clean[name] = text
    if errors:
        raise ValidationError(errors)
    return clean


def _require_admin(actor: User, partner: Partner) -> None:
    membership = user_membership(actor)
    if membership is None or membership.partner_id != partner.pk or not membership.is_admin:
        raise ValidationError("Only your company's admins can change its public profile. Ask one of them.")


def _unique_slug(partner: Partner) -> str:
    base = (slugify(partner.name)[:70].strip("-") or f"partner-{partner.pk}").lower()
    if base in RESERVED_SLUGS:
        base = f"{base}-{partner.pk}"
    taken = set(
        PublicProfile.objects.filter(Q(slug=base) | Q(slug__startswith=f"{base}-"))
        .exclude(partner=partner)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _snapshot(profile: PublicProfile) -> dict[str, Any]:
    return {
        "listed": profile.listed,
        "headline": profile.headline,
        "description": profile.description,
        "services": list(profile.services or []),
        "public_website": profile.public_website,
        "logo": bool(profile.logo),
    }


def public_profile_update(
    *,
    actor: User,
    partner: Partner,
    data: dict[str, Any],
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
) -> PublicProfile:
    """Change the partner's public profile (`data`: some of PROFILE_FIELDS; `logo` already validated by the form,
    or `remove_logo`). Only the partner's admins may. The audit event records what changed (the description's
    and logo's presence, not their content); turning the listing on or off is told to the owning channel manager.
    Raises ValidationError by field and changes nothing when a value is refused."""
    _require_admin(actor, partner)
    clean = _normalize(data)
    old_file_name = ""
    with transaction.atomic():
        Partner.objects.select_for_update().filter(pk=partner.pk).first()  # one writer per partner at a time
        profile = public_profile_for(partner)
        before = _snapshot(profile)
        for name, value in clean.items():
            setattr(profile, name, value)
        if (logo is not None or remove_logo) and profile.logo:
            old_file_name = profile.logo.name
        if logo is not None:
            profile.logo.save(logo.name, logo, save=False)
        elif remove_logo:
            profile.logo = ""
        after = _snapshot(profile)
        changed = [name for name in after if after[name] != before[name]]
        if logo is not None and "logo" not in changed:
            changed.append("logo")  # a new picture replacing the old one
        if not changed and profile.pk:
            return profile
        if not profile.slug:
            profile.slug = _unique_slug(partner)
        profile.updated_by = actor
        profile.save()
        event = audit_record(
            actor=actor,
            verb="locator.profile_updated",
            target=profile,
            partner=partner,
            label=f"public profile of {partner.name}",
            before={name: _audited(name, before[name]) for name in changed},
            after={name: _audited(name, after[name]) for name in changed},
        )
        if "listed" in changed:
            _tell_owner(actor=actor, partner=partner, profile=profile, event_pk=event.pk)
        if old_file_name:
            storage = profile.logo.storage
            transaction.on_commit(lambda: storage.delete(old_file_name))
    from partners.locator import forget_facets

    forget_facets()
    return profile


def _audited(name: str, value: Any) -> Any:
    if name == "description":
        return len(value or "")  # its length: the text itself is on the page
    return value


def _tell_owner(*, actor: User, partner: Partner, profile: PublicProfile, event_pk: int) -> None:
    owner = partner.owner
    if owner is None or owner.pk == actor.pk or not owner.is_active:
        return
    notify(
        key=f"audit:{event_pk}:owner",
        template="locator_profile_listed",
        recipient=owner,
        partner=partner,
        url=reverse("manage:partner_detail", args=[partner.pk]),
        context={
            "partner": partner,
            "actor": actor,
            "listed": profile.listed,
            "active": partner.status == Partner.Status.ACTIVE,
            "public_url": reverse("locator_profile", args=[profile.slug]),
        },
    )


# --- Contact requests --------------------------------------------------------------------------------------------

CONTACT_FIELDS = (
    "company_name",
    "website",
    "country",
    "contact_name",
    "contact_email",
    "contact_phone",
    "industry",
    "size",
    "interest",
    "message",
)


def contact_confirm_url(request: ContactRequest) -> str:
    token = signing.dumps(request.pk, salt=CONFIRM_SALT, compress=True)
    return reverse("locator_confirm", args=[token])


def contact_request_submit(
    *, partner: Partner, data: dict[str, Any], submitted_ip: str | None = None
) -> ContactRequest:
    """Store a visitor's request to be contacted by `partner` (listed and active) and email its sender the
    confirmation link. Nothing reaches the partner until the link is used (`contact_request_confirm`)."""
    from partners.locator import listed_partners

    if not listed_partners().filter(pk=partner.pk).exists():
        raise ValidationError("This partner is not taking requests through the partner locator right now.")
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ValidationError(f"“{sorted(unknown)[0]}” is not part of a contact request.")
    values = {name: data.get(name) or "" for name in CONTACT_FIELDS}
    values["contact_email"] = str(values["contact_email"]).strip().lower()
    values["contact_name"] = " ".join(str(values["contact_name"]).split())
    values["company_name"] = " ".join(str(values["company_name"]).split())
    with transaction.atomic():
        request = ContactRequest(
            partner=partner,
            submitted_ip=submitted_ip,
            expires_at=timezone.now() + timedelta(hours=CONFIRM_HOURS),
            **values,
        )
        request.full_clean()
        request.save()
        notify(
            key=f"locator-contact:{request.pk}",
            template="locator_contact_confirm",
            email=request.contact_email,
            url=contact_confirm_url(request),
            action_label="Confirm my request",
            context={"request": request, "partner": partner, "hours": CONFIRM_HOURS},
        )
    return request


class ConfirmOutcome(enum.StrEnum):
    PENDING = "pending"  # valid link, not used yet (the page asks to confirm)
    CONFIRMED = "confirmed"  # just confirmed now
    ALREADY = "already"  # the link was used before
    EXPIRED = "expired"
    INVALID = "invalid"  # not one of our links


def _from_token(token: str) -> ContactRequest | None:
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return ContactRequest.objects.select_related("partner").filter(pk=pk).first()


def _state(request: ContactRequest | None, now) -> ConfirmOutcome:
    if request is None:
        return ConfirmOutcome.INVALID
    if request.status == ContactRequest.Status.CONFIRMED:
        return ConfirmOutcome.ALREADY
    if request.expires_at <= now:
        return ConfirmOutcome.EXPIRED
    return ConfirmOutcome.PENDING


def contact_request_read(*, token: str) -> tuple[ConfirmOutcome, ContactRequest | None]:
    """What a confirmation link points at, without using it (the page a link scanner may open changes nothing)."""
    request = _from_token(token)
    return _state(request, timezone.now()), request


def contact_request_confirm(*, token: str) -> tuple[ConfirmOutcome, ContactRequest | None]:
    """Use a confirmation link: the pending, unexpired request becomes confirmed (once: compare-and-set under a
    row lock) and a lead from the partner locator is created with that partner as its preferred partner."""
    found = _from_token(token)
    if found is None:
        return ConfirmOutcome.INVALID, None
    with transaction.atomic():
        request = ContactRequest.objects.select_for_update().select_related("partner").get(pk=found.pk)
        now = timezone.now()
        state = _state(request, now)
        if state != ConfirmOutcome.PENDING:
            return state, request
        request.status = ContactRequest.Status.CONFIRMED
        request.confirmed_at = now
        lead = _create_lead(request)
        request.lead_id = getattr(lead, "pk", None)
        request.save(update_fields=["status", "confirmed_at", "lead_id"])
        audit_record(
            actor=None,
            verb="locator.contact_confirmed",
            target=request,
            partner=request.partner,
            label=f"request from {request.company_name}",
            after={
                "company": request.company_name,
                "country": str(request.country),
                "lead": request.lead_id,
                "source": "locator",
            },
        )
    return ConfirmOutcome.CONFIRMED, request


# The visitor gives a head count; leads know customer segments (DOMAIN.md: enterprise, mid-market, SMB).
SEGMENT_BY_SIZE = {
    ContactRequest.Size.MICRO: "smb",
    ContactRequest.Size.SMALL: "smb",
    ContactRequest.Size.MEDIUM: "smb",
    ContactRequest.Size.LARGE: "midmarket",
    ContactRequest.Size.XLARGE: "enterprise",
    ContactRequest.Size.ENTERPRISE: "enterprise",
}


def _create_lead(request: ContactRequest) -> Any:
    """Hand the confirmed request to the leads app (imported here, not at load: partners sits below it), offered
    to the partner the visitor chose. When that partner cannot take it any more (no longer active, or the leads app
    refuses the offer), the lead still reaches the channel team, with the visitor's choice in its notes: a
    confirmed request is never lost."""
    from leads.services.intake import create_lead

    notes = request.message
    if request.size:
        notes = f"{notes}\n\nCompany size: {request.get_size_display()}.".strip()
    fields = {
        "actor": None,
        "company_name": request.company_name,
        "website": request.website,
        "country": str(request.country),
        "contact_name": request.contact_name,
        "contact_email": request.contact_email,
        "contact_phone": request.contact_phone,
        "industry": request.industry,
        "size": SEGMENT_BY_SIZE.get(request.size, ""),
        "interest": request.interest,
        "source": "locator",
    }
    try:
        with transaction.atomic():  # a savepoint: a refused offer leaves nothing behind
            return create_lead(**fields, notes=notes, preferred_partner=request.partner)
    except ValidationError as exc:
        why = " ".join(exc.messages)
        logger.info("Locator request %s: %s could not take the lead (%s)", request.pk, request.partner, why)
        notes = f"Asked for {request.partner.name} in the partner locator, who could not take it: {why}\n\n{notes}"
        return create_lead(**fields, notes=notes.strip()[:4000], preferred_partner=None)
