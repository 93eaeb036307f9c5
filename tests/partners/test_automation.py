"""The automation around onboarding, run the way the workers run it, at crafted times (`now` is passed in):
stalled-step reminders, the second reminder and the escalation; dormancy and coming back; the weekly digest.
Every re-run sends nothing twice."""

import pytest
from django.test import Client
from django.utils import timezone

import partners.signals  # noqa: F401 -- connects the login receiver (PartnersConfig.ready() will import it)
from partners import hooks, services
from partners.models import Checklist, ChecklistStep, Partner, Program
from partners.tasks import onboarding_weekly_digest as digest_task
from prm import reminders
from prm.models import AuditEvent, Notification
from tests.factories import PASSWORD, ChannelManagerFactory, MembershipFactory, PartnerFactory
from tests.partners.factories_onboarding import (
    complete_profile,
    days,
    program_defaults,  # noqa: F401 -- a fixture
    start_onboarding,
    step_of,
)

pytestmark = pytest.mark.usefixtures("program_defaults")

Kind = ChecklistStep.Kind
Status = Partner.Status


def _stall(template: str, **filters) -> list[Notification]:
    return list(Notification.objects.filter(template=template, **filters).order_by("pk"))


@pytest.fixture
def t0():
    return timezone.now()


@pytest.fixture
def onboarding_a(partner_a, partner_a_admin, channel_manager, t0):
    start_onboarding(partner_a, owner=channel_manager, approved_at=t0)
    return partner_a


# --- Stalled steps ----------------------------------------------------------------------------------------------


def test_reminders_then_a_second_then_an_escalation_each_once(
    onboarding_a, partner_a_admin, channel_manager, t0, django_capture_on_commit_callbacks
):
    agreement = step_of(onboarding_a, Kind.AGREEMENT)
    assert reminders.run_all(t0 + days(2))["onboarding-stalled"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.run_all(t0 + days(3))["onboarding-stalled"] == 1
    first = _stall("onboarding_step_reminder")
    assert [(n.idempotency_key, n.recipient) for n in first] == [
        (f"onboarding-stall:{agreement.pk}:1:{partner_a_admin.pk}", partner_a_admin)
    ]
    assert "Accept the partner agreement" in first[0].subject
    assert "waiting for 3 days" in first[0].body_text
    assert first[0].url == "/portal/"

    assert reminders.run_all(t0 + days(3.5))["onboarding-stalled"] == 0  # same day, re-run: nothing
    assert reminders.run_all(t0 + days(7))["onboarding-stalled"] == 1
    second = _stall("onboarding_step_reminder")[-1]
    assert second.idempotency_key == f"onboarding-stall:{agreement.pk}:2:{partner_a_admin.pk}"
    assert "second reminder" in second.body_text

    assert reminders.run_all(t0 + days(10))["onboarding-stalled"] == 1
    escalation = _stall("onboarding_escalation")
    assert [n.recipient for n in escalation] == [channel_manager]
    assert escalation[0].idempotency_key == f"onboarding-stall:{agreement.pk}:esc:{channel_manager.pk}"
    assert "stuck in onboarding (10 days" in escalation[0].subject
    assert escalation[0].url == f"/manage/partners/{onboarding_a.pk}/"

    for later in (10.5, 11, 30):
        assert reminders.run_all(t0 + days(later))["onboarding-stalled"] == 0
    assert Notification.objects.filter(template__startswith="onboarding_").count() == 3


def test_a_late_sweep_sends_only_the_latest_reminder(onboarding_a, partner_a_admin, t0):
    assert services.onboarding_remind_stalled(now=t0 + days(8)) == 1
    assert [n.idempotency_key.split(":")[2] for n in _stall("onboarding_step_reminder")] == ["2"]


def test_the_clock_restarts_when_the_previous_step_is_done(partner_a, partner_a_admin, t0):
    start_onboarding(partner_a, approved_at=t0 - days(20))
    services.agreement_accept(actor=partner_a_admin, partner=partner_a, signer_name="Anna")  # done now
    assert services.onboarding_remind_stalled(now=t0 + days(2)) == 0  # the profile step waits since today
    assert services.onboarding_remind_stalled(now=timezone.now() + days(3)) == 1
    assert _stall("onboarding_step_reminder")[0].idempotency_key.startswith(
        f"onboarding-stall:{step_of(partner_a, Kind.PROFILE).pk}:1:"
    )


def test_without_an_owner_every_channel_manager_hears_of_the_escalation(partner_a, partner_a_admin, t0):
    managers = {ChannelManagerFactory(), ChannelManagerFactory()}
    start_onboarding(partner_a, owner=None, approved_at=t0)
    services.onboarding_remind_stalled(now=t0 + days(10))
    assert {n.recipient for n in _stall("onboarding_escalation")} == managers
    assert "has no owner yet" in _stall("onboarding_escalation")[0].body_text


def test_a_partner_without_admins_gets_no_reminder_but_the_owner_is_told(partner_a, channel_manager, t0):
    start_onboarding(partner_a, owner=channel_manager, approved_at=t0)
    assert services.onboarding_remind_stalled(now=t0 + days(10)) == 1
    assert not _stall("onboarding_step_reminder")
    assert "Nobody from Northwind Solutions has joined as an admin" in _stall("onboarding_escalation")[0].body_text


def test_a_step_waiting_for_an_app_is_escalated_not_reminded(partner_a, partner_a_admin, channel_manager, t0):
    saved = dict(hooks._DETECTORS)
    hooks._DETECTORS.clear()
    try:
        checklist = Checklist.objects.create(name="ISVs", partner_type=Partner.Type.ISV)
        ChecklistStep.objects.create(checklist=checklist, order=1, kind=Kind.FIRST_DEAL, title="First deal")
        partner_a.type = Partner.Type.ISV
        start_onboarding(partner_a, owner=channel_manager, approved_at=t0)
        assert services.onboarding_remind_stalled(now=t0 + days(10)) == 1
        assert not _stall("onboarding_step_reminder")
        assert "mark it done" in _stall("onboarding_escalation")[0].body_text
    finally:
        hooks._DETECTORS.clear()
        hooks._DETECTORS.update(saved)


def test_manual_step_reminder_says_who_ticks_it(onboarding_a, partner_a_admin, t0):
    services.agreement_accept(actor=partner_a_admin, partner=onboarding_a, signer_name="Anna")
    complete_profile(onboarding_a)
    MembershipFactory(partner=onboarding_a)
    services.onboarding_refresh(partner=onboarding_a)
    assert services.onboarding_remind_stalled(now=t0 + days(4)) == 1
    reminder = _stall("onboarding_step_reminder")[0]
    assert "Kick-off call" in reminder.subject
    assert "Your channel manager, Maya Chen (maya@startup.example.com), ticks this step" in reminder.body_text


def test_a_setting_of_zero_turns_a_message_off(onboarding_a, t0):
    Program.objects.filter(pk=1).update(stall_days=0, second_reminder_days=0, escalation_days=0)
    assert services.onboarding_remind_stalled(now=t0 + days(60)) == 0


# --- Dormancy ---------------------------------------------------------------------------------------------------


def test_inactive_partners_become_dormant_once_and_the_owner_is_told(
    partner_a, partner_b, channel_manager, django_capture_on_commit_callbacks
):
    now = timezone.now()
    Partner.objects.filter(pk=partner_a.pk).update(owner=channel_manager, last_activity_at=now - days(91))
    Partner.objects.filter(pk=partner_b.pk).update(last_activity_at=now - days(89))

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.run_all(now)["partners-dormant"] == 1
    partner_a.refresh_from_db()
    partner_b.refresh_from_db()
    assert partner_a.status == Status.DORMANT
    assert partner_a.status_changed_at == now
    assert partner_b.status == Status.ACTIVE
    event = AuditEvent.objects.get(verb="partner.dormant")
    assert event.partner == partner_a
    assert event.actor is None
    assert "No activity for 91 days" in event.reason
    told = _stall("partner_dormant")
    assert [n.recipient for n in told] == [channel_manager]
    assert "Northwind Solutions is now dormant" in told[0].subject

    assert reminders.run_all(now)["partners-dormant"] == 0
    assert reminders.run_all(now + days(1))["partners-dormant"] == 0
    assert len(_stall("partner_dormant")) == 1


def test_dormancy_counts_from_activation_without_activity(partner_a):
    now = timezone.now()
    Partner.objects.filter(pk=partner_a.pk).update(activated_at=now - days(100), last_activity_at=None)
    onboarding = PartnerFactory(status=Status.ONBOARDING)
    Partner.objects.filter(pk=onboarding.pk).update(created_at=now - days(200))
    assert services.partners_mark_dormant(now=now) == 1
    onboarding.refresh_from_db()
    assert onboarding.status == Status.ONBOARDING  # only active partners go dormant

    Program.objects.filter(pk=1).update(dormancy_days=0)
    fresh = PartnerFactory()
    Partner.objects.filter(pk=fresh.pk).update(activated_at=now - days(400))
    assert services.partners_mark_dormant(now=now) == 0


def test_activity_brings_a_dormant_partner_back(partner_a, channel_manager):
    now = timezone.now()
    Partner.objects.filter(pk=partner_a.pk).update(owner=channel_manager, last_activity_at=now - days(120))
    services.partners_mark_dormant(now=now)
    partner_a.refresh_from_db()

    assert services.partner_record_activity(partner=partner_a) is True
    partner_a.refresh_from_db()
    assert partner_a.status == Status.ACTIVE
    assert AuditEvent.objects.filter(verb="partner.reactivated", partner=partner_a).count() == 1
    back = _stall("partner_activated")
    assert [n.recipient for n in back] == [channel_manager]
    assert "is active again" in back[0].subject


def test_activity_is_written_at_most_once_an_hour(partner_a, django_assert_num_queries):
    now = timezone.now()
    assert services.partner_record_activity(partner=partner_a, when=now) is True
    with django_assert_num_queries(0):
        assert services.partner_record_activity(partner=partner_a, when=now + days(1 / 48)) is False
    assert services.partner_record_activity(partner=partner_a, when=now + days(1 / 12)) is True
    partner_a.refresh_from_db()
    assert partner_a.last_activity_at == now + days(1 / 12)


def test_signing_in_records_activity_and_wakes_a_dormant_partner(partner_a, partner_a_admin):
    Partner.objects.filter(pk=partner_a.pk).update(status=Status.DORMANT, last_activity_at=None)
    assert Client().login(email=partner_a_admin.email, password=PASSWORD)
    partner_a.refresh_from_db()
    assert partner_a.status == Status.ACTIVE
    assert partner_a.last_activity_at is not None


def test_staff_signing_in_records_nothing(channel_manager):
    assert Client().login(email=channel_manager.email, password=PASSWORD)
    assert not Partner.objects.filter(last_activity_at__isnull=False).exists()


# --- Weekly digest ----------------------------------------------------------------------------------------------


def test_weekly_digest_once_per_manager_per_week(partner_a, channel_manager, t0, django_capture_on_commit_callbacks):
    local = timezone.localtime(t0)
    monday = (local + days(7 - local.weekday())).replace(hour=7, minute=30)  # when beat sends it
    other_manager = ChannelManagerFactory()
    start_onboarding(partner_a, owner=channel_manager, approved_at=monday - days(2))
    start_onboarding(PartnerFactory(name="Fabrikam"), approved_at=monday - days(8))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.onboarding_weekly_digest(now=monday) == 2
    digests = _stall("onboarding_digest")
    assert {n.recipient for n in digests} == {channel_manager, other_manager}
    year, week, _ = timezone.localtime(monday).isocalendar()
    mine = next(n for n in digests if n.recipient == channel_manager)
    assert mine.idempotency_key == f"onboarding-digest:{channel_manager.pk}:{year}-W{week:02d}"
    assert mine.subject == "Onboarding this week: 2 partners, 1 stalled"
    text = mine.body_text
    assert text.index("Fabrikam") < text.index("Northwind")  # the longest waiting first
    assert "Fabrikam: Accept the partner agreement, waiting 8 days (0 of 4 done), stalled" in text
    assert "Northwind Solutions (yours): Accept the partner agreement, waiting 2 days (0 of 4 done)\n" in text
    assert mine.url == "/manage/partners/?status=onboarding"

    assert services.onboarding_weekly_digest(now=monday + days(6)) == 0  # same ISO week
    assert services.onboarding_weekly_digest(now=monday + days(7)) == 2  # next week


def test_no_digest_when_nobody_is_onboarding(partner_a, channel_manager):
    assert services.onboarding_weekly_digest(now=timezone.now()) == 0
    assert digest_task() == 0  # the beat task calls the same service
    assert not _stall("onboarding_digest")


def test_the_digest_task_sends_this_weeks_digest(onboarding_a, channel_manager):
    assert digest_task() == 1
    assert digest_task() == 0


def test_sweeps_are_registered():
    assert {"invitation-expiring", "onboarding-stalled", "partners-dormant"} <= set(reminders.registered())
