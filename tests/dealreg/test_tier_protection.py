"""A tier's deal protection is a promise shown to partners ("Registered deals protected for 120 days"): approving
a registration of a partner in that tier protects it that long, by hand, on resolving a conflict and when the
policy approves clean registrations by itself. Without a tier promise the policy's window applies."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dealreg import services
from partners.models import Partner, Tier
from tests.dealreg.test_decisions import set_policy, submitted


@pytest.fixture
def gold(db):
    return Tier.objects.create(name="Gold", rank=3, deal_protection_days=120)


def _days(registration) -> int:
    return round((registration.protected_until - timezone.now()) / timedelta(days=1))


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_tier_promise_sets_the_protection(partner_a, partner_a_seller, channel_manager, gold, capture):
    set_policy(exclusivity_days=90)
    Partner.objects.filter(pk=partner_a.pk).update(tier=gold)
    partner_a.refresh_from_db()
    registration = submitted(partner_a_seller, partner_a, capture)
    approved = services.registration_approve(actor=channel_manager, registration=registration)
    assert _days(approved) == 120


def test_without_a_tier_promise_the_policy_applies(partner_a, partner_a_seller, channel_manager, capture):
    set_policy(exclusivity_days=90)
    Partner.objects.filter(pk=partner_a.pk).update(tier=Tier.objects.create(name="Registered", rank=1))
    partner_a.refresh_from_db()
    registration = submitted(partner_a_seller, partner_a, capture)
    assert _days(services.registration_approve(actor=channel_manager, registration=registration)) == 90


def test_auto_approval_keeps_the_promise_too(partner_a, partner_a_seller, gold, capture):
    set_policy(exclusivity_days=90, auto_approve_without_conflict=True)
    Partner.objects.filter(pk=partner_a.pk).update(tier=gold)
    partner_a.refresh_from_db()
    registration = submitted(partner_a_seller, partner_a, capture, name="Clean Customer Ltd", website="clean.example")
    assert registration.status == "approved"
    assert _days(registration) == 120


def test_the_portal_says_how_long_deals_are_protected(partner_a, seller_client_a, gold):
    set_policy(exclusivity_days=90)
    assert "protected (90 days)" in seller_client_a.get("/portal/deals/").content.decode()
    Partner.objects.filter(pk=partner_a.pk).update(tier=gold)
    page = seller_client_a.get("/portal/deals/").content.decode()
    assert "protected (120 days, a benefit of your Gold tier)" in page
