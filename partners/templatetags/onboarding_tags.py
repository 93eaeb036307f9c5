"""TODO(onboarding): `{% onboarding_checklist partner audience %}` renders a partner's checklist and progress."""

from django import template

register = template.Library()


@register.simple_tag
def onboarding_checklist(partner, audience: str = "portal") -> str:
    return ""
