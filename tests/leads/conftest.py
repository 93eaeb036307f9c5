"""Leads' test helpers: a lead and partners that fit it."""

import pytest

from leads.services import create_lead, distribution_settings_update
from tests.factories import MembershipFactory, PartnerFactory


def make_lead(**overrides):
    values = {
        "company_name": "Charité Digital GmbH",
        "website": "https://charite-digital.example.de",
        "country": "DE",
        "contact_name": "Eva Braun",
        "contact_email": "eva@charite-digital.example.de",
        "contact_phone": "+49 30 1234",
        "industry": "Healthcare",
        "size": "midmarket",
        "interest": "Analytics for 12 clinics",
        "source": "manager",
    }
    values.update(overrides)
    return create_lead(**values)


@pytest.fixture
def german_partners(db):
    """Three active partners covering Germany, each with an admin: best, second, third by fit."""
    best = PartnerFactory(name="Berlin Health IT", countries=["DE"], regions=["emea"], verticals=["Healthcare"],
                          segments=["midmarket"])  # fmt: skip
    second = PartnerFactory(name="Munich Systems", countries=["DE"], regions=["emea"], verticals=["Healthcare"])
    third = PartnerFactory(name="Hamburg Partners", countries=["DE"], regions=["emea"])
    people = {}
    for partner in (best, second, third):
        people[partner.pk] = MembershipFactory(partner=partner, role="admin").user
    return [best, second, third], people


@pytest.fixture
def settings_mode(channel_manager):
    def set_mode(mode: str, **extra):
        return distribution_settings_update(actor=channel_manager, data={"mode": mode, **extra})

    return set_mode
