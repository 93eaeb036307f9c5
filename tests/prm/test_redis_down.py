"""Redis down must not lock people out: with the cache and the broker pointed at a closed port (nothing listens on
127.0.0.1:1), signing in, pages and a form that notifies people keep working; the email of the notification stays
pending and is queued again by the requeue sweep once the broker answers."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.utils import timezone
from kombu import pools

from prm.celery import app
from prm.models import Notification
from prm.notifications import notifications_requeue, notify

DEAD = "redis://127.0.0.1:1/0"
DEAD_CACHE = {
    "default": {
        "BACKEND": "prm.cache.ResilientRedisCache",
        "LOCATION": DEAD,
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def dead_broker():
    """The real Celery app, not eager, publishing to a port where nothing listens."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}

    def fresh_pools() -> None:  # connection and producer pools are made again for the broker configured now
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.task_always_eager = False
    app.conf.broker_url = DEAD
    fresh_pools()
    try:
        yield
    finally:
        app.conf.update(saved)
        fresh_pools()


@pytest.fixture
def dead_cache():
    with override_settings(CACHES=DEAD_CACHE):  # Django drops its cache connections when CACHES changes
        yield


def test_the_cache_degrades_instead_of_failing(dead_cache):
    cache = caches["default"]
    assert cache.get("x", "fallback") == "fallback"
    cache.set("x", 1)
    assert cache.add("y", 1) is True
    assert cache.get_many(["a", "b"]) == {}
    assert cache.incr("n") == 1


def test_signing_in_and_pages_work_with_redis_down(dead_cache, partner_a_admin):
    partner_a_admin.set_password("pw-for-tests-123")
    partner_a_admin.save()
    client = Client()
    response = client.post("/accounts/login/", {"login": partner_a_admin.email, "password": "pw-for-tests-123"})
    assert response.status_code == 302  # signed in (the rate limiter could not count: it lets people in)
    assert client.get("/portal/").status_code == 200


def test_a_notification_waits_for_the_broker(db, dead_broker, partner_a_seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(key="redis-down-test", template="deal_approved", context={}, recipient=partner_a_seller)
    note.refresh_from_db()
    assert note.email_status == Notification.EmailStatus.PENDING  # in the inbox; its email waits
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert notifications_requeue() == 0  # the broker is still down: nothing queued, nothing raised
    app.conf.task_always_eager = True  # the broker is back (in tests: in-process)
    assert notifications_requeue() == 1
    note.refresh_from_db()
    assert note.email_status == Notification.EmailStatus.SENT
