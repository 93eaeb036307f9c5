"""The lead distribution settings (one row) and their change by a channel manager (audited)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from leads.models import DistributionSettings
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import User

SETTINGS_FIELDS = ("mode", "top_n", "response_hours", "day_starts_at", "day_ends_at", "max_open_leads", "note")


def distribution_settings() -> DistributionSettings:
    """The settings row (pk=1), created with the defaults the first time it is read."""
    found, _ = DistributionSettings.objects.get_or_create(pk=1)
    return found


def _check(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if values["mode"] not in DistributionSettings.Mode.values:
        errors["mode"] = "Pick how leads are assigned."
    if not 2 <= int(values["top_n"]) <= 10:
        errors["top_n"] = "Offer to 2 to 10 partners at once."
    if not 1 <= int(values["response_hours"]) <= 120:
        errors["response_hours"] = "Give partners 1 to 120 business hours to answer."
    if not 0 <= int(values["day_starts_at"]) <= 23:
        errors["day_starts_at"] = "An hour from 0 to 23."
    if not 1 <= int(values["day_ends_at"]) <= 24:
        errors["day_ends_at"] = "An hour from 1 to 24."
    elif int(values["day_ends_at"]) <= int(values["day_starts_at"]):
        errors["day_ends_at"] = "The business day must end after it starts."
    if not 1 <= int(values["max_open_leads"]) <= 100:
        errors["max_open_leads"] = "A number from 1 to 100."
    if len(values.get("note") or "") > 2000:
        errors["note"] = "Keep the note under 2,000 characters."
    if errors:
        raise ValidationError(errors)


def distribution_settings_update(*, actor: User, data: dict[str, Any]) -> DistributionSettings:
    """Change how leads are assigned. Audited with what changed; partners read the new rules on their page."""
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can change how leads are assigned.")
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        current = distribution_settings()
        current = DistributionSettings.objects.select_for_update().get(pk=current.pk)
        before = {f: getattr(current, f) for f in SETTINGS_FIELDS}
        values = {**before, **data}
        values["note"] = (values.get("note") or "").strip()
        _check(values)
        for name in SETTINGS_FIELDS:
            setattr(current, name, values[name])
        changed = [f for f in SETTINGS_FIELDS if before[f] != getattr(current, f)]
        if not changed:
            return current
        current.updated_by = actor
        current.save()
        audit_record(
            actor=actor,
            verb="leads.settings_changed",
            target=current,
            before={f: before[f] for f in changed},
            after={f: getattr(current, f) for f in changed},
        )
    return current
