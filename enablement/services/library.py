"""The content library: channel managers add and edit assets; partner users open them (and the views are counted)."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from enablement.models import Asset, AssetView, Role, Visibility
from partners.models import Partner, Tier
from prm.audit import audit_record
from prm.models import User
from prm.uploads import DOCUMENT_TYPES, validate_upload

from .common import clean_text, require_manager

ASSET_FIELDS = (
    "title",
    "kind",
    "description",
    "url",
    "file",
    "roles",
    "product",
    "visibility",
    "partner_types",
    "tiers",
    "is_published",
)
# Opening the same asset again within this window counts once.
VIEW_DEDUP = timedelta(minutes=30)


def clean_visibility(fields: dict[str, Any], *, current: Any = None) -> tuple[str, list[str], list[Tier] | None]:
    """Visibility, partner types and tiers, checked together (shared with courses). `tiers` None = unchanged."""
    visibility = fields.get("visibility", getattr(current, "visibility", Visibility.ALL)) or Visibility.ALL
    if visibility not in Visibility.values:
        raise ValidationError(f"Choose who sees it: {', '.join(str(label) for label in Visibility.labels)}.")
    partner_types = list(fields.get("partner_types", getattr(current, "partner_types", [])) or [])
    unknown = sorted(set(partner_types) - set(Partner.Type.values))
    if unknown:
        raise ValidationError(f"Unknown partner type: {', '.join(unknown)}.")
    tiers = fields.get("tiers")
    tier_list = None if tiers is None else list(tiers)
    if visibility == Visibility.TYPES and not partner_types:
        raise ValidationError("Choose at least one partner type, or make it visible to all partners.")
    if visibility == Visibility.TIERS:
        chosen = tier_list if tier_list is not None else (list(current.tiers.all()) if current and current.pk else [])
        if not chosen:
            raise ValidationError("Choose at least one tier, or make it visible to all partners.")
    if visibility != Visibility.TYPES:
        partner_types = []
    if visibility != Visibility.TIERS:
        tier_list = []
    return visibility, sorted(set(partner_types)), tier_list


def _clean_url(value: Any, *, what: str = "the link") -> str:
    value = str(value or "").strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError(f"Give {what} as a full web address starting with https://.") from None
    if len(value) > 500:
        raise ValidationError(f"Keep {what} under 500 characters.")
    return value


def _clean_asset(fields: dict[str, Any], *, current: Asset | None) -> tuple[dict[str, Any], list[Tier] | None]:
    unknown = sorted(set(fields) - set(ASSET_FIELDS))
    if unknown:
        raise TypeError(f"Unknown asset fields: {', '.join(unknown)}")

    def value(name: str, default: Any = "") -> Any:
        return fields[name] if name in fields else getattr(current, name, default)

    data: dict[str, Any] = {
        "title": clean_text(value("title"), what="a title", max_length=200),
        "description": clean_text(value("description"), what="a description", required=False, max_length=4000),
        "product": clean_text(value("product"), what="the product", required=False, max_length=100),
        "url": _clean_url(value("url")),
        "is_published": bool(value("is_published", True)),
    }
    kind = value("kind")
    if kind not in Asset.Kind.values:
        raise ValidationError("Choose what kind of asset this is.")
    data["kind"] = kind
    roles = list(value("roles", []) or [])
    if set(roles) - set(Role.values):
        raise ValidationError("Roles can be sales, technical and marketing (or none, for everyone).")
    data["roles"] = [r for r in Role.values if r in roles]
    data["visibility"], data["partner_types"], tiers = clean_visibility(fields, current=current)
    if "file" in fields:
        upload = fields["file"]
        if isinstance(upload, UploadedFile):
            validate_upload(upload, allowed=DOCUMENT_TYPES)
        data["file"] = upload or ""
    has_file = bool(data.get("file")) if "file" in fields else bool(current and current.file)
    if not data["url"] and not has_file:
        raise ValidationError("Add a link or upload a file: an asset needs one of them.")
    return data, tiers


def asset_create(*, actor: User, **fields: Any) -> Asset:
    """A new asset in the library. It needs a link or a file (type and size checked, stored privately)."""
    require_manager(actor)
    data, tiers = _clean_asset(fields, current=None)
    with transaction.atomic():
        asset = Asset(created_by=actor, **data)
        asset.save()
        if tiers:
            asset.tiers.set(tiers)
        audit_record(
            actor=actor,
            verb="enablement.asset_created",
            target=asset,
            after={"title": asset.title, "kind": asset.kind, "visibility": asset.visibility},
        )
    return asset


def asset_update(*, actor: User, asset: Asset, **fields: Any) -> Asset:
    """Change an asset. Passing `file=None`/"" removes the file (the link must then remain); a new upload
    replaces it and the old file is deleted once the change is committed."""
    require_manager(actor)
    data, tiers = _clean_asset(fields, current=asset)
    old_file = asset.file.name if asset.file else ""
    before = {"title": asset.title, "kind": asset.kind, "visibility": asset.visibility, "published": asset.is_published}
    with transaction.atomic():
        for name, value in data.items():
            setattr(asset, name, value)
        asset.save()
        if tiers is not None:
            asset.tiers.set(tiers)
        audit_record(
            actor=actor,
            verb="enablement.asset_updated",
            target=asset,
            before=before,
            after={
                "title": asset.title,
                "kind": asset.kind,
                "visibility": asset.visibility,
                "published": asset.is_published,
            },
        )
        new_file = asset.file.name if asset.file else ""
        if old_file and old_file != new_file:
            storage = asset.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return asset


def asset_delete(*, actor: User, asset: Asset) -> None:
    """Remove an asset from the library (lessons that linked to it keep their text); its file is deleted once the
    change is committed."""
    require_manager(actor)
    name = asset.file.name if asset.file else ""
    storage = asset.file.storage
    with transaction.atomic():
        audit_record(actor=actor, verb="enablement.asset_deleted", target=asset, after={"title": asset.title})
        asset.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def asset_record_view(*, asset: Asset, user: User, partner: Partner) -> None:
    """Count a partner user opening an asset (once per person per half hour, so reloading does not inflate it)."""
    now = timezone.now()
    recent = AssetView.objects.filter(asset=asset, user=user, viewed_at__gte=now - VIEW_DEDUP).exists()
    if not recent:
        AssetView.objects.create(asset=asset, user=user, partner=partner, viewed_at=now)
