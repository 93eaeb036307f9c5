"""Words in templates: `{% load words %}{{ partner.name|possessive }}` ("Anna's", "Quartz Systems'")."""

from django import template

from prm.phrases import possessive as _possessive

register = template.Library()


@register.filter
def possessive(name: object) -> str:
    """A name's possessive, by prm.timeline's one rule (a final s takes a bare apostrophe)."""
    return _possessive(str(name or ""))
