"""Partner health: the pure scoring with answers worked out by hand, then the gathering of facts from the database
for many partners in a fixed number of queries."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg.models import Registration
from insights.health import (
    HealthInputs,
    Reason,
    band_for,
    health_for,
    health_for_partners,
    health_inputs_for,
    score_health,
)
from insights.models import ActionItem, Review
from mdf.models import FundRequest, LedgerEntry
from partners.models import Partner, PartnerMembership
from partners.services.onboarding import onboarding_start
from tests.dealreg.factories_views import RegistrationFactory
from tests.enablement.factories import AwardFactory
from tests.factories import MembershipFactory, PartnerFactory
from tests.mdf.factories import approved_request, claimed_request, funded_budget

# --- Pure scoring -----------------------------------------------------------------------------------------------


def _texts(health) -> list[str]:
    return [str(r) for r in health.reasons]


def test_a_partner_doing_everything_well_scores_100():
    health = score_health(
        HealthInputs(
            days_since_activity=3,  # +15
            registrations_recent=6,
            registrations_previous=3,  # +10
            won=3,
            lost=1,  # 75% of 4 closed: +10
            certifications_valid=2,  # +10
            members=3,
            days_since_login=1,  # +5
        )
    )
    # 50 + 15 + 10 + 10 + 10 + 5 = 100
    assert health.score == 100
    assert health.band == "healthy"
    assert _texts(health) == [
        "Active in the last two weeks +15",
        "More deals: 6 deals registered in the last 90 days vs 3 before +10",
        "Win rate 75% (3 of 4 closed deals in 12 months) +10",
        "2 current certifications +10",
        "People signed in this month +5",
    ]


def test_an_idle_partner_is_at_risk_and_says_why():
    health = score_health(
        HealthInputs(
            days_since_activity=75,  # −25
            registrations_recent=1,
            registrations_previous=4,  # −10
            won=0,
            lost=3,  # 0% of 3: −10
            certifications_valid=1,  # +10
            certifications_expiring=1,  # −5
            claims_overdue=2,  # −10
            mdf_unspent=[(Decimal("2500"), "EUR", 12)],  # −5
            members=2,
            days_since_login=70,  # −10
            actions_overdue=4,  # −5 × min(4, 3) = −15
        )
    )
    # 50 − 25 − 10 − 10 + 10 − 5 − 10 − 5 − 10 − 15 = −30, clamped to 0
    assert health.score == 0
    assert health.band == "at_risk"
    assert _texts(health) == [
        "No activity for 75 days −25",
        "Fewer deals: 1 deal registered in the last 90 days vs 4 before −10",
        "Win rate 0% (0 of 3 closed deals in 12 months) −10",
        "1 current certification +10",
        "1 certification expires within 60 days −5",
        "2 MDF claims overdue −10",
        "€2,500 MDF unspent, the period ends in 12 days −5",
        "Nobody signed in for 70 days −10",
        "4 review actions overdue −15",
    ]


def test_a_middling_partner_is_on_watch():
    health = score_health(
        HealthInputs(
            days_since_activity=20,  # +5
            registrations_recent=2,
            registrations_previous=2,  # steady: +5
            won=1,
            lost=2,  # 33% of 3: 0 (said, no points)
            certifications_valid=0,  # −10
            members=1,
            days_since_login=45,  # between 30 and 60: nothing
        )
    )
    # 50 + 5 + 5 + 0 − 10 = 50
    assert health.score == 50
    assert health.band == "watch"
    assert Reason("Win rate 33% (1 of 3 closed deals in 12 months)", 0) in health.reasons
    assert "Nobody holds a current certification −10" in _texts(health)
    assert not any("signed in" in t for t in _texts(health))


def test_a_stalled_onboarding_is_not_blamed_for_missing_deals_or_certifications():
    health = score_health(
        HealthInputs(
            status="onboarding",
            days_since_activity=None,  # −25
            onboarding_step="Complete the company profile",
            onboarding_days_waiting=9,
            stall_days=3,  # −15
            members=1,
            days_since_login=None,  # −10
        )
    )
    # 50 − 25 − 15 − 10 = 0; no "no deals" or "nobody certified" while onboarding
    assert health.score == 0
    assert _texts(health) == [
        "No activity recorded yet −25",
        "Onboarding stalled 9 days on “Complete the company profile” −15",
        "Nobody has signed in yet −10",
    ]


def test_a_few_closed_deals_say_nothing_about_win_rate_but_a_win_counts():
    health = score_health(HealthInputs(days_since_activity=40, won=1, lost=1, members=0))
    # 50 − 10 (activity 40 days) − 10 (no deals in 180 days) + 5 (1 won) − 10 (no cert) − 10 (nobody on prm) = 15
    assert health.score == 15
    assert "1 deal won in 12 months +5" in _texts(health)
    assert "Nobody from the partner is on prm −10" in _texts(health)


@pytest.mark.parametrize("status", ["applied", "declined", "offboarded"])
def test_partners_outside_the_program_are_not_scored(status):
    health = score_health(HealthInputs(status=status, status_label=status.title()))
    assert health.score is None
    assert health.band == "none"
    assert health.band_label == "Not scored"
    assert str(health.reasons[0]) == f"Not scored while the partner is {status} 0"


@pytest.mark.parametrize(
    ("score", "band"),
    [(100, "healthy"), (70, "healthy"), (69, "watch"), (40, "watch"), (39, "at_risk"), (0, "at_risk")],
)
def test_band_thresholds(score, band):
    assert band_for(score) == band


# --- Gathering facts from the database --------------------------------------------------------------------------


def _at(registration: Registration, **times) -> None:
    Registration.objects.filter(pk=registration.pk).update(**times)


@pytest.fixture
def busy_partner(db):
    """Partner with 3 deals in the last 90 days and 1 before, 2 won and 1 lost this year, one valid and one
    expiring certification, an overdue claim, people who signed in yesterday and an overdue review action."""
    now = timezone.now()
    partner = PartnerFactory(name="Busy Partner")
    Partner.objects.filter(pk=partner.pk).update(last_activity_at=now - timedelta(days=2))
    for days in (5, 20, 80):
        _at(RegistrationFactory(partner=partner, status="submitted"), submitted_at=now - timedelta(days=days))
    _at(RegistrationFactory(partner=partner, status="submitted"), submitted_at=now - timedelta(days=120))
    for status, days in (("won", 30), ("won", 200), ("lost", 100)):
        _at(
            RegistrationFactory(partner=partner, status=status),
            submitted_at=now - timedelta(days=400),
            closed_at=now - timedelta(days=days),
        )
    _at(RegistrationFactory(partner=partner, status="lost"), closed_at=now - timedelta(days=500))  # too old
    today = timezone.localdate()
    AwardFactory(partner=partner, expires_at=today + timedelta(days=200))
    AwardFactory(partner=partner, expires_at=today + timedelta(days=10))
    AwardFactory(partner=partner, expires_at=today - timedelta(days=1))  # expired: not counted
    AwardFactory(partner=partner, expires_at=today + timedelta(days=100), revoked_at=now)  # revoked: not counted
    budget = funded_budget(partner, "10000")
    approved_request(partner=partner, budget=budget, claim_deadline=today - timedelta(days=3))  # overdue
    approved_request(partner=partner, budget=budget, claim_deadline=today + timedelta(days=3))  # not yet
    claimed_request(partner=partner, budget=budget, claim_deadline=today - timedelta(days=3))  # claimed in time
    FundRequest.objects.filter(partner=partner).update(submitted_at=now - timedelta(days=40))  # activity: older
    member = MembershipFactory(partner=partner)
    member.user.last_login = now - timedelta(days=1)
    member.user.save(update_fields=["last_login"])
    MembershipFactory(partner=partner, is_active=False)  # a former member does not count
    review = Review.objects.create(partner=partner, scheduled_on=today - timedelta(days=30))
    ActionItem.objects.create(review=review, partner=partner, title="Send the plan", due_on=today - timedelta(days=2))
    ActionItem.objects.create(
        review=review, partner=partner, title="Done", due_on=today - timedelta(days=2), done_at=now
    )
    ActionItem.objects.create(review=review, partner=partner, title="Later", due_on=today + timedelta(days=2))
    return partner


def test_gathered_facts(busy_partner):
    facts = health_inputs_for([busy_partner.pk])[busy_partner.pk]
    assert facts.status == "active"
    assert facts.days_since_activity == 2
    assert (facts.registrations_recent, facts.registrations_previous) == (3, 1)
    assert (facts.won, facts.lost) == (2, 1)
    assert (facts.certifications_valid, facts.certifications_expiring) == (2, 1)
    assert facts.claims_overdue == 1
    assert (facts.members, facts.days_since_login) == (5, 1)  # the four award holders and the member
    assert facts.actions_overdue == 1


def test_gathered_health_for_the_busy_partner(busy_partner):
    health = health_for(busy_partner)
    # +15 activity, +10 more deals (3 vs 1), +10 win rate 67%, +10 certified, −5 expiring, −10 claim overdue,
    # +5 signed in, −5 one overdue action: 50 + 30 = 80. Three approvals of 4,000 reserve more than the 10,000
    # allocated, so nothing is unspent whatever the date.
    assert health.score == 80
    assert health.band == "healthy"
    assert "Win rate 67% (2 of 3 closed deals in 12 months) +10" in _texts(health)
    assert "1 MDF claim overdue −10" in _texts(health)
    assert not any("MDF unspent" in r.text for r in health.reasons)


def test_mdf_unspent_near_the_period_end(db):
    partner = PartnerFactory()
    budget = funded_budget(partner, "3000")
    approved_request(partner=partner, budget=budget, amount="1000")
    # Dated a year back, so a past date sees them (health reads the facts known at its `now`)
    a_year_ago = timezone.now() - timedelta(days=365)
    Partner.objects.filter(pk=partner.pk).update(created_at=a_year_ago)
    LedgerEntry.objects.filter(budget=budget).update(created_at=a_year_ago)
    ten_days_before_the_end = timezone.make_aware(
        datetime.combine(budget.period.ends_on - timedelta(days=10), time(12))
    )
    facts = health_inputs_for([partner.pk], now=ten_days_before_the_end)[partner.pk]
    assert facts.mdf_unspent == [(Decimal("2000.00"), budget.currency, 10)]  # 3,000 allocated − 1,000 reserved
    forty_days_before = ten_days_before_the_end - timedelta(days=30)
    if forty_days_before.date() >= budget.period.starts_on:
        assert health_inputs_for([partner.pk], now=forty_days_before)[partner.pk].mdf_unspent == []


def test_onboarding_facts(db, channel_manager):
    partner = PartnerFactory(status=Partner.Status.ONBOARDING, agreement_accepted=False)
    onboarding_start(partner=partner, actor=channel_manager)
    Partner.objects.filter(pk=partner.pk).update(approved_at=timezone.now() - timedelta(days=6, hours=1))
    facts = health_inputs_for([partner.pk])[partner.pk]
    assert facts.onboarding_step
    assert facts.onboarding_days_waiting == 6
    health = score_health(facts)
    assert f"Onboarding stalled 6 days on “{facts.onboarding_step}” −15" in _texts(health)


def test_query_count_does_not_grow_with_partners(busy_partner, django_assert_num_queries):
    others = [PartnerFactory() for _ in range(4)]
    onboarding = PartnerFactory(status=Partner.Status.ONBOARDING)
    for p in others:
        MembershipFactory(partner=p, role=PartnerMembership.Role.ADMIN)
        RegistrationFactory(partner=p, status="submitted", submitted_at=timezone.now())
    ids = [busy_partner.pk, onboarding.pk, *(p.pk for p in others)]
    health_for_partners(ids)  # warm the program settings cache, if any
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        health_for_partners([busy_partner.pk, onboarding.pk])
    with CaptureQueriesContext(connection) as many:
        result = health_for_partners([*ids, 999999])
    assert len(many.captured_queries) == len(one.captured_queries) <= 11
    assert set(result) == set(ids)  # unknown ids are left out
    assert all(h.score is not None for h in result.values())
