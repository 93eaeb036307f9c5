"""The program settings, changed by a channel manager: one locked, audited write."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from partners.models import Program
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import User

EDITABLE = (
    "name",
    "description",
    "pmi_stage",
    "reporting_currency",
    "internal_sellers",
    "require_agreement_first",
    "stall_days",
    "second_reminder_days",
    "escalation_days",
    "dormancy_days",
    "review_reminder_days",
)


def program_settings_update(*, actor: User, data: dict[str, Any]) -> Program:
    """Change the program settings named in `data` (only those of EDITABLE). The row is locked, validated by the
    model, and the change audited with what it was and what it became."""
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can change the program settings.")
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"These settings cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        Program.objects.get_or_create(pk=1)
        program = Program.objects.select_for_update().get(pk=1)
        before = {name: getattr(program, name) for name in data}
        for name, value in data.items():
            setattr(program, name, value)
        program.full_clean()
        changed = {name: value for name, value in data.items() if before[name] != value}
        if changed:
            program.save()
            audit_record(
                actor=actor,
                verb="program.settings_changed",
                target=program,
                before={name: str(before[name]) for name in changed},
                after={name: str(value) for name, value in changed.items()},
            )
    return program
