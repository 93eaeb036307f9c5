"""The daily reminders sweep: the inviter hears once about an invitation about to expire unaccepted."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partners import services
from partners.models import Invitation
from prm import reminders
from prm.models import Notification
from prm.tasks import reminders_sweep

SWEEP = "invitation-expiring"


def invite(actor, partner, email, *, expires_in: timedelta) -> Invitation:
    invitation, _ = services.invitation_create(actor=actor, partner=partner, email=email, role="sales")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + expires_in)
    return invitation


def test_the_partners_app_registers_its_sweep():
    assert SWEEP in reminders.registered()


def test_inviter_is_reminded_once_about_an_invitation_expiring_soon(
    partner_a, partner_a_admin, django_capture_on_commit_callbacks
):
    soon = invite(partner_a_admin, partner_a, "soon@example.com", expires_in=timedelta(days=1))
    invite(partner_a_admin, partner_a, "later@example.com", expires_in=timedelta(days=5))
    invite(partner_a_admin, partner_a, "gone@example.com", expires_in=-timedelta(hours=1))
    accepted = invite(partner_a_admin, partner_a, "took@example.com", expires_in=timedelta(days=1))
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now())
    revoked = invite(partner_a_admin, partner_a, "nope@example.com", expires_in=timedelta(days=1))
    Invitation.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.run_all(timezone.now())
    assert first[SWEEP] == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [partner_a_admin.email]
    assert message.subject == "[prm] Your invitation to soon@example.com expires soon"
    assert "/portal/team/" in message.body
    reminder = Notification.objects.get(template="invitation_expiring")
    assert reminder.recipient == partner_a_admin
    assert reminder.idempotency_key == f"invitation-expiring:{soon.pk}"
    assert reminder.url == "/portal/team/"

    with django_capture_on_commit_callbacks(execute=True):
        second = reminders.run_all(timezone.now())
    assert second[SWEEP] == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(template="invitation_expiring").count() == 1


def test_the_celery_task_runs_the_sweep(channel_manager, partner_a, django_capture_on_commit_callbacks):
    invite(channel_manager, partner_a, "soon@example.com", expires_in=timedelta(hours=30))
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep.apply()
        reminders_sweep.apply()
    assert [m.to for m in mail.outbox] == [[channel_manager.email]]
    # A channel manager's reminder links to the partner's page in the manager app.
    assert Notification.objects.get(template="invitation_expiring").url == f"/manage/partners/{partner_a.pk}/"


def test_no_reminder_when_the_inviter_is_gone(partner_a, partner_a_admin, django_capture_on_commit_callbacks):
    invite(partner_a_admin, partner_a, "soon@example.com", expires_in=timedelta(days=1))
    partner_a_admin.is_active = False
    partner_a_admin.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.run_all(timezone.now())[SWEEP] == 0
    assert mail.outbox == []


def test_one_broken_sweep_does_not_stop_the_others(db, monkeypatch):
    calls = []

    def broken(now):
        raise RuntimeError("boom")

    def working(now):
        calls.append(now)
        return 3

    monkeypatch.setattr(reminders, "_SWEEPS", {"broken": broken, "working": working})
    now = timezone.now()
    assert reminders.run_all(now) == {"broken": "failed: boom", "working": 3}
    assert calls == [now]


@pytest.mark.parametrize("hours_left", [47, 1])
def test_reminder_window_is_two_days(partner_a, partner_a_admin, hours_left, django_capture_on_commit_callbacks):
    invite(partner_a_admin, partner_a, "soon@example.com", expires_in=timedelta(hours=hours_left))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.run_all(timezone.now())[SWEEP] == 1
    assert len(mail.outbox) == 1
