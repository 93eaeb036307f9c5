"""Leads in the other apps, through their registries (none of them imports leads):

- the partner page (partners.hooks partner summary): offers answered, acceptance rate, median time to accept,
  leads won, over the last 12 months;
- the partner's portal home (partners.hooks portal panel): offers waiting for an answer;
- the channel team's weekly digest (insights.hooks digest items): flagged leads to confirm, leads back with us;
- webhook payloads (webhooks.payloads.SERIALIZERS): a lead as the API shows it to staff;
- CSV imports (imports.registry): leads.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def partner_summary(partner):
    from leads.metrics import lead_numbers
    from leads.models import LeadOffer
    from partners.hooks import Summary

    if not LeadOffer.objects.filter(partner=partner).exists():
        return None
    now = timezone.now()
    numbers = lead_numbers(start=now - timedelta(days=365), end=now, partner_id=partner.pk)
    facts = [f"{_plural(numbers.offers_answered, 'lead offer')} answered in 12 months"]
    if numbers.acceptance_rate is not None:
        facts.append(f"{numbers.acceptance_rate}% accepted")
    if numbers.median_hours_to_accept is not None:
        facts.append(f"median {numbers.median_hours_to_accept:g} hours to accept")
    if numbers.win_rate is not None:
        facts.append(f"{numbers.leads_won} of {numbers.leads_closed} closed leads won ({numbers.win_rate}%)")
    return Summary("Leads", facts, reverse("manage:leads") + f"?partner={partner.pk}", "Its leads")


def portal_panel(partner):
    from leads.models import LeadOffer
    from partners.hooks import Panel, PanelItem

    waiting = list(
        LeadOffer.objects.filter(partner=partner, status=LeadOffer.Status.OFFERED)
        .select_related("lead")
        .order_by("deadline")[:5]
    )
    if not waiting:
        return None
    items = [
        PanelItem(
            title=f"{offer.lead.industry or 'A new customer'}"
            + (f" in {offer.lead.country.name}" if offer.lead.country else ""),
            meta=f"answer by {timezone.localtime(offer.deadline):%b %-d, %H:%M}",
            text=offer.lead.interest,
        )
        for offer in waiting
    ]
    return Panel(
        "Leads waiting for your answer",
        items,
        note="Accept or decline before the time runs out, or the lead moves on.",
        url=reverse("portal:leads"),
        link_label="Answer them",
    )


def digest_items(now):
    from insights.hooks import DigestItem
    from leads.models import Lead

    flagged = Lead.objects.filter(
        status=Lead.Status.NEW, match_confirmed_at__isnull=True, match_kind__in=["customer", "registration", "direct"]
    ).count()
    back = Lead.objects.filter(status__in=[Lead.Status.UNASSIGNED, Lead.Status.NEW]).count()
    url = reverse("manage:leads")
    return [
        DigestItem(
            f"{_plural(flagged, 'lead')} flagged by the account matcher wait{'s' if flagged == 1 else ''} for "
            "your confirmation",
            flagged,
            url + "?status=new",
        ),
        DigestItem(f"{_plural(back, 'lead')} to offer to a partner", back, url + "?status=open"),
    ]


def lead_payload_serializer():
    """A lead in a webhook, exactly as GET /api/v1/leads/{id} shows it to a staff token (the API's serializer,
    checked by its schema and encoded as the API encodes it)."""
    from api.routers.leads import LeadOut, lead_out
    from webhooks.payloads import api_serializer

    as_api_json = api_serializer(LeadOut, lead_out)

    def lead_payload(lead) -> dict:
        return as_api_json(lead)

    return lead_payload


def register() -> None:
    from insights.hooks import register_digest_items, register_value_metrics
    from leads import importers  # noqa: F401 -- registers the leads importer
    from leads.metrics import lead_values
    from leads.models import Lead
    from partners.hooks import register_partner_summary, register_portal_panel
    from webhooks import payloads

    register_partner_summary("leads", partner_summary)
    register_portal_panel("leads", portal_panel)
    register_digest_items("leads", digest_items)
    register_value_metrics("leads", lead_values)  # acceptance rate, time to accept, lead -> won
    payloads.SERIALIZERS.setdefault(
        "leads.lead",
        (
            lambda: Lead.objects.select_related("partner", "preferred_partner").prefetch_related("products"),
            lead_payload_serializer(),
        ),
    )
