"""Personas every test can use: a channel manager, partner A's admin and seller, partner B's user (the outsider),
and anonymous visitors (the plain `client`)."""

import pytest
from django.core import mail
from django.test import Client

from partners.models import PartnerMembership
from tests.factories import ChannelManagerFactory, MembershipFactory, PartnerFactory


@pytest.fixture(autouse=True)
def _program_defaults(request):
    """The rows migration 0004 creates (program settings, default checklist, agreement 1.0). A live-server test
    flushes the database when it ends, and --reuse-db would keep the flushed database for the next run: put them
    back for every test that uses the database."""
    marker = request.node.get_closest_marker("django_db")
    wants_db = marker or {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not wants_db:
        return
    transactional = (marker and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(
        request.fixturenames
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from importlib import import_module

    from django.apps import apps

    import_module("partners.migrations.0004_program_defaults").create_defaults(apps, None)
    import_module("dealreg.migrations.0002_trigram_and_policy").create_policy(apps, None)


@pytest.fixture(autouse=True)
def _clean_mail_and_cache():
    from django.core.cache import cache

    cache.clear()
    mail.outbox = []


@pytest.fixture
def channel_manager(db):
    return ChannelManagerFactory(email="maya@startup.example.com", first_name="Maya", last_name="Chen")


@pytest.fixture
def partner_a(db):
    return PartnerFactory(name="Northwind Solutions")


@pytest.fixture
def partner_b(db):
    return PartnerFactory(name="Contoso Partners")


@pytest.fixture
def partner_a_admin(partner_a):
    return MembershipFactory(
        partner=partner_a, role=PartnerMembership.Role.ADMIN, user__email="anna@northwind.example.com"
    ).user


@pytest.fixture
def partner_a_seller(partner_a):
    return MembershipFactory(
        partner=partner_a, role=PartnerMembership.Role.SALES, user__email="sam@northwind.example.com"
    ).user


@pytest.fixture
def partner_b_user(partner_b):
    return MembershipFactory(
        partner=partner_b, role=PartnerMembership.Role.ADMIN, user__email="olga@contoso.example.com"
    ).user


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager_client(channel_manager):
    return _client_for(channel_manager)


@pytest.fixture
def program_admin(db):
    """A channel manager who is also a program admin: may change the program setup (tiers, settings, checklists)."""
    from partners.services.setup import program_admins_group

    user = ChannelManagerFactory(email="priya@startup.example.com", first_name="Priya", last_name="Shah")
    user.groups.add(program_admins_group())
    return user


@pytest.fixture
def program_admin_client(program_admin):
    return _client_for(program_admin)


@pytest.fixture
def admin_client_a(partner_a_admin):
    return _client_for(partner_a_admin)


@pytest.fixture
def seller_client_a(partner_a_seller):
    return _client_for(partner_a_seller)


@pytest.fixture
def outsider_client(partner_b_user):
    return _client_for(partner_b_user)


@pytest.fixture(scope="session")
def browser():
    """Chromium through Playwright, one per test process, for tests/e2e and the browser tests elsewhere (tests/sso)."""
    from tests.e2e.conftest import launch_browser

    with launch_browser() as launched:
        yield launched
