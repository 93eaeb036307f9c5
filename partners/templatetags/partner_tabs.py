from django import template

from partners.models import Partner, TierProposal

register = template.Library()


@register.inclusion_tag("partners/manage/_tabs.html")
def partner_tabs(active: str) -> dict:
    """The sub-navigation of the Partners section, with what waits for the channel manager."""
    return {
        "active": active,
        "applications_waiting": Partner.objects.filter(status=Partner.Status.APPLIED).count(),
        "proposals_waiting": TierProposal.objects.filter(status=TierProposal.Status.PENDING).count(),
    }
