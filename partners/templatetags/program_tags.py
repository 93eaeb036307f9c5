"""TODO(program): `{% tier_progress partner audience %}` renders a partner's tier, benefits and next-tier needs."""

from django import template

register = template.Library()


@register.simple_tag
def tier_progress(partner, audience: str = "portal") -> str:
    return ""
