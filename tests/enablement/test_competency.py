"""Competency: certified people (the tier metric), by certification and role, training hours, completion rate."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from enablement.competency import competency_grid, partner_competency
from enablement.models import Enrollment
from partners import metrics
from partners.models import PartnerMembership, Tier, TierRequirement
from partners.services import tier_progress_for
from tests.enablement.factories import AwardFactory, CertificationFactory, EnrollmentFactory, learner
from tests.factories import MembershipFactory, PartnerFactory


def test_certified_people_is_the_registered_tier_metric(partner_a, partner_b):
    today = timezone.localdate()
    sales, tech = CertificationFactory(), CertificationFactory()
    person = learner(partner_a)
    AwardFactory(certification=sales, user=person, partner=partner_a)
    AwardFactory(certification=tech, user=person, partner=partner_a)  # one person, two certifications
    AwardFactory(certification=sales, partner=partner_a)
    AwardFactory(certification=sales, partner=partner_a, expires_at=today - timedelta(days=1))  # expired
    AwardFactory(certification=sales, partner=partner_a, revoked_at=timezone.now())  # revoked
    departed = AwardFactory(certification=sales, partner=partner_a)
    PartnerMembership.objects.filter(user=departed.user).update(is_active=False)
    AwardFactory(certification=sales, partner=partner_b)
    assert metrics.is_tracked("certified_people")
    values, tracked = metrics.metric_values("certified_people", [partner_a.pk, partner_b.pk, 999], timezone.now())
    assert tracked
    assert values == {partner_a.pk: Decimal(2), partner_b.pk: Decimal(1), 999: Decimal(0)}


def test_the_metric_feeds_tier_requirements(partner_a):
    tier = Tier.objects.create(name="Silver", rank=2)
    TierRequirement.objects.create(tier=tier, kind=TierRequirement.Kind.CERTIFIED_PEOPLE, threshold=Decimal(2))
    partner_a.tier = tier
    partner_a.save()
    AwardFactory(partner=partner_a)
    progress = tier_progress_for(partner=partner_a)
    [requirement] = [r for r in progress.current_requirements if r.requirement.kind == "certified_people"]
    assert requirement.tracked
    assert requirement.current == 1
    assert not requirement.met
    AwardFactory(partner=partner_a)
    progress = tier_progress_for(partner=partner_a)
    [requirement] = [r for r in progress.current_requirements if r.requirement.kind == "certified_people"]
    assert requirement.current == 2
    assert requirement.met


def test_the_metric_answers_in_one_query(db, django_assert_num_queries):
    partners = [PartnerFactory() for _ in range(5)]
    for partner in partners:
        AwardFactory(partner=partner)
    with django_assert_num_queries(1):
        metrics.metric_values("certified_people", [p.pk for p in partners], timezone.now())


def test_partner_competency(partner_a):
    sales, tech = CertificationFactory(name="Sales"), CertificationFactory(name="Tech")
    seller = MembershipFactory(partner=partner_a, role=PartnerMembership.Role.SALES).user
    engineer = MembershipFactory(partner=partner_a, role=PartnerMembership.Role.TECHNICAL).user
    AwardFactory(certification=sales, user=seller, partner=partner_a)
    AwardFactory(certification=tech, user=engineer, partner=partner_a)
    AwardFactory(certification=sales, user=engineer, partner=partner_a)
    now = timezone.now()
    EnrollmentFactory(user=seller, partner=partner_a, seconds_spent=5400, status="completed", completed_at=now)
    EnrollmentFactory(user=seller, partner=partner_a, seconds_spent=1800)
    EnrollmentFactory(user=engineer, partner=partner_a, seconds_spent=3600, status="completed", completed_at=now)
    EnrollmentFactory(user=engineer, partner=partner_a, seconds_spent=0)
    competency = partner_competency(partner=partner_a)
    assert competency.certified_people == 2
    assert [(c.certification.name, c.people) for c in competency.by_certification] == [("Sales", 2), ("Tech", 1)]
    assert [(r.role, r.people) for r in competency.by_role] == [("sales", 1), ("technical", 1)]
    assert competency.training_hours == Decimal("3.0")
    assert (competency.enrollments, competency.completed, competency.completion_rate) == (4, 2, 50)


def test_partner_competency_with_nothing_yet(partner_a):
    competency = partner_competency(partner=partner_a)
    assert competency.certified_people == 0
    assert competency.completion_rate == 0
    assert competency.training_hours == Decimal("0.0")


def test_competency_grid_is_one_query_per_aggregate(db, django_assert_num_queries):
    certifications = [CertificationFactory(name=n) for n in ("A", "B", "C")]
    partners = [PartnerFactory() for _ in range(6)]
    for i, partner in enumerate(partners):
        for certification in certifications[: i % 4]:
            AwardFactory(certification=certification, partner=partner)
    with django_assert_num_queries(2):
        grid = competency_grid(partners=partners, certifications=certifications)
    assert grid.certifications == certifications
    assert [row.cells for row in grid.rows] == [[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1], [0, 0, 0], [1, 0, 0]]
    assert [row.certified_people for row in grid.rows] == [0, 1, 2, 3, 0, 1]
    assert grid.rows[3].total == 3


def test_enrollment_status_constraint_holds(partner_a):
    import pytest
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(partner=partner_a, status=Enrollment.Status.COMPLETED, completed_at=None)
