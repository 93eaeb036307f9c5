"""The leads demo: leads in every state among the demo partners (new, flagged by the account matcher, offered to
one partner and to the top two, accepted with its registration waiting for a decision, converted, won, lost, back
with us after a decline and after an expired offer, closed, and one from the partner locator). A demo step
(prm.demo) after deals, enablement and MDF; idempotent."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dealreg import services as deals
from leads import services
from leads.models import Lead
from partners.demo import demo_manager
from prm.demo import days_ago, demo_clock
from prm.models import User


def _lead(actor, *, when, **data) -> Lead:
    base = {"contact_name": "Jordan Buyer", "contact_email": "jordan@prospect.example.com", "source": "event"}
    with demo_clock(when):
        return services.create_lead(actor=actor, **{**base, **data})


def seed_leads(*, stdout: Any = None) -> None:
    if Lead.objects.exists():
        return
    manager = demo_manager()
    anna = User.objects.get(email="anna@northwind.example.com")
    marco = User.objects.get(email="marco@atlas-dist.example.com")
    grace = User.objects.get(email="grace@brightpath.example.com")
    northwind, atlas, brightpath = (u.membership.partner for u in (anna, marco, grace))
    now = timezone.now()

    # Won: Northwind accepted within two hours six weeks ago, and won the deal.
    won = _lead(manager, when=days_ago(45, hour=9), company_name="Massive Dynamic GmbH", website="massive-dynamic.ch",
                country="CH", industry="Manufacturing", size="enterprise",
                interest="Platform and Analytics")  # fmt: skip
    with demo_clock(days_ago(45, hour=10)):
        [offer] = services.lead_offer(actor=manager, lead=won, partner_ids=[northwind.pk])
    with demo_clock(days_ago(45, hour=12)):
        won = services.offer_accept(actor=anna, offer=offer)
    with demo_clock(days_ago(12, hour=15)):
        deals.registration_close(actor=anna, registration=won.registration, won=True, amount="36000")

    # Lost: Atlas accepted, the customer went elsewhere.
    lost = _lead(manager, when=days_ago(35, hour=9), company_name="Oscorp SA", website="oscorp.es", country="ES",
                 industry="Retail", size="midmarket", interest="Integrations with our ERP")  # fmt: skip
    with demo_clock(days_ago(35, hour=11)):
        [offer] = services.lead_offer(actor=manager, lead=lost, partner_ids=[atlas.pk])
    with demo_clock(days_ago(34, hour=16)):
        lost = services.offer_accept(actor=marco, offer=offer)
    with demo_clock(days_ago(8, hour=11)):
        deals.registration_close(actor=marco, registration=lost.registration, won=False, reason="Chose a competitor")

    # Converted: accepted ten days ago, its registration protected.
    converted = _lead(manager, when=days_ago(10, hour=9), company_name="Pied Piper Analytics GmbH",
                      website="piedpiper-analytics.de", country="DE", industry="Software", size="smb",
                      interest="Analytics")  # fmt: skip
    with demo_clock(days_ago(10, hour=9) + timedelta(minutes=30)):
        [offer] = services.lead_offer(actor=manager, lead=converted, partner_ids=[northwind.pk])
    with demo_clock(days_ago(10, hour=12)):
        services.offer_accept(actor=anna, offer=offer)

    # Back with us after a decline, and after an offer nobody answered.
    declined = _lead(manager, when=days_ago(6, hour=10), company_name="Cyberdyne Iberia", website="cyberdyne.es",
                     country="ES", industry="Robotics", size="enterprise", interest="AI Assistant")  # fmt: skip
    with demo_clock(days_ago(6, hour=10) + timedelta(minutes=20)):
        [offer] = services.lead_offer(actor=manager, lead=declined, partner_ids=[atlas.pk])
    with demo_clock(days_ago(5, hour=14)):
        services.offer_decline(actor=marco, offer=offer, reason="Robotics is outside what our resellers sell.")
    expired = _lead(manager, when=days_ago(9, hour=10), company_name="Tyrell Robotics Srl", website="tyrell.it",
                    country="IT", industry="Manufacturing", size="midmarket", interest="Platform")  # fmt: skip
    with demo_clock(days_ago(9, hour=10) + timedelta(minutes=20)):
        [offer] = services.lead_offer(actor=manager, lead=expired, partner_ids=[atlas.pk])
    with demo_clock(offer.deadline + timedelta(minutes=5)):
        services.offers_expire_due(now=offer.deadline + timedelta(minutes=5))

    # Accepted, its registration waiting: the company is registered by another partner (flagged, confirmed).
    contested = _lead(manager, when=days_ago(2, hour=9), company_name="Globex Corporation", website="globex.com",
                      country="US", industry="Logistics", size="enterprise", interest="Platform")  # fmt: skip
    with demo_clock(days_ago(2, hour=10)):
        [offer] = services.lead_offer(
            actor=manager,
            lead=contested,
            partner_ids=[brightpath.pk],
            confirm_reason="Globex's US logistics arm asked for an adviser, not a reseller.",
        )
    with demo_clock(days_ago(1, hour=11)):
        services.offer_accept(actor=grace, offer=offer)

    # Offered now: to Northwind (waiting for Anna), and to the top two (first to accept wins).
    waiting = _lead(manager, when=now - timedelta(hours=3), company_name="Wayne Logistics AG", website="wayne-log.de",
                    country="DE", industry="Logistics", size="enterprise",
                    interest="Platform for 40 depots")  # fmt: skip
    with demo_clock(now - timedelta(hours=2)):
        services.lead_offer(actor=manager, lead=waiting, partner_ids=[northwind.pk])
    top = _lead(manager, when=now - timedelta(hours=2), company_name="Soylent Foods SA", website="soylent-foods.fr",
                country="FR", industry="Food", size="midmarket", interest="Analytics and Integrations")  # fmt: skip
    with demo_clock(now - timedelta(hours=1)):
        services.lead_offer_top(actor=manager, lead=top, count=2)

    # From the partner locator: a visitor chose Northwind.
    _lead(None, when=now - timedelta(minutes=50), company_name="Acme Dental Praxis", website="acme-dental.de",
          country="DE", industry="Healthcare", size="smb", interest="Scheduling workflows for three practices",
          source="locator", preferred_partner=northwind, contact_name="Dr. Lena Vogt",
          contact_email="lena.vogt@acme-dental.example.de")  # fmt: skip

    # New: one to offer, one flagged by the account matcher (an existing customer).
    _lead(manager, when=now - timedelta(minutes=40), company_name="Stark Medical GmbH", website="stark-medical.de",
          country="DE", industry="Healthcare", size="midmarket", interest="Analytics for 12 clinics")  # fmt: skip
    _lead(manager, when=now - timedelta(minutes=30), company_name="Umbrella Health", website="umbrella-health.com",
          country="US", industry="Healthcare", size="enterprise", interest="Premium Support",
          source="inbound")  # fmt: skip

    # Closed: a duplicate.
    closed = _lead(manager, when=days_ago(3, hour=9), company_name="Hooli Logistique", website="hooli-logistique.fr",
                   country="FR", industry="Logistics", interest="Platform")  # fmt: skip
    with demo_clock(days_ago(3, hour=9) + timedelta(minutes=10)):
        services.lead_close(actor=manager, lead=closed, reason="Duplicate of a lead the direct team already works.")
    services.leads_sync_outcomes()
    if stdout is not None:
        stdout.write(f"Leads: {Lead.objects.count()} in every state.")
