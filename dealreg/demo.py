"""The deal registration demo: the direct team's accounts and pipeline, and registrations in every state among the
demo partners (including a conflict to resolve). A demo step (prm.demo) after the partners' one; idempotent."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dealreg import services as deals
from dealreg.models import Account, Registration
from partners.demo import demo_manager
from prm.demo import days_ago, demo_clock
from prm.models import User


def seed_deals(*, stdout: Any = None) -> None:
    """Accounts of the direct team, and registrations in every state, including a conflict to resolve."""
    manager = demo_manager()

    if Registration.objects.exists():
        return
    with demo_clock(days_ago(60, hour=11)):  # the direct team's accounts predate the partners' deals
        if not Account.objects.exists():
            deals.account_create(
                actor=manager,
                data={
                    "name": "Umbrella Health Inc.",
                    "website": "https://umbrella-health.com",
                    "country": "US",
                    "industry": "Healthcare",
                    "size": "enterprise",
                    "is_customer": True,
                    "account_owner": "Maya Chen",
                },
            )
            initech = deals.account_create(
                actor=manager,
                data={
                    "name": "Initech GmbH",
                    "website": "https://initech.de",
                    "country": "DE",
                    "industry": "Software",
                    "size": "midmarket",
                    "is_named_account": True,
                    "account_owner": "Jon Direct",
                },
            )
            deals.opportunity_create(
                actor=manager,
                account=initech,
                data={
                    "title": "Initech platform rollout",
                    "stage": "open",
                    "amount": "120000",
                    "currency": "EUR",
                    "owner_name": "Jon Direct",
                },
            )
    anna = User.objects.get(email="anna@northwind.example.com")
    marco = User.objects.get(email="marco@atlas-dist.example.com")
    grace = User.objects.get(email="grace@brightpath.example.com")
    northwind, atlas, brightpath = (u.membership.partner for u in (anna, marco, grace))

    def register(actor, partner, submit=True, **data):
        base = {
            "country": "DE",
            "contact_name": "Pat Buyer",
            "contact_email": "pat@customer.example.com",
            "value": "48000",
            "currency": "EUR",
            "stage": "discovery",
            "involvement": "sourced",
            "products": "Platform",
            "expected_close": (timezone.now() + timedelta(days=60)).date(),
        }
        registration = deals.registration_save_draft(actor=actor, partner=partner, data={**base, **data})
        return deals.registration_submit(actor=actor, registration=registration) if submit else registration

    # Stamped on a believable line (prm.demo.demo_clock): Globex was registered and approved three weeks ago; the
    # registrations waiting for a decision came in over the last day, inside the decision SLA.
    with demo_clock(days_ago(21, hour=9)):
        globex = register(
            anna, northwind, name="Globex Corporation", website="https://globex.com", stage="proposal", value="85000"
        )
    with demo_clock(days_ago(20, hour=14)):
        deals.registration_approve(actor=manager, registration=globex, reason="Clean registration.")
    with demo_clock(timezone.now() - timedelta(hours=22)):
        register(marco, atlas, name="Globex Corp.", website="https://www.globex.com", stage="discovery")
    with demo_clock(timezone.now() - timedelta(hours=19)):
        register(
            anna,
            northwind,
            name="Umbrella Health",
            website="https://umbrella-health.com",
            country="US",
            involvement="influenced",
            value="30000",
            currency="USD",
        )
    with demo_clock(timezone.now() - timedelta(hours=6)):
        register(grace, brightpath, name="Initech", website="https://initech.de", involvement="influenced")
    with demo_clock(timezone.now() - timedelta(hours=3)):
        register(
            marco, atlas, name="Hooli Logistics", website="https://hooli-logistics.fr", country="FR", value="22000"
        )
    with demo_clock(timezone.now() - timedelta(hours=1)):
        register(
            grace,
            brightpath,
            submit=False,
            name="Vandelay Industries",
            website="https://vandelay.com",
            country="US",
            currency="USD",
        )
