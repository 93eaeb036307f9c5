"""API personas: a token for partner A's admin and seller, partner B's admin (the outsider) and a channel manager,
and a client that sends a token."""

import json

import pytest
from django.test import Client

from api.services import token_create


class ApiClient:
    """Django's test client with a bearer token; JSON in and out."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client(raise_request_exception=False)
        self.token = token

    def _headers(self, token: str | None) -> dict:
        token = token if token is not None else self.token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, data=None, token: str | None = None):
        return self.client.get(path, data or {}, headers=self._headers(token))

    def post(self, path: str, body=None, token: str | None = None, raw: str | bytes | None = None):
        content = raw if raw is not None else json.dumps(body or {})
        return self.client.post(path, content, content_type="application/json", headers=self._headers(token))

    def patch(self, path: str, body=None, token: str | None = None, raw: str | bytes | None = None):
        content = raw if raw is not None else json.dumps(body or {})
        return self.client.patch(path, content, content_type="application/json", headers=self._headers(token))


def _token(user, name="Test"):
    return token_create(actor=user, user=user, name=name)


@pytest.fixture
def admin_a_token(partner_a_admin):
    return _token(partner_a_admin)[1]


@pytest.fixture
def seller_a_token(partner_a_seller):
    return _token(partner_a_seller)[1]


@pytest.fixture
def outsider_token(partner_b_user):
    return _token(partner_b_user)[1]


@pytest.fixture
def staff_token(channel_manager):
    return _token(channel_manager)[1]


@pytest.fixture
def api_a(admin_a_token):
    return ApiClient(admin_a_token)


@pytest.fixture
def api_b(outsider_token):
    return ApiClient(outsider_token)


@pytest.fixture
def api_staff(staff_token):
    return ApiClient(staff_token)


@pytest.fixture
def api_anonymous(db):
    return ApiClient()


# --- A small world for the sweeps (tests/api/test_schema_property.py, tests/api/test_isolation_sweep.py) ---------


class World:
    """Rows of partner A (the token's company) and partner B (the outsider) in every state the API shows: deal
    registrations (draft, submitted, approved, won with earnings), certifications, MDF budget, requests and claims,
    accounts and a direct opportunity, leads and an offer to partner A."""

    def __init__(self, *, partner_a, partner_b, partner_a_admin, partner_b_user, channel_manager) -> None:
        self.partner_a = partner_a
        self.partner_b = partner_b
        self.admin_a = partner_a_admin
        self.user_b = partner_b_user
        self.manager = channel_manager
        self.ids: dict[str, list] = {}

    def add(self, kind: str, *objects) -> None:
        self.ids.setdefault(kind, []).extend(o.pk for o in objects)

    def add_values(self, kind: str, *values) -> None:
        self.ids.setdefault(kind, []).extend(values)


def seed_world(world: World) -> World:
    from datetime import date, timedelta
    from decimal import Decimal

    from django.utils import timezone

    from dealreg.models import Registration
    from incentives.services import accrue_for_won
    from leads.services import lead_offer
    from tests.dealreg.factories_accounts import AccountFactory, OpportunityFactory
    from tests.dealreg.factories_registrations import RegistrationFactory, SubmittedRegistrationFactory
    from tests.enablement.factories import AwardFactory, CertificationFactory
    from tests.incentives.helpers import pct, published_version, with_rules, won_deal
    from tests.leads.conftest import make_lead
    from tests.mdf.factories import approved_request, claimed_request, funded_budget

    a, b = world.partner_a, world.partner_b
    now = timezone.now()
    world.add("partners", a, b)
    world.add(
        "registrations",
        RegistrationFactory(partner=a, created_by=world.admin_a, name="Acme Draft"),
        SubmittedRegistrationFactory(partner=a, created_by=world.admin_a, name="Acme Submitted"),
        RegistrationFactory(
            partner=a,
            created_by=world.admin_a,
            name="Acme Approved",
            status=Registration.Status.APPROVED,
            submitted_at=now - timedelta(days=3),
            decided_at=now - timedelta(days=2),
            protected_until=now + timedelta(days=88),
            expected_close=timezone.localdate() + timedelta(days=30),
        ),
        SubmittedRegistrationFactory(partner=b, created_by=world.user_b, name="Contoso Deal"),
    )
    with_rules(published_version(1, date(2026, 1, 1)), payouts=[{"involvement": "sourced", **pct("10")}])
    won = won_deal(a, amount="1000", approved=date(2026, 3, 1), won=date(2026, 3, 2), created_by=world.admin_a)
    world.add("registrations", won)
    accrue_for_won(registration=won)
    certification = CertificationFactory(name="Platform Specialist")
    world.add(
        "awards",
        AwardFactory(certification=certification, partner=a, user=world.admin_a),
        AwardFactory(certification=certification, partner=b, user=world.user_b),
    )
    budget = funded_budget(a, "10000")
    claimed = claimed_request(partner=a, budget=budget, amount=Decimal("3000"))
    world.add("mdf_requests", approved_request(partner=a, budget=budget, amount=Decimal("2000")), claimed)
    world.add("mdf_claims", claimed.claim)
    world.add_values("award_codes", *(award.code for award in AwardFactory._meta.model.objects.all()))
    customer = AccountFactory(name="Globex Corporation", is_customer=True)
    world.add("accounts", customer, AccountFactory(name="Initech"))
    world.add("opportunities", OpportunityFactory(account=customer, title="Globex renewal"))
    world.add("earning_lines", *won.earning_lines.all())
    lead = make_lead(actor=world.manager)
    lead_offer(actor=world.manager, lead=lead, partner_ids=[a.pk])
    world.add("leads", lead, make_lead(actor=world.manager, company_name="Umbrella Clinics", website=""))
    world.add("lead_offers", *lead.offers.all())
    claimed_request(partner=b, budget=funded_budget(b, "500"), amount=Decimal("400"))
    return world


@pytest.fixture
def api_world(partner_a, partner_b, partner_a_admin, partner_b_user, channel_manager) -> World:
    return seed_world(
        World(
            partner_a=partner_a,
            partner_b=partner_b,
            partner_a_admin=partner_a_admin,
            partner_b_user=partner_b_user,
            channel_manager=channel_manager,
        )
    )
