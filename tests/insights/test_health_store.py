"""Partner health stored (insights.health_store): one snapshot per partner per day with its reasons, the latest
flag, past days, movers to at risk told to their owner once, and the scorecard's history and Recalculate button."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Registration
from insights.health_store import (
    at_risk_rows,
    compute_all,
    compute_for,
    history_for,
    latest_for,
    next_action,
    sparkline,
)
from insights.models import HealthSnapshot
from partners.models import Partner
from prm.models import Notification
from tests.dealreg.factories_views import RegistrationFactory
from tests.enablement.factories import AwardFactory
from tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def _old(partner: Partner, days: int = 400) -> Partner:
    """The partner joined long ago (a past day sees it)."""
    at = timezone.now() - timedelta(days=days)
    Partner.objects.filter(pk=partner.pk).update(created_at=at, applied_at=at, approved_at=at, activated_at=at)
    partner.refresh_from_db()
    return partner


@pytest.fixture
def idle(channel_manager):
    """Active, owned by the channel manager, nothing done for 200 days, one certified person who never signed in
    (certified a year ago)."""
    partner = _old(PartnerFactory(name="Idle Co", owner=channel_manager))
    Partner.objects.filter(pk=partner.pk).update(last_activity_at=timezone.now() - timedelta(days=200))
    member = MembershipFactory(partner=partner)
    AwardFactory(
        partner=partner,
        user=member.user,
        awarded_at=timezone.now() - timedelta(days=365),
        expires_at=timezone.localdate() + timedelta(days=300),
    )
    return partner


@pytest.fixture
def busy():
    """Active, deals registered this quarter (3) and the one before (1), a certified person, signed in yesterday."""
    partner = _old(PartnerFactory(name="Busy Co"))
    now = timezone.now()
    for days in (5, 20, 40, 120):
        RegistrationFactory(
            partner=partner, status=Registration.Status.SUBMITTED, submitted_at=now - timedelta(days=days)
        )
    member = MembershipFactory(partner=partner)
    member.user.last_login = now - timedelta(days=1)
    member.user.save(update_fields=["last_login"])
    AwardFactory(partner=partner, user=member.user, expires_at=timezone.localdate() + timedelta(days=300))
    return partner


def test_compute_all_stores_each_scored_partner_with_its_reasons(idle, busy):
    PartnerFactory(status=Partner.Status.APPLIED)  # not scored
    assert compute_all() == 2
    stored = {s.partner_id: s for s in HealthSnapshot.objects.all()}
    assert set(stored) == {idle.pk, busy.pk}

    # 50 −25 (no activity for 200 days) −10 (no deals in 180 days) +10 (certified) −10 (nobody signed in) = 15
    risky = stored[idle.pk]
    assert (risky.score, risky.band, risky.day, risky.is_latest) == (15, "at_risk", timezone.localdate(), True)
    assert risky.reasons == [
        {"points": -25, "text": "No activity for 200 days", "key": "inactive"},
        {"points": -10, "text": "No deals registered in 180 days", "key": "no_deals"},
        {"points": 10, "text": "1 current certification", "key": "certified"},
        {"points": -10, "text": "Nobody has signed in yet", "key": "no_logins"},
    ]
    assert risky.inputs["days_since_activity"] == 200

    # 50 +15 (registered a deal 5 days ago) +10 (3 deals vs 1) +10 (certified) +5 (signed in) = 90
    good = stored[busy.pk]
    assert (good.score, good.band) == (90, "healthy")
    assert [r["points"] for r in good.reasons] == [15, 10, 10, 5]


def test_a_second_run_the_same_day_overwrites_and_keeps_one_latest(idle):
    compute_all()
    Partner.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now())
    compute_all()
    snapshots = list(HealthSnapshot.objects.filter(partner=idle))
    assert len(snapshots) == 1
    assert snapshots[0].score == 55  # 15 + 25 + 15: active today now
    assert snapshots[0].band == "watch"


def test_past_days_are_scored_as_of_then_and_latest_stays_on_the_newest(idle):
    today = timezone.now()
    RegistrationFactory(partner=idle, status=Registration.Status.SUBMITTED, submitted_at=today - timedelta(days=100))
    compute_all()
    compute_all(now=today - timedelta(days=90), notify=False)  # a backfill after today's run
    by_day = {s.day: s for s in HealthSnapshot.objects.filter(partner=idle)}
    assert len(by_day) == 2
    past = by_day[timezone.localdate(today - timedelta(days=90))]
    assert not past.is_latest
    assert by_day[timezone.localdate()].is_latest
    # 90 days ago the deal was 10 days old: active in the last two weeks, 1 deal vs 0 before.
    assert {"points": 15, "text": "Active in the last two weeks", "key": "active"} in past.reasons
    assert past.score > by_day[timezone.localdate()].score
    assert latest_for(idle.pk).day == timezone.localdate()


def test_a_partner_that_did_not_exist_yet_is_not_scored_on_a_past_day(db):
    PartnerFactory()  # created now
    assert compute_all(now=timezone.now() - timedelta(days=30), notify=False) == 0


def test_a_move_to_at_risk_is_told_to_the_owner_once_with_the_reasons(idle, channel_manager):
    yesterday = timezone.now() - timedelta(days=1)
    Partner.objects.filter(pk=idle.pk).update(last_activity_at=yesterday - timedelta(hours=1))
    compute_all(now=yesterday)  # active the day before: watch (15 + 25 + 15 = 55)
    assert HealthSnapshot.objects.get(partner=idle).band == "watch"
    assert not Notification.objects.exists()

    Partner.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - timedelta(days=65))
    compute_all()
    compute_all()  # the beat ran twice
    note = Notification.objects.get()
    assert note.recipient == channel_manager
    assert note.subject.startswith("Idle Co moved to at risk (health 15/100)")
    assert "No activity for 65 days" in note.body_text
    assert "it was watch" in note.body_text
    assert "Suggested next step: Call them: find out what changed." in note.body_text
    assert reverse("manage:partner_scorecard", args=[idle.pk]) in note.url


def test_staying_at_risk_or_a_first_score_is_not_a_move(idle):
    compute_all(now=timezone.now() - timedelta(days=1))  # first score: at risk, no move
    compute_all()  # still at risk
    assert not Notification.objects.exists()
    assert HealthSnapshot.objects.filter(partner=idle).count() == 2


def test_next_action_follows_the_biggest_negative_reason(idle):
    compute_all()
    snapshot = latest_for(idle.pk)
    action = next_action(snapshot.negative_reasons, partner_id=idle.pk)
    assert action.label == "Call them: find out what changed"
    assert action.url == reverse("manage:partner_detail", args=[idle.pk]) + "#people"
    claims = [{"points": -10, "text": "1 MDF claim overdue", "key": "claims_overdue"}]
    assert next_action(claims, partner_id=7).url == reverse("manage:mdf_requests") + "?partner=7"
    expiring = [{"points": -5, "text": "2 certifications expire within 60 days", "key": "certifications_expiring"}]
    assert next_action(expiring, partner_id=7).url == reverse("manage:enablement_partner", args=[7])
    assert next_action([], partner_id=7) is None


def test_the_list_shows_the_change_since_a_week_before(idle, busy):
    compute_all(now=timezone.now() - timedelta(days=7), notify=False)
    Partner.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - timedelta(days=45))
    compute_all()
    rows = at_risk_rows()
    assert [row.partner.pk for row in rows] == [idle.pk]
    # a week ago: idle for 193 days (15); now the last activity 45 days ago: 50 −10 −10 +10 −10 = 30
    assert rows[0].snapshot.score == 30
    assert rows[0].change == 15
    assert [r.text for r in rows[0].top_reasons] == [
        "Last activity 45 days ago",
        "No deals registered in 180 days",
        "Nobody has signed in yet",
    ]
    assert [row.partner.pk for row in at_risk_rows(band="both")] == [idle.pk]
    assert at_risk_rows(band="watch") == []


def test_an_offboarded_partner_leaves_the_list(idle):
    compute_all()
    Partner.objects.filter(pk=idle.pk).update(status=Partner.Status.OFFBOARDED, status_changed_at=timezone.now())
    assert at_risk_rows() == []


def test_history_for_the_sparkline(idle):
    now = timezone.now()
    for days in (100, 60, 30, 0):
        compute_all(now=now - timedelta(days=days), notify=False)
    history = history_for(idle.pk)
    assert [s.day for s in history] == [timezone.localdate(now - timedelta(days=d)) for d in (60, 30, 0)]


def test_recalculate_button(manager_client, idle):
    url = reverse("manage:partner_health_recalculate", args=[idle.pk])
    assert manager_client.get(url).status_code == 405
    response = manager_client.post(url)
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("manage:partner_scorecard", args=[idle.pk]) + "#health")
    assert latest_for(idle.pk).score == 15
    page = manager_client.get(reverse("manage:partner_scorecard", args=[idle.pk])).content.decode()
    assert "Health recalculated: 15 / 100, at risk." in page
    assert "Stored 15 on" in page


def test_recalculate_is_for_the_channel_team_only(admin_client_a, partner_a):
    url = reverse("manage:partner_health_recalculate", args=[partner_a.pk])
    assert admin_client_a.post(url).status_code == 404
    assert admin_client_a.get(url).status_code == 404
    assert not HealthSnapshot.objects.exists()


def test_compute_for_a_partner_not_scored(db):
    partner = PartnerFactory(status=Partner.Status.APPLIED)
    assert compute_for(partner) is None


def test_next_action_prefers_onboarding_then_specific_reasons():
    onboarding = [
        {"points": -25, "text": "No activity recorded yet", "key": "inactive"},
        {
            "points": -15,
            "text": "Onboarding stalled 12 days on “Accept the partner agreement”",
            "key": "onboarding_stalled",
        },
    ]
    assert next_action(onboarding, partner_id=3).label == "Open onboarding and unblock the step"
    tied = [
        {"points": -10, "text": "Last activity 35 days ago", "key": "inactive"},
        {"points": -10, "text": "Fewer deals: 1 vs 3", "key": "deals_down"},
        {"points": -10, "text": "Nobody holds a current certification", "key": "not_certified"},
    ]
    action = next_action(tied, partner_id=3)
    assert action.label == "Book a pipeline review"
    assert action.url == reverse("manage:partner_reviews", args=[3])
    assert action.reason == "Fewer deals: 1 vs 3"


def test_the_sparkline_draws_the_last_90_days_with_its_numbers(idle):
    now = timezone.now()
    for days in (120, 89, 60, 59, 0):
        compute_all(now=now - timedelta(days=days), notify=False)
    Partner.objects.filter(pk=idle.pk).update(last_activity_at=now)
    compute_all(now=now)
    spark = sparkline(history_for(idle.pk), today=timezone.localdate(now))
    assert [s.day for s in spark.values] == [timezone.localdate(now - timedelta(days=d)) for d in (89, 60, 59, 0)]
    assert [s.score for s in spark.changes] == [15, 55]  # the first day, then the day it changed (the last)
    first, *_, last = spark.points.split()
    assert first == "0.0,51.0"  # day 1 of 90 at x=0, score 15 → 60 − 9
    assert last == "300.0,27.0"  # today at the right edge, score 55 → 60 − 33
    assert spark.last == (300.0, 27.0)


def test_the_nightly_task_stores_today(idle):
    from insights.tasks import health_compute_all

    assert health_compute_all() == 1
    assert latest_for(idle.pk).day == timezone.localdate()
