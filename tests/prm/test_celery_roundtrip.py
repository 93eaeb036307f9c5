"""A real Celery worker consuming from Redis: a queued email task is picked up and the notification ends `sent`.

Only with REDIS_URL (CI and the compose stack); on a bare laptop tasks run eagerly and this is skipped.
Task results are ignored (CELERY_TASK_IGNORE_RESULT), so outcomes are checked in the database, and that a task
ran at all with the worker's `task_postrun` signal."""

import time
from collections.abc import Callable, Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import connections

from prm.celery import app
from prm.models import Notification
from prm.notifications import notify
from prm.tasks import ping, send_notification_email

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real broker"),
    pytest.mark.django_db(transaction=True),  # the worker thread must see committed rows
]


def _close_worker_connections(**kwargs) -> None:
    # Tasks run in the worker's thread, which opens its own database connection; close it after each task
    # so the test database can be flushed (and dropped) without "database is being accessed by other users".
    connections.close_all()


@pytest.fixture
def worker() -> Iterator[None]:
    saved = {key: app.conf[key] for key in ("task_always_eager", "worker_hijack_root_logger")}
    app.conf.task_always_eager = False
    app.conf.worker_hijack_root_logger = False  # leave pytest's log capture alone
    app.control.purge()  # forget messages left over from an interrupted run
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=20):
            yield
    finally:
        task_postrun.disconnect(_close_worker_connections)
        app.conf.update(saved)


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_worker_sends_a_queued_notification_email(worker, partner_a_seller):
    ran: list[str] = []
    task_postrun.connect(lambda sender=None, **kw: ran.append(sender.name), weak=False, dispatch_uid="ran")
    try:
        # Committed straight away (no surrounding transaction), so notify() queues the email to Redis at once.
        notification = notify(
            key="roundtrip:1",
            template="invitation_accepted",
            recipient=partner_a_seller,
            context={"member": partner_a_seller, "partner": partner_a_seller.membership.partner, "role": "Sales"},
        )

        def sent() -> bool:
            notification.refresh_from_db()
            return notification.email_status == Notification.EmailStatus.SENT

        assert wait_for(sent), f"still {notification.email_status} after 20 s"
        assert notification.email_attempts == 1
        assert notification.email_sent_at is not None
        assert [m.to for m in mail.outbox] == [[partner_a_seller.email]]  # the worker thread shares locmem's outbox

        # Delivered again (say, redelivered after a worker crash): still one email.
        send_notification_email.delay(notification.pk)
        ping.delay()  # same queue, one worker: once ping has run, the duplicate has been handled
        assert wait_for(lambda: "prm.tasks.ping" in ran)
    finally:
        task_postrun.disconnect(dispatch_uid="ran")
    assert ran.count("prm.tasks.send_notification_email") == 2
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert notification.email_attempts == 1


def test_ping_reaches_the_worker(worker):
    ran = []

    def record(sender=None, task_id=None, retval=None, **kwargs) -> None:
        ran.append((sender.name, retval))

    task_postrun.connect(record, weak=False)
    try:
        ping.delay()
        assert wait_for(lambda: ("prm.tasks.ping", "pong") in ran)
    finally:
        task_postrun.disconnect(record)
