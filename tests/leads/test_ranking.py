"""Ranking worked out by hand: each partner's points, criterion by criterion (leads.ranking.POINTS)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dealreg.models import Product
from leads.models import Lead, LeadOffer
from leads.ranking import LeadProfile, PartnerFacts, rank, rank_partners, score_partner
from leads.services.settings import distribution_settings
from partners.models import Partner, Tier
from tests.enablement.factories import AwardFactory, CertificationFactory, CourseFactory
from tests.factories import MembershipFactory, PartnerFactory

LEAD = LeadProfile(
    country="DE",
    country_name="Germany",
    industry="Healthcare",
    size="midmarket",
    products=("Analytics", "Platform"),
)


def _texts(candidate):
    return [(r.points, r.text) for r in candidate.reasons]


def test_a_perfect_fit_scores_every_criterion():
    facts = PartnerFacts(
        id=1,
        name="Berlin Health IT",
        regions=("emea",),
        countries=("DE", "AT"),
        verticals=("healthcare", "pharma"),
        segments=("midmarket",),
        tier_name="Gold",
        tier_rank=3,
        certified={"analytics": 2, "platform": 1},
        accept_hours=[1.0, 3.0, 2.0],
        leads_won=3,
        leads_lost=1,
    )
    candidate = score_partner(LEAD, facts, top_tier_rank=3, max_open=5)
    assert _texts(candidate) == [
        (25, "Covers Germany"),
        (15, "Sells into Healthcare"),
        (10, "Serves mid-market companies"),
        (10, "Certified on Analytics (2 persons)"),
        (10, "Certified on Platform (1 person)"),
        (10, "Gold tier"),
        (10, "Holds no open lead"),
        (10, "Accepts fast: 3 of 3 leads accepted within 4 hours"),
        (10, "Won 3 of 4 leads (75%)"),
    ]
    assert candidate.score == 110


def test_region_without_country_busy_and_slow_partner():
    facts = PartnerFacts(
        id=2,
        name="Paris Retail Partners",
        regions=("emea",),
        countries=("FR",),
        verticals=("retail",),
        segments=("enterprise",),
        tier_name="Silver",
        tier_rank=2,
        held=3,
        open_offers=2,
        accept_hours=[60.0, 70.0],
        leads_won=0,
        leads_lost=3,
    )
    candidate = score_partner(LEAD, facts, top_tier_rank=3, max_open=5)
    # 15 (region) + 0 + 0 + 0 + 0 + round(10 * 2/3) = 7 − 10 (5 held, the limit) − 5 (slow) + 0 (won 0 of 3)
    assert candidate.score == 15 + 7 - 10 - 5
    texts = {t: p for p, t in _texts(candidate)}
    assert texts["Works in Europe, Middle East & Africa"] == 15
    assert texts["Nobody certified on Analytics"] == 0
    assert texts["Silver tier"] == 7
    assert texts["Slow to accept: 2 of 2 leads took over 2 days"] == -5
    assert texts["Won 0 of 3 leads (0%)"] == 0


def test_locator_choice_and_ordering_ties_by_name():
    chosen = LeadProfile(country="US", country_name="United States", preferred_partner_id=9)
    a = PartnerFacts(id=9, name="Zeta", regions=("na",))
    b = PartnerFacts(id=8, name="Alpha", regions=("na",))
    c = PartnerFacts(id=7, name="Beta", regions=("na",))
    ranked = rank(chosen, [a, b, c], top_tier_rank=None, max_open=5, limit=None)
    assert [(x.name, x.score, x.rank) for x in ranked] == [("Zeta", 75, 1), ("Alpha", 25, 2), ("Beta", 25, 3)]
    assert (50, "Chosen by the customer on the partner locator") in _texts(ranked[0])


@pytest.mark.django_db
def test_rank_partners_gathers_facts_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    gold = Tier.objects.create(name="Gold", rank=3)
    Tier.objects.create(name="Silver", rank=2)
    analytics = Product.objects.create(name="Analytics")
    course = CourseFactory(title="Analytics for sellers", product="Analytics")
    certification = CertificationFactory(name="Analytics seller")
    certification.courses.add(course)
    best = PartnerFactory(
        name="Berlin Health IT", countries=["DE"], regions=["emea"], verticals=["Healthcare"], tier=gold
    )
    seller = MembershipFactory(partner=best).user
    AwardFactory(certification=certification, partner=best, user=seller)
    region_only = PartnerFactory(name="Paris Partners", countries=["FR"], regions=["emea"])
    PartnerFactory(name="Far away", countries=["US"], regions=["na"])  # not eligible: other region, industry
    PartnerFactory(name="Dormant DE", countries=["DE"], status=Partner.Status.DORMANT)  # not active
    declined = PartnerFactory(name="Declined it", countries=["DE"], regions=["emea"])
    for i in range(10):
        PartnerFactory(name=f"Filler {i}", regions=["emea"])
    lead = Lead.objects.create(
        name="Charité Digital", country="DE", industry="Healthcare", contact_name="Eva", contact_email="e@c.de"
    )
    lead.products.add(analytics)
    now = timezone.now()
    LeadOffer.objects.create(
        lead=lead, partner=declined, status="declined", offered_at=now, deadline=now + timedelta(hours=8)
    )
    distribution_settings()  # the settings row exists (created once, on first read)
    with django_assert_max_num_queries(9):
        ranked = rank_partners(lead, limit=None)
    names = [c.name for c in ranked]
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True)  # the fast ordering agrees with the scores and their reasons
    assert [c.rank for c in ranked] == list(range(1, len(ranked) + 1))
    assert names[0] == "Berlin Health IT"
    # 25 country + 15 vertical + 10 certified + 10 gold + 10 free capacity + 0 (no history)
    assert ranked[0].score == 70
    assert "Paris Partners" in names
    assert not {"Far away", "Dormant DE", "Declined it"} & set(names)
    assert ranked[[c.partner_id for c in ranked].index(region_only.pk)].score == 15 + 10


def test_the_fast_score_is_the_score_with_its_reasons():
    """Ranking orders every partner by fast_score and writes reasons for the shown ones: the two must agree."""
    import random

    from leads.ranking import fast_score

    rng = random.Random(7)
    for n in range(500):
        lead = LeadProfile(
            country=rng.choice(["DE", "US", "BR", ""]),
            industry=rng.choice(["Healthcare", "retail", ""]),
            size=rng.choice(["smb", "midmarket", "enterprise", ""]),
            products=tuple(rng.sample(["Analytics", "Platform", "AI"], rng.randint(0, 3))),
            preferred_partner_id=rng.choice([None, n]),
        )
        facts = PartnerFacts(
            id=n,
            name=f"P{n}",
            regions=tuple(rng.sample(["emea", "na", "latam", "apac"], rng.randint(0, 2))),
            countries=tuple(rng.sample(["DE", "US", "BR", "FR"], rng.randint(0, 2))),
            verticals=tuple(rng.sample(["healthcare", "retail", "health"], rng.randint(0, 2))),
            segments=tuple(rng.sample(["smb", "midmarket", "enterprise"], rng.randint(0, 2))),
            tier_name="T",
            tier_rank=rng.choice([None, 1, 2, 3]),
            certified={p.lower(): 1 for p in rng.sample(["Analytics", "Platform", "AI"], rng.randint(0, 3))},
            held=rng.randint(0, 4),
            open_offers=rng.randint(0, 3),
            accept_hours=[rng.uniform(0, 80) for _ in range(rng.randint(0, 4))],
            leads_won=rng.randint(0, 4),
            leads_lost=rng.randint(0, 4),
        )
        full = score_partner(lead, facts, top_tier_rank=3, max_open=5)
        assert fast_score(lead, facts, top_tier_rank=3, max_open=5) == full.score == sum(r.points for r in full.reasons)


@pytest.mark.django_db
def test_history_counted_by_the_database():
    """Speed, capacity and win rate as the database counts them: 2 of 3 offers accepted within 4 hours (fast), one
    offer open and one lead held (2 open leads), 2 of 3 closed leads won."""
    partner = PartnerFactory(name="Historic Partner", countries=["DE"], regions=["emea"])
    now = timezone.now()
    for hours in (1, 2, 30):
        LeadOffer.objects.create(
            lead=Lead.objects.create(name=f"Old {hours}", contact_name="x", contact_email="x@x.de"),
            partner=partner,
            status="accepted",
            offered_at=now - timedelta(days=3),
            responded_at=now - timedelta(days=3) + timedelta(hours=hours),
            deadline=now,
        )
    waiting = Lead.objects.create(name="Waiting", contact_name="x", contact_email="x@x.de")
    LeadOffer.objects.create(lead=waiting, partner=partner, offered_at=now, deadline=now + timedelta(hours=8))
    for status in ("accepted", "won", "won", "lost"):
        Lead.objects.create(
            name=f"L {status}", contact_name="x", contact_email="x@x.de", partner=partner, status=status,
            closed_at=now if status in ("won", "lost") else None,
        )  # fmt: skip
    lead = Lead.objects.create(name="New", country="DE", contact_name="x", contact_email="x@x.de")
    [candidate] = rank_partners(lead)
    texts = {t: p for p, t in _texts(candidate)}
    assert texts["Accepts fast: 2 of 3 leads accepted within 4 hours"] == 10
    assert texts["Holds 2 open leads (offers included)"] == 5
    assert texts["Won 2 of 3 leads (67%)"] == 10
    assert candidate.score == 25 + 10 + 5 + 10
