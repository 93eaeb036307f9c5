"""With a real broker (REDIS_URL, as on PostgreSQL in CI): a committed approval is fanned out, queued to Redis and
posted by a real Celery worker. Without REDIS_URL tasks run eagerly (tests/settings.py) and this is skipped."""

from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections

from dealreg.services import registration_approve
from prm.celery import app
from tests.dealreg.factories_registrations import SubmittedRegistrationFactory
from tests.prm.test_celery_roundtrip import wait_for
from webhooks import services
from webhooks.models import WebhookDelivery

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real broker"),
    pytest.mark.django_db(transaction=True),  # the worker thread must see committed rows
]


def _close_worker_connections(**kwargs) -> None:
    connections.close_all()


@pytest.fixture
def worker():
    saved = {key: app.conf[key] for key in ("task_always_eager", "worker_hijack_root_logger")}
    app.conf.task_always_eager = False
    app.conf.worker_hijack_root_logger = False
    app.control.purge()
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=20):
            yield
    finally:
        task_postrun.disconnect(_close_worker_connections)
        app.conf.update(saved)


def test_a_worker_delivers_a_committed_approval(worker, receiver, program_admin, channel_manager, partner_a):
    endpoint = services.endpoint_create(
        actor=program_admin, data={"url": receiver.url, "events": ["registration.approved"]}
    )
    registration = SubmittedRegistrationFactory(partner=partner_a, value=Decimal("48000"), currency="EUR")
    registration_approve(actor=channel_manager, registration=registration)  # commits: the fan-out runs

    assert wait_for(lambda: len(receiver.requests) == 1), "the worker posted nothing within 20 s"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == WebhookDelivery.Status.SUCCEEDED)
    body = receiver.requests[0].json
    assert body["id"] == str(delivery.event_id)
    assert body["data"]["value"] == {"amount": "48000.00", "currency": "EUR"}
