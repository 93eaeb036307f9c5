"""The deal registration demo: the direct team's accounts and pipeline, and registrations in every state among the
demo partners (including a conflict to resolve). A demo step (prm.demo) after the partners' one; idempotent."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dealreg import services as deals
from dealreg.models import Account, Product, Registration
from dealreg.services import products as catalogue
from partners.demo import demo_manager
from prm.demo import days_ago, demo_clock
from prm.models import User

# The startup's catalogue: a workflow-automation platform and what sells with it. (name, code, description)
DEMO_PRODUCTS = (
    ("Platform", "PLT", "The core workflow platform: users, workflows and the API."),
    ("Analytics", "ANL", "Dashboards and reports on top of the platform."),
    ("Integrations", "INT", "Connectors to CRMs, ERPs and data warehouses."),
    ("AI Assistant", "AIA", "Drafts workflows and answers questions in plain language."),
    ("Premium Support", "SUP", "24/7 support with a named engineer."),
)


def seed_products(manager: User) -> dict[str, Product]:
    """The demo catalogue, added once (through the audited service, as a program admin would), by name."""
    if not Product.objects.exists():
        with demo_clock(days_ago(90, hour=10)):  # the catalogue was set up before the partners registered deals
            for name, code, description in DEMO_PRODUCTS:
                catalogue.product_create(actor=manager, data={"name": name, "code": code, "description": description})
    return {p.name: p for p in Product.objects.all()}


def seed_deals(*, stdout: Any = None) -> None:
    """The product catalogue, accounts of the direct team, and registrations in every state (each for products of
    the catalogue), including a conflict to resolve."""
    manager = demo_manager()
    products = seed_products(manager)

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

    def picked(*names: str) -> list[Product]:
        return [products[name] for name in names if name in products]

    def register(actor, partner, submit=True, **data):
        base = {
            "country": "DE",
            "contact_name": "Pat Buyer",
            "contact_email": "pat@customer.example.com",
            "value": "48000",
            "currency": "EUR",
            "stage": "discovery",
            "involvement": "sourced",
            "catalogue_products": picked("Platform"),
            "other_products": "",
            "expected_close": (timezone.now() + timedelta(days=60)).date(),
        }
        registration = deals.registration_save_draft(actor=actor, partner=partner, data={**base, **data})
        return deals.registration_submit(actor=actor, registration=registration) if submit else registration

    # Stamped on a believable line (prm.demo.demo_clock): Globex was registered and approved three weeks ago; the
    # registrations waiting for a decision came in over the last day, inside the decision SLA.
    with demo_clock(days_ago(21, hour=9)):
        globex = register(
            anna,
            northwind,
            name="Globex Corporation",
            website="https://globex.com",
            stage="proposal",
            value="85000",
            catalogue_products=picked("Platform", "Analytics"),
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
            catalogue_products=picked("Analytics", "Premium Support"),
        )
    with demo_clock(timezone.now() - timedelta(hours=6)):
        register(grace, brightpath, name="Initech", website="https://initech.de", involvement="influenced")
    with demo_clock(timezone.now() - timedelta(hours=3)):
        register(
            marco,
            atlas,
            name="Hooli Logistics",
            website="https://hooli-logistics.fr",
            country="FR",
            value="22000",
            catalogue_products=picked("Platform", "Integrations"),
            other_products="SAP connector setup",
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
