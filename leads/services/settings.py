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
        event = audit_record(
            actor=actor,
            verb="leads.settings_changed",
            target=current,
            before={f: before[f] for f in changed},
            after={f: getattr(current, f) for f in changed},
        )
        _announce(event_pk=event.pk, before=before, after={f: getattr(current, f) for f in SETTINGS_FIELDS})
    return current


def _hours(n: int) -> str:
    return f"{n} business hour{'' if n == 1 else 's'}"


def change_lines(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed for partners, in plain words (empty when nothing they would notice did)."""
    Mode = DistributionSettings.Mode
    lines = []
    if before["mode"] != after["mode"]:
        lines.append(
            f"How a lead is offered: {str(Mode(after['mode']).label).lower()} "
            f"(it was: {str(Mode(before['mode']).label).lower()})."
        )
    if after["mode"] == Mode.TOP_N and before["top_n"] != after["top_n"]:
        lines.append(
            f"A lead now goes to the {after['top_n']} best-ranked partners at once (it was {before['top_n']})."
        )
    if before["response_hours"] != after["response_hours"]:
        lines.append(
            f"You now have {_hours(after['response_hours'])} to answer an offer "
            f"(it was {_hours(before['response_hours'])})."
        )
    if (before["day_starts_at"], before["day_ends_at"]) != (after["day_starts_at"], after["day_ends_at"]):
        lines.append(
            f"Business hours for answering offers are now {after['day_starts_at']:02d}:00 to "
            f"{after['day_ends_at']:02d}:00, Monday to Friday (it was {before['day_starts_at']:02d}:00 to "
            f"{before['day_ends_at']:02d}:00)."
        )
    if before["max_open_leads"] != after["max_open_leads"]:
        lines.append(
            f"A partner holding {after['max_open_leads']} open leads or more now ranks lower for new ones "
            f"(it was {before['max_open_leads']})."
        )
    if (before["note"] or "") != (after["note"] or ""):
        lines.append("The note under the rules changed: read it on the “How leads are assigned” page.")
    return lines


def _announce(*, event_pk: int, before: dict[str, Any], after: dict[str, Any]) -> int:
    """Tell the admins and sellers of every active partner (the ones leads are offered to) what changed. Offers
    already sent keep their deadline. Returns how many partners were told."""
    from django.urls import reverse

    from partners.models import Partner
    from prm.notifications import notify

    from .common import partner_recipients

    lines = change_lines(before, after)
    if not lines:
        return 0
    url = reverse("portal:leads_how")
    told = 0
    for partner in Partner.objects.filter(status=Partner.Status.ACTIVE).order_by("pk"):
        people = partner_recipients(partner)
        for user in people:
            notify(
                key=f"audit:{event_pk}:lead_rules:{partner.pk}:{user.pk}",
                template="setup_lead_rules_changed",
                recipient=user,
                partner=partner,
                url=url,
                action_label="How leads are assigned",
                context={"partner": partner, "lines": lines},
            )
        told += 1 if people else 0
    return told
