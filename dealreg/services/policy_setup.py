"""Program setup, deal registration: a program admin changes the deal-registration policy.

One locked, validated, audited write. When a change concerns partners (the protection window, the extension rules,
how fast we decide, whether clean registrations are approved at once), every partner that can register deals is
told once, through its admins, in plain words. Registrations already approved keep the protection dates they got.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from dealreg.models import DealregPolicy
from dealreg.policy import policy_get
from partners.models import Partner
from partners.selectors import partner_people
from partners.services.setup import can_manage_program
from prm.audit import audit_record
from prm.models import User
from prm.notifications import notify
from prm.reminders import reminder_days

POLICY_FIELDS = (
    "exclusivity_days",
    "decision_sla_business_days",
    "auto_approve_without_conflict",
    "max_extensions",
    "extension_days",
    "expiry_reminder_days",
)
# Changes to these are announced to partners; the reminder schedule only changes when a reminder comes.
ANNOUNCED = (
    "exclusivity_days",
    "decision_sla_business_days",
    "auto_approve_without_conflict",
    "max_extensions",
    "extension_days",
)
# Partners that can register deals, and so hear about the rules.
TOLD_STATUSES = (Partner.Status.ONBOARDING, Partner.Status.ACTIVE, Partner.Status.DORMANT)
LIMITS = {
    "exclusivity_days": (1, 730, "The protection window"),
    "decision_sla_business_days": (1, 30, "The decision time"),
    "max_extensions": (0, 10, "The number of extensions"),
    "extension_days": (1, 365, "An extension"),
}


def _days(n: int, unit: str = "day") -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def policy_summary(policy: DealregPolicy) -> list[str]:
    """The policy in plain words, one sentence each (the program setup's index and the policy page)."""
    lines = [
        f"An approved registration is protected for {_days(policy.exclusivity_days)} "
        "(a tier that promises its own protection overrides this).",
    ]
    if policy.max_extensions:
        times = "once" if policy.max_extensions == 1 else f"up to {policy.max_extensions} times"
        lines.append(f"A partner may ask to extend the protection {times}, by {_days(policy.extension_days)} each.")
    else:
        lines.append("Protection cannot be extended.")
    lines.append(f"We decide on a registration within {_days(policy.decision_sla_business_days, 'business day')}.")
    if policy.auto_approve_without_conflict:
        lines.append("A registration without any conflict is approved as soon as it is submitted.")
    else:
        lines.append("Every registration is reviewed by the channel team; conflicts are never approved by themselves.")
    days = reminder_days(policy.expiry_reminder_days)
    if days:
        words = [str(d) for d in days]
        said = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
        lines.append(f"Partners are reminded {said} day{'' if words == ['1'] else 's'} before protection ends.")
    else:
        lines.append("Partners get no reminder before protection ends.")
    return lines


def clean_reminder_days(raw: str, *, exclusivity_days: int | None = None) -> str:
    """ "14, 3" → "14,3". Whole numbers of days, separated by commas, each shorter than the protection window."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not parts or not all(part.isdigit() and 0 < int(part) <= 365 for part in parts):
        raise ValidationError(
            {"expiry_reminder_days": "Write days as whole numbers from 1 to 365 separated by commas, e.g. 14, 3."}
        )
    days = sorted({int(part) for part in parts}, reverse=True)
    if exclusivity_days is not None and days[0] >= exclusivity_days:
        raise ValidationError(
            {
                "expiry_reminder_days": f"A reminder {_days(days[0])} before the end would come before protection "
                f"even starts ({_days(exclusivity_days)}): use fewer days."
            }
        )
    return ",".join(str(d) for d in days)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    for name, (low, high, what) in LIMITS.items():
        value = values.get(name)
        if value is None or not isinstance(value, int) or not low <= value <= high:
            errors[name] = f"{what} must be a whole number from {low} to {high}."
    values["auto_approve_without_conflict"] = bool(values.get("auto_approve_without_conflict"))
    if errors:
        raise ValidationError(errors)
    values["expiry_reminder_days"] = clean_reminder_days(
        values.get("expiry_reminder_days", ""), exclusivity_days=values["exclusivity_days"]
    )
    return values


def _change_lines(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed for partners, one plain sentence each."""
    lines = []
    if before["exclusivity_days"] != after["exclusivity_days"]:
        lines.append(
            f"Newly approved registrations are protected for {_days(after['exclusivity_days'])} "
            f"(it was {_days(before['exclusivity_days'])})."
        )
    extensions = ("max_extensions", "extension_days")
    if any(before[n] != after[n] for n in extensions):
        if after["max_extensions"] == 0:
            lines.append("Protection can no longer be extended.")
        else:
            times = "once" if after["max_extensions"] == 1 else f"up to {after['max_extensions']} times"
            lines.append(f"You can now ask to extend protection {times}, by {_days(after['extension_days'])} each.")
    if before["decision_sla_business_days"] != after["decision_sla_business_days"]:
        lines.append(
            "We now decide on a registration within "
            f"{_days(after['decision_sla_business_days'], 'business day')} "
            f"(it was {_days(before['decision_sla_business_days'], 'business day')})."
        )
    if before["auto_approve_without_conflict"] != after["auto_approve_without_conflict"]:
        lines.append(
            "A registration without any conflict is now approved as soon as you submit it."
            if after["auto_approve_without_conflict"]
            else "Every registration is now reviewed by our channel team before it is approved."
        )
    return lines


def _announce(*, event_pk: int, before: dict[str, Any], after: dict[str, Any]) -> int:
    """Tell each partner's admins what changed (once per partner admin). Returns how many partners were told."""
    lines = _change_lines(before, after)
    if not lines:
        return 0
    protection_changed = before["exclusivity_days"] != after["exclusivity_days"]
    url = reverse("portal:deals")
    told = 0
    for partner in Partner.objects.filter(status__in=TOLD_STATUSES).select_related("tier").order_by("pk"):
        own_protection = partner.tier is not None and bool(partner.tier.deal_protection_days)
        partner_lines = lines
        if protection_changed and own_protection:
            # The tier's own protection wins (dealreg.policy.protection_days): this partner's window did not move.
            partner_lines = [line for line in lines if not line.startswith("Newly approved")]
        if not partner_lines:
            continue
        people = partner_people(partner)
        for user in people:
            notify(
                key=f"audit:{event_pk}:deal_policy:{partner.pk}:{user.pk}",
                template="setup_deal_policy_changed",
                recipient=user,
                partner=partner,
                url=url,
                action_label="See your registrations",
                context={
                    "partner": partner,
                    "lines": partner_lines,
                    "tier_protection": partner.tier.deal_protection_days if own_protection else None,
                    "tier": partner.tier,
                },
            )
        told += 1 if people else 0
    return told


def deal_policy_update(*, actor: User, data: dict[str, Any]) -> tuple[DealregPolicy, list[str], int]:
    """Change the deal-registration policy (only the fields of POLICY_FIELDS). Program admins only. The row is
    locked; the change is audited with what it was and what it became; partners are told what concerns them.
    Returns the policy, the names of the fields that changed and how many partners were told."""
    if not can_manage_program(actor):
        raise ValidationError("Only program admins can change the deal-registration policy.")
    unknown = set(data) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        policy_get()
        policy = DealregPolicy.objects.select_for_update().get(pk=1)
        before = {name: getattr(policy, name) for name in POLICY_FIELDS}
        values = _clean({**before, **data})
        changed = [name for name in POLICY_FIELDS if before[name] != values[name]]
        if not changed:
            return policy, [], 0
        for name in changed:
            setattr(policy, name, values[name])
        policy.full_clean()
        policy.save()
        event = audit_record(
            actor=actor,
            verb="program.deal_policy_changed",
            target=policy,
            before={name: before[name] for name in changed},
            after={name: values[name] for name in changed},
        )
        told = 0
        if any(name in ANNOUNCED for name in changed):
            told = _announce(event_pk=event.pk, before=before, after=values)
    return policy, changed, told
