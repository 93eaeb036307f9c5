"""What the lifecycle panels of a registration's page need: the protection clock, whether an extension can be
asked for (and why not), and what the viewer typed before a refusal (kept in the session by the lifecycle
views, shown once)."""

from django import template
from django.utils import timezone

from dealreg.models import Registration
from dealreg.policy import policy_get
from dealreg.services.registrations.lifecycle import extension_refusal
from dealreg.views.lifecycle import kept_key

register = template.Library()


@register.simple_tag(takes_context=True)
def lifecycle_state(context, registration: Registration) -> dict:
    now = timezone.now()
    policy = policy_get()
    approved = registration.status == Registration.Status.APPROVED and registration.protected_until is not None
    days_left = max((registration.protected_until - now).days, 0) if approved else None
    request = context.get("request")
    kept = {}
    if request is not None and hasattr(request, "session"):
        kept = request.session.pop(kept_key(registration.pk), None) or {}
    return {
        "approved": approved,
        "days_left": days_left,
        "why_not_extend": extension_refusal(registration, policy, now) if approved else "",
        "pending": registration.extension_requested_at is not None,
        "extension_days": policy.extension_days,
        "max_extensions": policy.max_extensions,
        "kept_form": kept.get("form", ""),
        "kept": kept.get("data", {}),
    }
