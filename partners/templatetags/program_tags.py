"""`{% tier_progress partner "manage" %}` / `{% tier_progress partner "portal" %}`: a partner's tier, its benefits
and what it still needs for the next tier. In "manage" mode a channel manager confirms qualitative requirements
from the card and sees the pending proposal, if any."""

from django import template

from partners.models import Partner

register = template.Library()


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
