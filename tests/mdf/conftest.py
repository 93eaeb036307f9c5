"""MDF fixtures on top of the personas in tests/conftest.py: partner A's marketing member, and partner A's budget
for the current period with 10,000 allocated."""

import pytest

from partners.models import PartnerMembership
from tests.factories import ChannelManagerFactory, MembershipFactory
from tests.mdf.factories import funded_budget


@pytest.fixture
def partner_a_marketer(partner_a):
    return MembershipFactory(
        partner=partner_a, role=PartnerMembership.Role.MARKETING, user__email="mia@northwind.example.com"
    ).user


@pytest.fixture
def budget_a(partner_a):
    """Partner A's budget for the current period, 10,000 allocated."""
    return funded_budget(partner_a, "10000")


@pytest.fixture
def mdf_admin(db):
    """A superuser channel manager: gives the second approval above the amount band."""
    return ChannelManagerFactory(email="ops@startup.example.com", is_superuser=True)
