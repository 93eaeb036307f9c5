"""Recognition where the partner is shown (partners/hooks.py; `partners` does not import incentives):

- the channel manager's partner page: a "Recognition" summary listing the partner's current awards, linking to the
  recognition page filtered for the partner (where another one is awarded);
- the partner's portal home: a "Recognition" panel with each current award's title, date and citation (none when
  the partner holds none). Each provider is one query.
"""

from django.urls import reverse
from django.utils.formats import date_format

from incentives.models import Recognition
from incentives.services.recognition import recognitions_for
from partners.hooks import Panel, PanelItem, Summary, register_partner_summary, register_portal_panel
from partners.models import Partner

SHOWN = 5  # awards listed on the manager's partner page; the rest are on the recognition page


def _day(recognition: Recognition) -> str:
    return date_format(recognition.awarded_on, "M j, Y")


def _kind_words(recognition: Recognition) -> str:
    """ "Badge" for a badge; nothing for a partner of the quarter or year, whose title says it already."""
    return "Badge" if recognition.kind == Recognition.Kind.BADGE else ""


def partner_summary(partner: Partner) -> Summary:
    awards = list(recognitions_for(partner).only("pk", "kind", "title", "awarded_on"))
    url = f"{reverse('manage:incentives_recognition')}?partner={partner.pk}"
    if not awards:
        return Summary("Recognition", ["No recognition awarded yet"], url, "Award recognition")
    facts = [f"{award.title} ({'badge, ' if _kind_words(award) else ''}{_day(award)})" for award in awards[:SHOWN]]
    if len(awards) > SHOWN:
        facts.append(f"and {len(awards) - SHOWN} more")
    return Summary("Recognition", facts, url, "Recognition")


def portal_panel(partner: Partner) -> Panel | None:
    awards = list(recognitions_for(partner).only("pk", "kind", "title", "citation", "awarded_on"))
    if not awards:
        return None
    items = [
        PanelItem(
            title=award.title,
            meta=" · ".join(part for part in (_kind_words(award), f"awarded {_day(award)}") if part),
            text=award.citation,
        )
        for award in awards
    ]
    note = f"Awarded to {partner.name} by the channel team. Congratulations, and thank you!"
    return Panel("Recognition", items, note=note, key="recognition")


def register() -> None:
    register_partner_summary("incentives-recognition", partner_summary)
    register_portal_panel("recognition", portal_panel)
