"""Ideal-partner fit: the profile of the best partners, the score with its reasons (worked out by hand), and the
gathering of revenue, activation speed and health through the registries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from partners import fit, metrics
from partners.fit import BestPartner, Candidate, build_profile, partner_value, rank_best, score_fit
from partners.models import Partner, Program
from tests.factories import PartnerFactory

VAR, SI = Partner.Type.VAR, Partner.Type.SI


def best(pk, type, regions=(), countries=(), verticals=(), segments=(), sellers=None, revenue="1000"):
    candidate = Candidate(
        type=type,
        regions=tuple(regions),
        countries=tuple(countries),
        verticals=tuple(verticals),
        segments=tuple(segments),
        seller_count=sellers,
    )
    return BestPartner(pk=pk, name=f"P{pk}", candidate=candidate, won_revenue=Decimal(revenue))


FIVE = [
    best(1, VAR, ["emea"], ["DE"], ["Healthcare", "Retail"], ["midmarket"], 10),
    best(2, VAR, ["emea"], ["FR"], ["healthcare"], ["midmarket", "enterprise"], 20),
    best(3, VAR, ["na"], ["US"], ["Finance"], ["enterprise"], 40),
    best(4, VAR, ["emea"], ["DE"], ["Healthcare"], ["smb"], 5),
    best(5, SI, ["apac"], ["JP"], ["Manufacturing"], ["enterprise"], None),
]


def test_profile_counts_what_the_best_have_in_common():
    profile = build_profile(FIVE, Program.Stage.EXPANSION)
    assert profile.size == 5
    assert profile.types == {VAR: 4, SI: 1}
    assert profile.regions == {"emea": 3, "na": 1, "apac": 1}
    assert profile.verticals == {"healthcare": 3, "retail": 1, "finance": 1, "manufacturing": 1}
    assert profile.vertical_names["healthcare"] == "Healthcare"  # as first written
    assert profile.segments == {"enterprise": 3, "midmarket": 2, "smb": 1}
    assert profile.sellers == (5, 40)
    assert profile.summary()[0] == "Mostly VARs (4 of 5)"


def test_a_close_match_scores_74_with_every_reason():
    profile = build_profile(FIVE, Program.Stage.EXPANSION)
    candidate = Candidate(
        type=VAR,
        regions=("emea",),
        countries=("DE",),
        verticals=("HEALTHCARE",),
        segments=("midmarket",),
        seller_count=12,
    )
    result = score_fit(candidate, profile)
    assert [(r.text, r.points, r.out_of) for r in result.reasons] == [
        ("Type VAR: 4 of your 5 best partners are VARs", 24, 30),  # 30 × 4/5
        ("Recommended type for your stage (Expansion)", 15, 15),
        ("Covers Europe, Middle East & Africa, Germany like 3 of your best", 12, 20),  # 20 × 3/5: P1, P2, P4
        ("Sells into Healthcare like 3 of your best", 9, 15),  # 15 × 3/5, compared without case
        ("Serves Mid-market like 2 of your best", 4, 10),  # 10 × 2/5
        ("12 sellers, like your best partners (5–40)", 10, 10),
    ]
    assert result.judged == 100
    assert result.score == 74
    assert result.band == "strong"
    assert result.note == ""


def test_a_poor_match_scores_3():
    profile = build_profile(FIVE, Program.Stage.VALIDATION)
    candidate = Candidate(type=Partner.Type.RESELLER, verticals=("retail",), seller_count=100)
    result = score_fit(candidate, profile)
    assert [(r.text, r.points) for r in result.reasons] == [
        ("Type Reseller: none of your 5 best partners is one", 0),
        ("Not a type your stage (Validation) recommends", 0),
        ("Regions and countries not given", 0),
        ("Sells into Retail like 1 of your best", 3),  # 15 × 1/5
        ("Customer segments not given", 0),
        ("100 sellers; your best partners have 5–40", 0),
    ]
    assert result.score == 3
    assert result.band == "weak"


def test_parts_the_best_partners_say_nothing_about_are_left_out():
    only = [best(1, VAR, ["emea"], [], [], ["smb"], None)]
    profile = build_profile(only, Program.Stage.EXPANSION)
    result = score_fit(Candidate(type=VAR, regions=("emea",), segments=("smb",)), profile)
    # type 30 + stage 15 + reach 20 + segments 10 = 75 judged, all earned.
    assert result.judged == 75
    assert result.score == 100
    assert result.note == "Judged on 75 of 100 points: your best partners record no industries, sellers."


def test_without_best_partners_the_stage_alone_speaks():
    profile = build_profile([], Program.Stage.VALIDATION)
    design = score_fit(Candidate(type=Partner.Type.DESIGN), profile)
    assert (design.score, design.judged) == (100, 15)
    assert design.note.startswith("No partner has won revenue")
    assert score_fit(Candidate(type=Partner.Type.GSI), profile).score == 0
    # Stage 3 recommends GSIs.
    assert score_fit(Candidate(type=Partner.Type.GSI), build_profile([], Program.Stage.ECOSYSTEM)).score == 100


def test_partner_value_mixes_revenue_speed_and_health():
    # 0.6 × 1 + 0.2 × 1 (activated the day it was approved) + 0.2 × 0.5 (health unknown)
    assert partner_value(revenue=Decimal(100), top_revenue=Decimal(100), days=0, health=None) == Decimal("0.9")
    # 0.6 × 0.5 + 0.2 × (162 / 180) + 0.2 × 0.9 = 0.3 + 0.18 + 0.18
    assert partner_value(revenue=Decimal(50), top_revenue=Decimal(100), days=18, health=90) == Decimal("0.66")
    # Slower than 180 days earns nothing for speed.
    assert partner_value(revenue=Decimal(0), top_revenue=Decimal(100), days=400, health=0) == Decimal(0)


def test_rank_best_lets_speed_and_health_beat_a_little_more_revenue():
    slow = BestPartner(pk=1, name="Slow", candidate=Candidate(VAR), won_revenue=Decimal(100), health=10)
    fast = BestPartner(
        pk=2, name="Fast", candidate=Candidate(VAR), won_revenue=Decimal(90), days_to_activate=0, health=100
    )
    idle = BestPartner(pk=3, name="Idle", candidate=Candidate(VAR), won_revenue=Decimal(0), health=100)
    ranked = rank_best([slow, fast, idle])
    # fast: 0.6 × 0.9 + 0.2 + 0.2 = 0.94; slow: 0.6 + 0 + 0.02 = 0.62; idle has no revenue.
    assert [(p.name, p.value) for p in ranked] == [("Fast", Decimal("0.94")), ("Slow", Decimal("0.62"))]
    assert rank_best([slow, fast], size=1)[0].name == "Fast"


@pytest.fixture
def fake_sources():
    """Won revenue and health from fixed tables, put back as they were afterwards."""
    saved_metric = metrics._PROVIDERS.get("won_revenue")
    saved_health = fit._HEALTH.get("health")
    tables = {"revenue": {}, "health": {}}
    metrics.register_metric(
        "won_revenue", lambda ids, since: {pk: v for pk, v in tables["revenue"].items() if pk in ids}
    )
    fit.register_health_source(lambda ids: {pk: v for pk, v in tables["health"].items() if pk in ids})
    yield tables
    if saved_metric:
        metrics.register_metric("won_revenue", saved_metric)
    else:
        metrics.unregister_metric("won_revenue")
    if saved_health:
        fit.register_health_source(saved_health)
    else:
        fit.unregister_health_source()


@pytest.mark.django_db
def test_best_partners_are_active_with_revenue_ranked_by_value(fake_sources):
    now = timezone.now()
    a = PartnerFactory(name="Alpha", type=VAR, regions=["emea"], approved_at=now - timedelta(days=40))
    a.activated_at = now - timedelta(days=30)  # 10 days to activate
    a.save()
    b = PartnerFactory(name="Bravo", type=SI, regions=["na"], countries=["US"], verticals=["Retail"])
    c = PartnerFactory(name="Charlie", type=VAR)
    gone = PartnerFactory(name="Gone", status=Partner.Status.OFFBOARDED)
    fake_sources["revenue"] = {a.pk: Decimal(80000), b.pk: Decimal(100000), c.pk: Decimal(0), gone.pk: Decimal(9000000)}
    fake_sources["health"] = {a.pk: 90, b.pk: 20}

    found = fit.best_partners(now=now)
    # Alpha: 0.6 × 0.8 + 0.2 × 170/180 + 0.2 × 0.9 = 0.48 + 0.1889 + 0.18 = 0.8489
    # Bravo: 0.6 × 1 + 0 (speed unknown) + 0.2 × 0.2 = 0.64. Charlie has no revenue; Gone is not active.
    assert [(p.name, p.value, p.days_to_activate, p.health) for p in found] == [
        ("Alpha", Decimal("0.8489"), 10, 90),
        ("Bravo", Decimal("0.6400"), None, 20),
    ]
    assert found[1].candidate.countries == ("US",)

    Program.objects.filter(pk=1).update(pmi_stage=Program.Stage.EXPANSION)
    profile = fit.ideal_profile(now=now)
    assert profile.stage == Program.Stage.EXPANSION
    assert profile.types == {VAR: 1, SI: 1}


@pytest.mark.django_db
def test_without_a_revenue_source_nobody_is_best(fake_sources):
    metrics.unregister_metric("won_revenue")
    PartnerFactory()
    assert fit.best_partners() == []


@pytest.mark.django_db
def test_an_applicant_and_a_prospect_are_scored_the_same_way(fake_sources):
    from partners.models import Prospect

    star = PartnerFactory(type=VAR, regions=["emea"], countries=["DE"], verticals=["Healthcare"], seller_count=8)
    fake_sources["revenue"] = {star.pk: Decimal(5000)}
    profile = fit.ideal_profile()
    applicant = PartnerFactory(
        status=Partner.Status.APPLIED, type=VAR, regions=["emea"], countries=["DE"], verticals=["healthcare"]
    )
    prospect = Prospect.objects.create(
        name="Medisell", type=VAR, regions=["emea"], countries=["DE"], verticals=["Healthcare"]
    )
    assert fit.fit_for(applicant, profile) == fit.fit_for(prospect, profile)
    result = fit.fit_for(prospect, profile)
    # type 30 + stage (Validation recommends VARs) 15 + reach 20 + industries 15 + sellers 0 of 10 → 80 of 90.
    assert (result.judged, result.score) == (90, 89)
    assert result.reasons[2].text == "Covers Europe, Middle East & Africa, Germany like 1 of your best"


def test_profile_summary_names_a_mixed_set_of_types():
    mixed = [best(1, VAR), best(2, SI), best(3, Partner.Type.DISTRIBUTOR)]
    assert build_profile(mixed, 1).summary()[0] == "Types: VAR (1), SI (1), Distributor (1)"
