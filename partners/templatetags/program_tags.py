"""`{% tier_progress partner "manage" %}` / `{% tier_progress partner "portal" %}`: a partner's tier, its benefits
and what it still needs for the next tier. In "manage" mode a channel manager confirms qualitative requirements
from the card and sees the pending proposal, if any."""

from django import template
from django.urls import NoReverseMatch, reverse

from partners.models import Partner

register = template.Library()


@register.simple_tag
def admin_tiers_url() -> str:
    """Where the operator configures tiers: the admin's tier list (or the admin's index until it is registered)."""
    try:
        return reverse("admin:partners_tier_changelist")
    except NoReverseMatch:
        return reverse("admin:index")


@register.inclusion_tag("partners/program/_tier_progress.html", takes_context=True)
def tier_progress(context: template.Context, partner: Partner, audience: str = "portal") -> dict:
    from partners.services.program import tier_progress_for

    audience = "manage" if audience == "manage" else "portal"
    return {
        "progress": tier_progress_for(partner=partner, audience=audience),
        "partner": partner,
        "audience": audience,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
