"""Webhooks end to end against a real HTTP receiver: an audit event becomes a signed POST; failures are retried with
backoff for 24 hours, then given up; an endpoint failing for a day is turned off and its owner told; private
addresses are refused; endpoints get only what they subscribe to; a redelivery keeps the event id."""

import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from dealreg.models import Registration
from dealreg.services import registration_approve
from prm.audit import audit_record
from prm.models import AuditEvent, Notification
from tests.dealreg.factories_registrations import SubmittedRegistrationFactory
from webhooks import http, services
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

Status = WebhookDelivery.Status


def _endpoint(actor, url, events=()):
    return services.endpoint_create(actor=actor, data={"url": url, "events": list(events), "description": "CRM"})


def _approve(partner, manager, capture, **fields):
    registration = SubmittedRegistrationFactory(
        partner=partner, name="Acme rollout", value=Decimal("48000"), currency="EUR", **fields
    )
    with capture(execute=True):
        registration_approve(actor=manager, registration=registration)
    return registration


def _expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_an_approval_reaches_the_receiver_signed(
    receiver, program_admin, channel_manager, partner_a, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(program_admin, receiver.url, ["registration.approved"])
    registration = _approve(partner_a, channel_manager, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    assert got.path == "/hooks/prm"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-PRM-Event"] == "registration.approved"
    # The signature verifies with the endpoint's secret, over "{timestamp}.{body}" exactly as received.
    timestamp = got.headers["X-PRM-Timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    assert got.headers["X-PRM-Signature"] == _expected_signature(endpoint.secret, timestamp, got.body)
    assert got.headers["X-PRM-Signature"] != _expected_signature("whsec_wrong", timestamp, got.body)

    body = got.json
    assert set(body) == {"id", "type", "created_at", "data"}
    assert body["type"] == "registration.approved"
    assert got.headers["X-PRM-Delivery"] == body["id"]
    event = AuditEvent.objects.get(verb="deal.approved", target_id=str(registration.pk))
    assert body["created_at"] == event.created_at.isoformat()
    data = body["data"]
    assert data["id"] == registration.pk
    assert data["type"] == "deal_registration"
    assert data["status"] == "approved"
    assert data["name"] == "Acme rollout"
    assert data["partner"] == {"id": partner_a.pk, "name": "Northwind Solutions"}
    assert data["value"] == {"amount": "48000.00", "currency": "EUR"}
    registration.refresh_from_db()
    # As the API writes times (ISO 8601 to the millisecond, "Z" for UTC).
    assert data["protected_until"] == DjangoJSONEncoder().default(registration.protected_until)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert str(delivery.event_id) == body["id"]
    assert (delivery.status, delivery.attempts, delivery.response_code) == (Status.SUCCEEDED, 1, 200)
    assert delivery.response_excerpt == '{"ok": true}'
    assert 0 <= delivery.latency_ms < 10_000
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert (attempt.number, attempt.succeeded, attempt.response_code, attempt.manual) == (1, True, 200, False)


@pytest.mark.django_db
def test_a_failing_receiver_is_retried_with_backoff_then_given_up(
    receiver, program_admin, channel_manager, partner_a, django_capture_on_commit_callbacks
):
    receiver.status = 500
    receiver.answer = b"Internal Server Error: database unavailable"
    endpoint = _endpoint(program_admin, receiver.url, ["registration.approved"])
    _approve(partner_a, channel_manager, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    first = delivery.first_attempt_at
    assert (delivery.status, delivery.attempts, delivery.response_code) == (Status.FAILED, 1, 500)
    assert delivery.next_attempt_at == first + timedelta(minutes=1)
    assert delivery.error == "The receiver answered 500."
    assert delivery.response_excerpt == "Internal Server Error: database unavailable"

    # Not due yet: nothing happens.
    assert services.delivery_attempt(delivery_id=delivery.pk, now=first + timedelta(seconds=30)) is None
    # 1 minute, then 2, then 4: each wait doubles.
    for at, wait in ((1, 2), (3, 4), (7, 8)):
        services.delivery_attempt(delivery_id=delivery.pk, now=first + timedelta(minutes=at))
        delivery.refresh_from_db()
        assert delivery.status == Status.FAILED
        assert delivery.next_attempt_at == first + timedelta(minutes=at + wait)
    assert delivery.attempts == 4
    # Past the 24-hour window: the last attempt gives up.
    services.delivery_attempt(delivery_id=delivery.pk, now=first + timedelta(hours=24))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Status.GAVE_UP, 5, None)
    assert services.delivery_attempt(delivery_id=delivery.pk, now=first + timedelta(hours=25)) is None

    # Every attempt hit the receiver with the same event id, and the log shows each one.
    assert len(receiver.requests) == 5
    assert {r.headers["X-PRM-Delivery"] for r in receiver.requests} == {str(delivery.event_id)}
    assert {r.json["id"] for r in receiver.requests} == {str(delivery.event_id)}
    log = list(WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "response_code", "started_at"))
    assert [(n, c) for n, c, _ in log] == [(1, 500), (2, 500), (3, 500), (4, 500), (5, 500)]
    assert [at - first for _, _, at in log[1:]] == [
        timedelta(minutes=1),
        timedelta(minutes=3),
        timedelta(minutes=7),
        timedelta(hours=24),
    ]
    endpoint.refresh_from_db()
    assert endpoint.is_active  # 5 failures: not enough to turn it off
    assert endpoint.failure_count == 5


def test_the_backoff_doubles_up_to_an_hour():
    waits = [services.retry_delay(n) for n in range(1, 10)]
    assert [int(w.total_seconds() // 60) for w in waits] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


@pytest.mark.django_db
def test_an_endpoint_failing_for_a_day_is_turned_off_and_its_owner_told(receiver, program_admin, channel_manager):
    receiver.status = 503
    owner = channel_manager
    endpoint = _endpoint(owner, receiver.url)
    delivery = services.endpoint_send_test(actor=owner, endpoint=endpoint)
    start = timezone.now()
    now = start
    while True:
        services.delivery_attempt(delivery_id=delivery.pk, now=now)
        delivery.refresh_from_db()
        if delivery.status != Status.FAILED:
            break
        now = delivery.next_attempt_at

    # 1, 2, 4, 8, 16, 32 minutes, then hourly from minute 63 … 1383, and a last attempt at exactly 24 hours.
    minutes = [int((a.started_at - start).total_seconds() // 60) for a in delivery.attempt_log.all()]
    assert minutes == [0, 1, 3, 7, 15, 31, 63, *range(123, 1384, 60), 1440]
    assert len(minutes) == 30
    assert delivery.status == Status.GAVE_UP

    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert endpoint.failure_count == 30
    assert endpoint.disabled_reason == (
        "30 attempts in a row failed and nothing was delivered for 24 hours (last: The receiver answered 503.)."
    )
    told = Notification.objects.filter(template="webhook_disabled").order_by("recipient__email")
    assert [n.recipient for n in told] == [owner, program_admin]  # maya@…, priya@…
    assert told[0].subject == "Webhook endpoint turned off: CRM"
    assert endpoint.url in told[0].body_text
    assert told[0].url == f"/manage/webhooks/{endpoint.pk}/"
    event = AuditEvent.objects.get(verb="webhooks.endpoint_disabled")
    assert event.actor is None
    assert event.reason == endpoint.disabled_reason

    # A disabled endpoint gets nothing more.
    other = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="webhook.test", payload={"id": "x"}, next_attempt_at=now
    )
    assert services.delivery_attempt(delivery_id=other.pk, now=now) is None
    other.refresh_from_db()
    assert (other.status, other.attempts) == (Status.GAVE_UP, 0)
    assert len(receiver.requests) == 30


@pytest.mark.django_db
def test_a_burst_of_failures_does_not_turn_an_endpoint_off(receiver, program_admin):
    receiver.status = 502
    endpoint = _endpoint(program_admin, receiver.url)
    deliveries = [services.endpoint_send_test(actor=program_admin, endpoint=endpoint) for _ in range(12)]
    now = timezone.now()
    for delivery in deliveries:
        services.delivery_attempt(delivery_id=delivery.pk, now=now)
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.failure_count == 12
    # One success clears the count.
    receiver.status = 204
    services.delivery_attempt(delivery_id=deliveries[0].pk, now=now + timedelta(minutes=1))
    endpoint.refresh_from_db()
    assert (endpoint.failure_count, endpoint.failing_since) == (0, None)


@pytest.mark.django_db
def test_private_addresses_are_refused_without_the_setting(settings, program_admin):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    for url in (
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
    ):
        with pytest.raises(http.UnsafeURL, match="private, loopback or reserved"):
            http.check_url(url)
    http.check_url("https://93.184.216.34/hook")  # a public address passes
    with pytest.raises(http.UnsafeURL, match="http:// or https://"):
        http.check_url("ftp://93.184.216.34/hook")

    with pytest.raises(Exception, match="private, loopback or reserved"):
        _endpoint(program_admin, "http://127.0.0.1:9/hook")
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_an_endpoint_that_became_private_fails_with_a_clear_error(receiver, settings, program_admin):
    endpoint = _endpoint(program_admin, receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    delivery = services.endpoint_send_test(actor=program_admin, endpoint=endpoint)
    now = timezone.now()
    services.delivery_attempt(delivery_id=delivery.pk, now=now)
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert delivery.error.startswith("Refused: “127.0.0.1” points to 127.0.0.1, a private, loopback or reserved")
    assert delivery.response_code is None
    assert receiver.requests == []


@pytest.mark.django_db
def test_endpoints_get_only_the_events_they_subscribe_to(
    receiver,
    second_receiver,
    third_receiver,
    program_admin,
    channel_manager,
    partner_a,
    django_capture_on_commit_callbacks,
):
    tiers_only = _endpoint(program_admin, receiver.url, ["partner.tier_changed"])
    approvals = _endpoint(program_admin, second_receiver.url, ["registration.approved", "registration.won"])
    everything = _endpoint(program_admin, third_receiver.url)
    _approve(partner_a, channel_manager, django_capture_on_commit_callbacks)

    assert receiver.requests == []
    assert not WebhookDelivery.objects.filter(endpoint=tiers_only).exists()
    assert [r.headers["X-PRM-Event"] for r in second_receiver.requests] == ["registration.approved"]
    assert [r.headers["X-PRM-Event"] for r in third_receiver.requests] == ["registration.approved"]
    # One event, one id, whichever endpoint receives it.
    assert second_receiver.requests[0].json["id"] == third_receiver.requests[0].json["id"]
    assert WebhookDelivery.objects.filter(endpoint=approvals).count() == 1
    assert WebhookDelivery.objects.filter(endpoint=everything).count() == 1

    # Fanning the same audit event out again creates nothing more (the sweep or a retry of the fan-out is safe).
    event = AuditEvent.objects.get(verb="deal.approved")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.webhooks_fanout(event=event) == []
    assert WebhookDelivery.objects.count() == 2
    assert len(second_receiver.requests) == 1


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(receiver, program_admin, partner_a, django_capture_on_commit_callbacks):
    _endpoint(program_admin, receiver.url)
    registration = SubmittedRegistrationFactory(partner=partner_a)

    def failing_service():
        with transaction.atomic():
            audit_record(actor=None, verb="deal.approved", target=registration, partner=partner_a)
            raise RuntimeError("the service failed after recording")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_service()
    assert callbacks == []
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


@pytest.mark.django_db
def test_an_endpoint_added_later_gets_no_earlier_events(receiver, program_admin, partner_a):
    registration = SubmittedRegistrationFactory(partner=partner_a)
    event = audit_record(actor=None, verb="deal.approved", target=registration, partner=partner_a)
    AuditEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - timedelta(minutes=5))
    event.refresh_from_db()
    _endpoint(program_admin, receiver.url)
    assert services.webhooks_fanout(event=event) == []


@pytest.mark.django_db
def test_redeliver_makes_a_new_attempt_with_the_same_event_id(
    receiver, program_admin, program_admin_client, channel_manager, partner_a, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(program_admin, receiver.url, ["registration.approved"])
    _approve(partner_a, channel_manager, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == Status.SUCCEEDED

    with django_capture_on_commit_callbacks(execute=True):
        response = program_admin_client.post(f"/manage/webhooks/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 302
    assert response["Location"] == f"/manage/webhooks/deliveries/{delivery.pk}/"

    assert len(receiver.requests) == 2
    first, again = receiver.requests
    assert first.headers["X-PRM-Delivery"] == again.headers["X-PRM-Delivery"] == str(delivery.event_id)
    assert first.body == again.body  # the same event, byte for byte
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.manual) == (Status.SUCCEEDED, 2, False)
    log = list(delivery.attempt_log.values_list("number", "manual", "succeeded"))
    assert log == [(1, False, True), (2, True, True)]
    assert WebhookDelivery.objects.count() == 1
    assert AuditEvent.objects.filter(verb="webhooks.delivery_redelivered", actor=program_admin).count() == 1

    page = program_admin_client.get(f"/manage/webhooks/deliveries/{delivery.pk}/").content.decode()
    assert "(redeliver)" in page
    assert str(delivery.event_id) in page


@pytest.mark.django_db
def test_the_sweep_sends_what_the_broker_lost(receiver, program_admin):
    endpoint = _endpoint(program_admin, receiver.url)
    now = timezone.now()
    event_id = uuid.uuid4()
    lost = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=event_id,
        event_type="registration.won",
        payload={"id": str(event_id), "type": "registration.won", "created_at": now.isoformat(), "data": {}},
        next_attempt_at=now - timedelta(minutes=5),
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type="registration.lost",
        payload={},
        next_attempt_at=now + timedelta(minutes=5),  # not due
    )
    assert services.deliveries_requeue(now=now) == 1
    lost.refresh_from_db()
    assert lost.status == Status.SUCCEEDED
    assert [json.loads(r.body)["id"] for r in receiver.requests] == [str(event_id)]


@pytest.mark.django_db
def test_registration_status_in_the_payload_is_the_current_one(
    receiver, program_admin, channel_manager, partner_a, django_capture_on_commit_callbacks
):
    """The payload is built when the change commits: the approval's event shows the approved registration."""
    _endpoint(program_admin, receiver.url, ["registration.approved"])
    registration = _approve(partner_a, channel_manager, django_capture_on_commit_callbacks)
    assert Registration.objects.get(pk=registration.pk).status == "approved"
    assert receiver.requests[0].json["data"]["status"] == "approved"


@pytest.mark.django_db
def test_a_name_that_turns_private_when_we_connect_is_refused(receiver, settings, monkeypatch, program_admin):
    """DNS rebinding: the name is public when checked, loopback a moment later. We connect only to an address we
    checked, so the receiver on 127.0.0.1 gets nothing."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    endpoint = _endpoint(program_admin, receiver.url)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"http://hooks.example.com:{port}/hooks/prm")
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    answers = iter(["93.184.216.34", "127.0.0.1"])
    looked_up = []

    def rebinding_getaddrinfo(host, port, *args, **kwargs):
        looked_up.append(host)
        address = next(answers)
        return [(2, 1, 6, "", (address, port))]

    monkeypatch.setattr(http.socket, "getaddrinfo", rebinding_getaddrinfo)
    delivery = services.endpoint_send_test(actor=program_admin, endpoint=endpoint)
    services.delivery_attempt(delivery_id=delivery.pk, now=timezone.now())
    delivery.refresh_from_db()
    assert looked_up == ["hooks.example.com", "hooks.example.com"]
    assert delivery.status == Status.FAILED
    assert delivery.error.startswith("Refused: “hooks.example.com” points to 127.0.0.1")
    assert receiver.requests == []
