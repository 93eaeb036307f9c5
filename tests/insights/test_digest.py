"""The weekly digest: once per manager per ISO week, each section with its links, empty sections silent, an
"all quiet" note for a week with nothing, a fixed number of queries whatever the data."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg.models import Registration
from insights.digest import digest_send_all, week_key
from insights.models import ActionItem, CustomerContract, HealthSnapshot, Review
from partners.models import Partner
from prm.models import Notification
from tests.dealreg.factories_registrations import RegistrationFactory
from tests.factories import ChannelManagerFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def test_once_per_manager_per_week(channel_manager):
    second = ChannelManagerFactory()
    now = timezone.now()
    assert digest_send_all(now=now) == 2
    assert digest_send_all(now=now) == 0  # the beat ran twice
    assert digest_send_all(now=now + timedelta(days=7)) == 2  # next week
    keys = set(Notification.objects.values_list("idempotency_key", flat=True))
    assert f"insights-digest:{channel_manager.pk}:{week_key(now)}" in keys
    assert f"insights-digest:{second.pk}:{week_key(now + timedelta(days=7))}" in keys
    assert week_key(timezone.make_aware(timezone.datetime(2026, 1, 1, 12))) == "2026-W01"


def test_a_quiet_week_says_so(channel_manager):
    digest_send_all()
    note = Notification.objects.get()
    assert "all quiet" in note.subject
    assert "All quiet this week" in note.body_text


def test_what_changed_and_what_waits(channel_manager, partner_a, django_assert_max_num_queries):
    now = timezone.now()
    today = timezone.localdate(now)
    partner_a.owner = channel_manager
    partner_a.save()
    PartnerFactory(name="Fresh Applicant", status=Partner.Status.APPLIED, applied_at=now - timedelta(days=2))
    PartnerFactory(name="Old Applicant", status=Partner.Status.APPLIED, applied_at=now - timedelta(days=30))
    RegistrationFactory(
        partner=partner_a,
        name="Late Deal",
        status=Registration.Status.SUBMITTED,
        submitted_at=now - timedelta(days=5),
        decision_due_at=now - timedelta(days=1),
    )
    PartnerFactory(name="Sleepy Ltd", status=Partner.Status.DORMANT, status_changed_at=now - timedelta(days=1))
    CustomerContract.objects.create(
        customer_name="Renewing Co",
        partner=partner_a,
        starts_on=date(2025, 1, 1),
        amount=Decimal("12000"),
        currency="EUR",
        renewal_on=today + timedelta(days=10),
    )
    review = Review.objects.create(partner=partner_a, scheduled_on=today - timedelta(days=20), status="held")
    ActionItem.objects.create(review=review, partner=partner_a, title="Overdue thing", due_on=today - timedelta(days=3))
    # Its stored health (insights.health_store): on watch at the start of the week, at risk now.
    HealthSnapshot.objects.create(
        partner=partner_a, day=today - timedelta(days=8), computed_at=now, score=45, band="watch", reasons=[]
    )
    HealthSnapshot.objects.create(
        partner=partner_a,
        day=today,
        computed_at=now,
        score=30,
        band="at_risk",
        is_latest=True,
        reasons=[{"points": -25, "text": "No activity for 75 days"}, {"points": 5, "text": "People signed in"}],
    )
    with django_assert_max_num_queries(40):
        assert digest_send_all(now=now) == 1
    body = Notification.objects.get().body_text
    assert "Fresh Applicant" in body
    assert "Old Applicant" not in body
    assert "1 registration waits for a decision (1 past the SLA)" in body
    assert "Late Deal from Northwind Solutions: past its SLA (yours)" in body
    assert "Sleepy Ltd: turned dormant" in body
    assert "Renewing Co via Northwind Solutions: €12,000" in body
    assert "Overdue thing" in body
    assert "/manage/insights/customers/" in body
    # A move to at risk this week, from the stored health, with its reasons
    assert "Northwind Solutions: moved to at risk this week (was watch), health 30 (No activity for 75 days)" in body
    assert "expire in the next" not in body  # no certification expires: the section says nothing
    assert "All quiet" not in body


def test_query_count_does_not_grow_with_the_data(channel_manager, django_assert_max_num_queries):
    today = timezone.localdate()
    partners = [PartnerFactory() for _ in range(6)]
    for partner in partners:
        RegistrationFactory(partner=partner, status=Registration.Status.SUBMITTED, submitted_at=timezone.now())
        CustomerContract.objects.create(
            customer_name=f"C {partner.pk}",
            partner=partner,
            starts_on=date(2025, 1, 1),
            amount=Decimal("1"),
            currency="USD",
            renewal_on=today + timedelta(days=5),
        )
    ChannelManagerFactory()
    with django_assert_max_num_queries(45):
        assert digest_send_all() == 2
    assert "…and 1 more" in Notification.objects.first().body_text
