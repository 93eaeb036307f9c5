"""The daily sweeps: reminders before expiry, expiry notices (with the tier shortfall), nudges. All idempotent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from enablement import reminders
from enablement.models import Enrollment
from partners.models import PartnerMembership, Tier, TierRequirement
from prm import reminders as sweeps
from prm.models import AuditEvent, Notification
from tests.enablement.factories import AwardFactory, CertificationFactory, CourseFactory, EnrollmentFactory, learner
from tests.factories import ChannelManagerFactory, MembershipFactory


def test_the_sweeps_are_registered():
    assert {"enablement-expiry-reminder", "enablement-expired", "enablement-nudge"} <= set(sweeps.registered())


@pytest.fixture
def holder(partner_a):
    return learner(partner_a, first_name="Lee", last_name="Park")


def _sent(template):
    return set(Notification.objects.filter(template=template).values_list("recipient_id", flat=True))


def test_reminders_before_expiry_at_each_threshold_once(partner_a, partner_a_admin, holder):
    now = timezone.now()
    today = timezone.localdate(now)
    award = AwardFactory(user=holder, partner=partner_a, expires_at=today + timedelta(days=45))
    assert reminders.remind_expiry(now) == 2  # holder and partner admin, the 60-day reminder
    assert reminders.remind_expiry(now) == 0  # run twice, sent once
    assert reminders.remind_expiry(now + timedelta(days=1)) == 0  # still the 60-day window
    assert _sent("enablement_expiry_reminder") == {holder.pk, partner_a_admin.pk}
    mail = Notification.objects.get(template="enablement_expiry_reminder", recipient=holder)
    assert "45 days" in mail.subject
    admin_mail = Notification.objects.get(template="enablement_expiry_reminder", recipient=partner_a_admin)
    assert "Lee Park" in admin_mail.subject

    assert reminders.remind_expiry(now + timedelta(days=16)) == 2  # 29 days left: the 30-day reminder
    assert reminders.remind_expiry(now + timedelta(days=38)) == 2  # 7 days left
    assert reminders.remind_expiry(now + timedelta(days=39)) == 0
    assert Notification.objects.filter(template="enablement_expiry_reminder").count() == 6
    assert award.pk


def test_a_missed_sweep_sends_only_the_reminder_that_applies(partner_a, partner_a_admin, holder):
    now = timezone.now()
    AwardFactory(user=holder, partner=partner_a, expires_at=timezone.localdate(now) + timedelta(days=5))
    assert reminders.remind_expiry(now) == 2
    keys = list(Notification.objects.values_list("idempotency_key", flat=True))
    assert all(":7:" in key for key in keys)


def test_no_reminder_for_revoked_renewed_or_departed_holders(partner_a, holder):
    now = timezone.now()
    soon = timezone.localdate(now) + timedelta(days=20)
    AwardFactory(user=holder, partner=partner_a, expires_at=soon, revoked_at=now)
    renewed = AwardFactory(user=holder, partner=partner_a, expires_at=soon)
    successor = AwardFactory(user=holder, partner=partner_a, expires_at=soon + timedelta(days=365))
    renewed.renewed_by = successor
    renewed.save()
    gone = learner(partner_a)
    AwardFactory(user=gone, partner=partner_a, expires_at=soon)
    PartnerMembership.objects.filter(user=gone).update(is_active=False)
    assert reminders.remind_expiry(now) == 0


@pytest.fixture
def silver(partner_a):
    tier = Tier.objects.create(name="Silver", rank=2)
    TierRequirement.objects.create(tier=tier, kind=TierRequirement.Kind.CERTIFIED_PEOPLE, threshold=Decimal(2))
    partner_a.tier = tier
    partner_a.save()
    return tier


def test_expiry_tells_holder_admins_and_the_owner_when_the_tier_is_at_risk(partner_a, partner_a_admin, silver):
    owner = ChannelManagerFactory()
    partner_a.owner = owner
    partner_a.save()
    now = timezone.now()
    today = timezone.localdate(now)
    certification = CertificationFactory()
    leaving = AwardFactory(certification=certification, partner=partner_a, expires_at=today - timedelta(days=1))
    AwardFactory(certification=certification, partner=partner_a, expires_at=today + timedelta(days=300))
    sent = reminders.announce_expired(now)
    assert sent == 3  # holder, partner admin, owner
    assert _sent("enablement_expired") == {leaving.user_id, partner_a_admin.pk}
    assert _sent("enablement_tier_shortfall") == {owner.pk}
    manager_mail = Notification.objects.get(template="enablement_tier_shortfall")
    assert "now has 1 certified person (it had 2)" in manager_mail.body_text
    assert "Silver" in manager_mail.subject
    holder_mail = Notification.objects.get(template="enablement_expired", recipient=leaving.user)
    assert "Silver tier asks for 2" in holder_mail.body_text
    assert reminders.announce_expired(now) == 0
    assert reminders.announce_expired(now + timedelta(days=1)) == 0
    assert AuditEvent.objects.filter(verb="enablement.certification_expired").count() == 1


def test_no_tier_notice_when_the_partner_was_already_below(partner_a, partner_a_admin, silver):
    ChannelManagerFactory()
    today = timezone.localdate()
    AwardFactory(partner=partner_a, expires_at=today - timedelta(days=1))  # 1 of 2 before, 0 of 2 after
    reminders.announce_expired(timezone.now())
    assert Notification.objects.filter(template="enablement_expired").exists()
    assert not Notification.objects.filter(template="enablement_tier_shortfall").exists()
    assert "asks for" not in Notification.objects.filter(template="enablement_expired").first().body_text


def test_no_tier_notice_when_the_holder_stays_certified(partner_a, silver):
    ChannelManagerFactory()
    today = timezone.localdate()
    keeper = learner(partner_a)
    AwardFactory(user=keeper, partner=partner_a, expires_at=today - timedelta(days=1))
    AwardFactory(user=keeper, partner=partner_a, expires_at=today + timedelta(days=100))  # another certification
    AwardFactory(partner=partner_a, expires_at=today + timedelta(days=100))
    reminders.announce_expired(timezone.now())
    assert Notification.objects.filter(template="enablement_expired", recipient=keeper).exists()
    assert not Notification.objects.filter(template="enablement_tier_shortfall").exists()


def test_a_drop_reaches_every_channel_manager_when_nobody_owns_the_partner(partner_a, silver):
    managers = {ChannelManagerFactory().pk, ChannelManagerFactory().pk}
    today = timezone.localdate()
    for _ in range(2):
        AwardFactory(partner=partner_a, expires_at=today - timedelta(days=2))
    reminders.announce_expired(timezone.now())
    # Two expiries the same day: one notice per manager.
    assert Notification.objects.filter(template="enablement_tier_shortfall").count() == 2
    assert _sent("enablement_tier_shortfall") == managers


def test_old_expiries_are_not_announced(partner_a):
    AwardFactory(partner=partner_a, expires_at=timezone.localdate() - timedelta(days=90))
    assert reminders.announce_expired(timezone.now()) == 0


def test_idle_learners_get_one_nudge_per_idle_spell(partner_a):
    now = timezone.now()
    seller = learner(partner_a)
    course = CourseFactory(title="Demo mastery")
    enrollment = EnrollmentFactory(
        user=seller, partner=partner_a, course=course, last_activity_at=now - timedelta(days=15)
    )
    EnrollmentFactory(partner=partner_a, last_activity_at=now - timedelta(days=3))  # recent: no nudge
    EnrollmentFactory(
        partner=partner_a,
        last_activity_at=now - timedelta(days=30),
        status=Enrollment.Status.COMPLETED,
        completed_at=now - timedelta(days=30),
    )
    assert reminders.nudge_idle_learners(now) == 1
    assert reminders.nudge_idle_learners(now) == 0
    assert reminders.nudge_idle_learners(now + timedelta(days=3)) == 0
    mail = Notification.objects.get(template="enablement_nudge")
    assert mail.recipient == seller
    assert "Demo mastery" in mail.subject
    assert "15 days" in mail.body_text
    # Back at it, then idle again: another nudge.
    Enrollment.objects.filter(pk=enrollment.pk).update(last_activity_at=now + timedelta(days=1))
    reminders.nudge_idle_learners(now + timedelta(days=16))
    assert Notification.objects.filter(template="enablement_nudge", recipient=seller).count() == 2


def test_unpublished_courses_and_departed_learners_are_not_nudged(partner_a):
    now = timezone.now()
    hidden = CourseFactory(is_published=False)
    EnrollmentFactory(partner=partner_a, course=hidden, last_activity_at=now - timedelta(days=20))
    gone = MembershipFactory(partner=partner_a, is_active=False).user
    EnrollmentFactory(user=gone, partner=partner_a, last_activity_at=now - timedelta(days=20))
    assert reminders.nudge_idle_learners(now) == 0


def test_the_whole_sweep_runs_twice_without_sending_twice(partner_a, partner_a_admin, silver):
    ChannelManagerFactory()
    now = timezone.now()
    today = timezone.localdate(now)
    AwardFactory(partner=partner_a, expires_at=today + timedelta(days=7))
    AwardFactory(partner=partner_a, expires_at=today - timedelta(days=1))
    EnrollmentFactory(partner=partner_a, last_activity_at=now - timedelta(days=20))
    first = sweeps.run_all(now)
    count = Notification.objects.count()
    assert count > 0
    assert all(isinstance(v, int) for v in first.values())
    second = sweeps.run_all(now)
    assert Notification.objects.count() == count
    assert all(second[name] == 0 for name in ("enablement-expiry-reminder", "enablement-expired", "enablement-nudge"))
