"""notify() and its email task: once per key, sent once even if the task runs twice, retried when the mail
server fails, and re-queued from the admin."""

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings

from prm.models import Notification
from prm.notifications import notification_send_email, notify
from prm.tasks import send_notification_email
from tests.factories import UserFactory

FAILING = "tests.prm.test_notifications.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that is down: every send raises, and each attempt is counted."""

    attempts = 0

    def send_messages(self, email_messages):
        type(self).attempts += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def _reset_failing_backend():
    FailingBackend.attempts = 0


@pytest.fixture
def member(partner_a_seller):
    return partner_a_seller


def notify_joined(member, partner, *, key="joined:1", **kwargs) -> Notification:
    """A real notification (the 'someone joined' one) addressed to `member`."""
    newcomer = UserFactory.build(first_name="Rosa", last_name="Diaz", email="rosa@northwind.example.com")
    return notify(
        key=key,
        template="invitation_accepted",
        recipient=member,
        partner=partner,
        url="/portal/team/",
        context={"member": newcomer, "partner": partner, "role": "Sales"},
        **kwargs,
    )


def test_notify_renders_the_templates(member, partner_a):
    notification = notify_joined(member, partner_a, send_email=False)
    assert notification.subject == "Rosa Diaz joined Northwind Solutions"
    assert "rosa@northwind.example.com" in notification.body_text
    assert "as sales" in notification.body_text
    assert "<strong>Rosa Diaz</strong>" in notification.body_html
    assert notification.email == member.email
    assert notification.email_status == Notification.EmailStatus.SKIPPED


def test_notify_twice_with_the_same_key_makes_one_row_and_one_email(
    member, partner_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify_joined(member, partner_a)
        second = notify_joined(member, partner_a)
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert message.subject == "[prm] Rosa Diaz joined Northwind Solutions"
    assert message.alternatives[0][1] == "text/html"
    first.refresh_from_db()
    assert first.email_status == Notification.EmailStatus.SENT
    assert first.email_attempts == 1
    assert first.email_sent_at is not None


def test_email_is_queued_only_when_the_transaction_commits(member, partner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify_joined(member, partner_a)
    assert len(callbacks) == 1
    assert mail.outbox == []  # nothing sent before the commit
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.PENDING


def test_notify_without_email_is_not_emailed(member, partner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify_joined(member, partner_a, send_email=False)
    assert callbacks == []
    assert mail.outbox == []


def test_notify_needs_someone_to_tell(partner_a):
    with pytest.raises(ValueError, match="needs a recipient or an email"):
        notify(key="x", template="invitation_accepted", context={}, partner=partner_a)
    assert not Notification.objects.exists()


def test_running_the_task_twice_sends_once(member, partner_a):
    notification = notify_joined(member, partner_a)  # not committed: the email is not queued yet
    first = send_notification_email.apply(args=[notification.pk])
    second = send_notification_email.apply(args=[notification.pk])
    assert first.get() is True
    assert second.get() is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert notification.email_attempts == 1


def test_the_service_sends_once_and_ignores_unknown_ids(member, partner_a):
    notification = notify_joined(member, partner_a)
    assert notification_send_email(notification_id=notification.pk) is True
    assert notification_send_email(notification_id=notification.pk) is False
    assert notification_send_email(notification_id=987654) is False
    assert len(mail.outbox) == 1


def test_a_skipped_notification_is_never_emailed_by_the_task(member, partner_a):
    notification = notify_joined(member, partner_a, send_email=False)
    assert send_notification_email.apply(args=[notification.pk]).get() is False
    assert mail.outbox == []


@override_settings(EMAIL_BACKEND=FAILING)
def test_failing_mail_server_marks_failed_and_the_task_retries_with_backoff(member, partner_a, caplog):
    notification = notify_joined(member, partner_a)
    with caplog.at_level(logging.WARNING, logger="prm.tasks"):
        result = send_notification_email.apply(args=[notification.pk])

    assert result.get() is False  # gave up after the last retry, without crashing the worker
    # The first try plus five retries (eager mode runs the retries straight away).
    assert FailingBackend.attempts == 6
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.FAILED
    assert notification.email_attempts == 6
    assert notification.email_last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert notification.email_sent_at is None
    waits = [r.getMessage().rsplit("retry in ", 1)[1] for r in caplog.records if "retry in" in r.getMessage()]
    assert waits == ["60s", "120s", "240s", "480s", "960s"]
    assert "giving up after 6 tries" in caplog.records[-1].getMessage()
    assert mail.outbox == []


@override_settings(EMAIL_BACKEND=FAILING)
def test_the_service_raises_for_the_task_to_retry(member, partner_a):
    notification = notify_joined(member, partner_a)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notification_send_email(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.FAILED
    assert notification.email_attempts == 1


def test_failed_email_is_resent_from_the_admin(member, partner_a, django_capture_on_commit_callbacks):
    with override_settings(EMAIL_BACKEND=FAILING):
        failed = notify_joined(member, partner_a, key="joined:failed")
        send_notification_email.apply(args=[failed.pk])
    sent = notify_joined(member, partner_a, key="joined:sent")
    send_notification_email.apply(args=[sent.pk])
    assert len(mail.outbox) == 1
    failed.refresh_from_db()
    assert failed.email_status == Notification.EmailStatus.FAILED

    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    changelist = client.get("/admin/prm/notification/?email_status__exact=failed")
    assert changelist.status_code == 200
    assert "Rosa Diaz joined Northwind Solutions" in changelist.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/prm/notification/",
            {"action": "resend_failed", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "1 email(s) queued again." in response.content.decode()  # the sent one is not sent again
    failed.refresh_from_db()
    assert failed.email_status == Notification.EmailStatus.SENT
    assert failed.email_attempts == 7
    assert failed.email_last_error == ""
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == [member.email]


def test_notifications_cannot_be_added_in_the_admin(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/prm/notification/add/").status_code == 403
