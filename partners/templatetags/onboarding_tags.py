"""`{% onboarding_checklist partner "manage" %}` / `"portal"` / `"distributor"`: a partner's onboarding checklist
with its progress. The portal shows the next step first with a way to do it; the manage side shows who completed
what and when, and lets a channel manager tick manual steps; a distributor sees a reseller's progress read-only.
A few queries, whatever the number of steps."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from partners import hooks
from partners.models import ChecklistStep, Partner, PartnerStep, Program
from partners.services.onboarding import onboarding_progress, onboarding_step_tickable

register = template.Library()

# manage: a channel manager (ticks manual steps); portal: the partner itself (a way to do each step);
# distributor: a distributor's admin looking at one of its resellers (read-only).
AUDIENCES = ("manage", "portal", "distributor")

Kind = ChecklistStep.Kind


def _who(ps: PartnerStep, audience: str) -> str:
    """'by Anna Lindqvist · detected automatically', 'by Maya Chen (your channel manager)', …"""
    parts = []
    if ps.completed_by_id:
        staff = audience == "portal" and ps.completed_by.is_staff and not ps.detected
        parts.append(f"by {ps.completed_by.display_name}{' (your channel manager)' if staff else ''}")
    if ps.detected:
        parts.append("detected automatically")
    return " · ".join(parts)


def _portal_action(ps: PartnerStep, partner: Partner, is_admin: bool) -> dict[str, str]:
    """What the partner does next for this step: a link and a label, or a note saying who acts."""
    step = ps.step
    if step.kind == Kind.AGREEMENT:
        if is_admin:
            return {"url": reverse("portal:agreement"), "label": "Read and accept the agreement"}
        return {
            "url": reverse("portal:agreement"),
            "label": "Read the agreement",
            "note": "One of your company's admins accepts it on its behalf.",
        }
    if step.kind == Kind.PROFILE:
        missing = partner.missing_profile_fields()
        note = f"Still missing: {', '.join(missing)}." if missing else ""
        if not is_admin:
            note = (note + " Your company's admins edit the profile.").strip()
        return {"url": reverse("portal:company"), "label": "Complete your profile", "note": note}
    if step.kind == Kind.INVITE:
        if is_admin:
            return {"url": reverse("portal:team"), "label": "Invite a colleague"}
        return {
            "url": reverse("portal:team"),
            "label": "See your team",
            "note": "Your company's admins invite colleagues.",
        }
    if step.kind == Kind.MANUAL:
        owner = partner.owner if partner.owner_id else None
        who = f"Your channel manager, {owner.display_name} ({owner.email})," if owner else "Your channel manager"
        return {"note": f"{who} will tick this after “{step.title}”."}
    if step.kind in hooks.HOOKED_KINDS and not hooks.has_detector(step.kind):
        return {"note": f"This step completes automatically once {hooks.provider_label(step.kind)} is available."}
    if step.kind == Kind.COURSE:
        return {"url": reverse("portal:training"), "label": "Go to training", "note": "It completes by itself."}
    if step.kind == Kind.FIRST_DEAL:
        return {"url": reverse("portal:deals"), "label": "Register a deal", "note": "It completes by itself."}
    return {}


def _manage_note(ps: PartnerStep) -> str:
    step = ps.step
    if step.kind in hooks.HOOKED_KINDS and not hooks.has_detector(step.kind):
        return (
            f"Completes automatically once {hooks.provider_label(step.kind)} is available; until then you can tick it."
        )
    if step.kind == Kind.MANUAL:
        return "You tick this one."
    return "Completes by itself when the partner does it."


@register.inclusion_tag("partners/onboarding/checklist.html", takes_context=True)
def onboarding_checklist(context: template.Context, partner: Partner, audience: str = "portal") -> dict[str, Any]:
    audience = audience if audience in AUDIENCES else "portal"
    request = context.get("request")
    membership = getattr(request, "membership", None)
    is_admin = bool(membership and membership.is_admin)
    progress = onboarding_progress(partner=partner)
    now = timezone.now()
    current = progress.current
    days_waiting = progress.days_waiting(now) if current else None
    stalled = False
    if audience == "manage" and current is not None and partner.status == Partner.Status.ONBOARDING:
        stall_days = Program.objects.filter(pk=1).values_list("stall_days", flat=True).first() or 0
        stalled = bool(stall_days) and days_waiting >= stall_days
    items = []
    for ps in progress.steps:
        item = {
            "ps": ps,
            "title": ps.step.title,
            "help_text": ps.step.help_text,
            "done": ps.completed_at is not None,
            "is_current": current is not None and ps.pk == current.pk,
            "who": _who(ps, audience) if ps.completed_at else "",
        }
        if item["done"] or audience == "distributor":
            pass
        elif audience == "portal":
            item["action"] = _portal_action(ps, partner, is_admin)
        else:
            item["note"] = _manage_note(ps)
            item["tickable"] = partner.status == Partner.Status.ONBOARDING and onboarding_step_tickable(ps.step)
        items.append(item)
    current_item = next((i for i in items if i["is_current"]), None)
    return {
        "partner": partner,
        "audience": audience,
        "progress": progress,
        "items": items,
        "current": current_item,
        "days_waiting": days_waiting,
        "stalled": stalled,
        "csrf_token": context.get("csrf_token"),
        "is_admin": is_admin,
    }
