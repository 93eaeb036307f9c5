"""Demo prospects (issue 18, item 5): companies the channel manager is thinking of recruiting, in every status, so the
prospects list shows strong, fair and weak fits with their reasons, and one with a checked customer list. Runs
after the deals and insights steps, so the best partners have won revenue. Idempotent: prospects are found by name.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from partners.demo import demo_manager
from partners.models import Partner, Prospect

T, R, S = Partner.Type, Partner.Region, Partner.Segment
# name, website, type, status, regions, countries, industries, segments, sellers, contact, notes
PROSPECTS: list[tuple[Any, ...]] = [
    ("Medisell Partners", "https://www.medisell.example", T.VAR, Prospect.Status.CONTACTED, [R.EMEA], ["DE", "AT"],
     ["Healthcare", "Public sector"], [S.MIDMARKET], 14, "Lena Vogt", "Met at the Berlin health-tech summit."),
    ("Northstar Integration", "https://northstar-integration.example", T.SI, Prospect.Status.NEW, [R.NA], ["US", "CA"],
     ["Financial services", "Retail"], [S.ENTERPRISE, S.MIDMARKET], 40, "Dev Patel", ""),
    ("Cloudlane Marketplace", "https://cloudlane.example", T.MARKETPLACE, Prospect.Status.NEW, [R.APAC], ["SG"],
     [], [S.SMB], None, "", "Inbound: asked about listing the product."),
    ("Brightpath Design Co", "https://brightpath.example", T.DESIGN, Prospect.Status.INVITED, [R.EMEA], ["GB"],
     ["Retail"], [S.MIDMARKET], 6, "Amira Khan", "Invited to apply on the public form."),
    ("Quillon Consulting", "", T.CONSULTANT, Prospect.Status.DROPPED, [R.LATAM], ["BR"], ["Manufacturing"], [S.SMB],
     3, "", "Not pursued: they resell a competitor exclusively."),
]  # fmt: skip


@transaction.atomic
def seed_prospects(*, stdout: Any = None) -> int:
    """Add the demo prospects that are missing; returns how many were added."""
    manager = demo_manager()
    added = 0
    for name, website, kind, status, regions, countries, verticals, segments, sellers, contact, notes in PROSPECTS:
        if Prospect.objects.filter(name=name).exists():
            continue
        Prospect.objects.create(
            name=name,
            website=website,
            type=kind,
            status=status,
            regions=list(regions),
            countries=countries,
            verticals=verticals,
            segments=list(segments),
            seller_count=sellers,
            contact_name=contact,
            notes=notes,
            created_by=manager,
        )
        added += 1
    # One customer list already checked: counts only, as the page keeps them.
    Prospect.objects.filter(name="Medisell Partners", customer_list_checked_at__isnull=True).update(
        customer_list_rows=240, customer_overlap=17, customer_list_checked_at=timezone.now()
    )
    if stdout is not None:
        stdout.write(f"Demo prospects ready ({added} added, {Prospect.objects.count()} in all).")
    return added
