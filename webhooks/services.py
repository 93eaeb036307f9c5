"""Every write of the webhooks app: endpoints, the fan-out of audit events into deliveries, attempts and retries.

At-least-once: a delivery row is written before anything is sent, each attempt claims it (compare-and-set on
`next_attempt_at`, so two workers never post the same attempt), and the sweep re-queues whatever is due (a lost
task, a broker that was down). Receivers deduplicate by the event id, which stays the same across retries and
redeliveries.
"""

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from partners.services.setup import program_admins
from prm.audit import audit_record
from prm.models import AuditEvent, User
from prm.notifications import notify
from webhooks import http
from webhooks.events import EVENT_NAMES, TEST_EVENT, event_id_for, plan_events
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, new_secret
from webhooks.payloads import serialize

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status

ENDPOINT_FIELDS = ("url", "description", "events")
FIRST_RETRY = timedelta(minutes=1)  # then 2, 4, 8 … minutes
LONGEST_WAIT = timedelta(hours=1)
RETRY_WINDOW = timedelta(hours=24)  # from the first attempt; then the delivery gives up
LEASE = timedelta(minutes=2)  # an attempt's claim (the request times out after 10 s)
# An endpoint is disabled when it has failed this many attempts in a row *and* nothing succeeded for this long: a
# short outage during a burst of events does not disable it; a receiver that has failed everything for a day does.
DISABLE_AFTER_FAILURES = 10
DISABLE_AFTER_FAILING_FOR = timedelta(hours=24)
SWEEP_BATCH = 500


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1 minute, doubling, at most an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes posted and signed."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _enqueue(delivery_id: int, *, eta: datetime | None = None) -> None:
    """Queue an attempt. A broker that is down loses nothing: the delivery is due in the database and the sweep
    queues it again."""
    from webhooks.tasks import deliver

    try:
        if eta is None:
            deliver.delay(delivery_id)
        else:
            deliver.apply_async((delivery_id,), eta=eta)
    except Exception:  # the broker; the sweep retries
        logger.warning("Could not queue webhook delivery %s; the sweep will", delivery_id, exc_info=True)


def _enqueue_on_commit(delivery_id: int, *, eta: datetime | None = None) -> None:
    transaction.on_commit(lambda: _enqueue(delivery_id, eta=eta))


# --- Endpoints ---------------------------------------------------------------------------------------------------


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    url = str(data.get("url") or "").strip()
    events = sorted(set(data.get("events") or []))
    unknown = [e for e in events if e not in EVENT_NAMES]
    if unknown:
        raise ValidationError({"events": f"Unknown event types: {', '.join(unknown)}."})
    try:
        http.check_url(url)
    except http.UnsafeURL as exc:
        raise ValidationError({"url": str(exc)}) from None
    return {"url": url, "description": str(data.get("description") or "").strip()[:200], "events": events}


def endpoint_create(*, actor: User, data: dict[str, Any]) -> WebhookEndpoint:
    """Register an endpoint with a fresh secret (shown to the manager once). Refuses private addresses."""
    cleaned = _clean(data)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(created_by=actor, **cleaned)
        audit_record(
            actor=actor,
            verb="webhooks.endpoint_created",
            target=endpoint,
            after={"url": endpoint.url, "events": endpoint.events or "all"},
        )
    return endpoint


def endpoint_update(*, actor: User, endpoint: WebhookEndpoint, data: dict[str, Any]) -> tuple[WebhookEndpoint, bool]:
    """Change the URL, description or events. Returns (endpoint, whether anything changed)."""
    cleaned = _clean(data)
    with transaction.atomic():
        current = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        changed = [f for f in ENDPOINT_FIELDS if getattr(current, f) != cleaned[f]]
        if not changed:
            return current, False
        before = {f: getattr(current, f) for f in changed}
        for field in changed:
            setattr(current, field, cleaned[field])
        current.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            verb="webhooks.endpoint_updated",
            target=current,
            before=before,
            after={f: cleaned[f] for f in changed},
        )
    return current, True


def endpoint_rotate_secret(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret, effective for the next attempt (deliveries already queued are signed with it too)."""
    with transaction.atomic():
        current = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        current.secret = new_secret()
        current.save(update_fields=["secret", "updated_at"])
        audit_record(actor=actor, verb="webhooks.secret_rotated", target=current)
    return current


def endpoint_enable(*, actor: User, endpoint: WebhookEndpoint) -> bool:
    """Turn a disabled endpoint back on with a clean failure count. Returns False when it was on already."""
    with transaction.atomic():
        updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=False).update(
            is_active=True,
            disabled_at=None,
            disabled_reason="",
            failure_count=0,
            failing_since=None,
            updated_at=timezone.now(),
        )
        if updated:
            audit_record(
                actor=actor,
                verb="webhooks.endpoint_enabled",
                target=endpoint,
                before={"disabled_reason": endpoint.disabled_reason},
            )
    return bool(updated)


def endpoint_disable(
    *, actor: User | None, endpoint: WebhookEndpoint, reason: str, now: datetime | None = None
) -> bool:
    """Stop sending to an endpoint: its open deliveries give up (they can be redelivered once it is back). Done by
    a manager, or by the system after repeated failures, when the endpoint's creator and the program admins are
    told. Returns False when it was off already."""
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationError("Say why the endpoint is turned off.")
    with transaction.atomic():
        updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
            is_active=False, disabled_at=now, disabled_reason=reason, updated_at=now
        )
        if not updated:
            return False
        endpoint.refresh_from_db()
        WebhookDelivery.objects.filter(endpoint=endpoint, status__in=WebhookDelivery.OPEN).update(
            status=Status.GAVE_UP, next_attempt_at=None, error=f"The endpoint was turned off: {reason}"[:2000]
        )
        audit_record(
            actor=actor,
            verb="webhooks.endpoint_disabled",
            target=endpoint,
            after={"failure_count": endpoint.failure_count},
            reason=reason,
        )
        if actor is None:
            _tell_disabled(endpoint)
    return True


def _tell_disabled(endpoint: WebhookEndpoint) -> None:
    recipients = {u.pk: u for u in program_admins()}
    if endpoint.created_by is not None and endpoint.created_by.is_active:
        recipients[endpoint.created_by.pk] = endpoint.created_by
    last_error = (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .exclude(error="")
        .order_by("-pk")
        .values_list("error", flat=True)
    ).first()
    stamp = endpoint.disabled_at.isoformat() if endpoint.disabled_at else ""
    for user in recipients.values():
        notify(
            key=f"webhook_disabled:{endpoint.pk}:{stamp}:{user.pk}",
            template="webhook_disabled",
            recipient=user,
            url=reverse("manage:webhook_detail", args=[endpoint.pk]),
            action_label="See the delivery log",
            context={
                "endpoint": endpoint,
                "reason": endpoint.disabled_reason,
                "failures": endpoint.failure_count,
                "last_error": last_error or "",
            },
        )


# --- Fan-out: audit events become deliveries ---------------------------------------------------------------------


def webhooks_fanout(*, event: AuditEvent, now: datetime | None = None) -> list[int]:
    """The deliveries one audit event raises: one per public event and subscribed endpoint (endpoints created
    after the event get nothing). Idempotent: the same event fanned out twice creates nothing more. Queues an
    attempt for each new delivery when the transaction commits. Returns the deliveries' ids."""
    planned = plan_events(
        verb=event.verb,
        target_type=event.target_type,
        target_id=str(event.target_id),
        partner_id=event.partner_id,
        after=event.after,
    )
    if not planned:
        return []
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(is_active=True, created_at__lte=event.created_at)
        if any(e.receives(p.type) for p in planned)
    ]
    if not endpoints:
        return []
    now = now or timezone.now()
    rows = []
    event_ids = []
    for item in planned:
        receivers = [e for e in endpoints if e.receives(item.type)]
        if not receivers:
            continue
        event_id = event_id_for(audit_hash=event.hash, planned=item)
        event_ids.append(event_id)
        payload = {
            "id": str(event_id),
            "type": item.type,
            "created_at": event.created_at.isoformat(),
            "data": serialize(item.model, item.object_id),
        }
        rows += [
            WebhookDelivery(endpoint=e, event_id=event_id, event_type=item.type, payload=payload, next_attempt_at=now)
            for e in receivers
        ]
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        ids = list(
            WebhookDelivery.objects.filter(event_id__in=event_ids, status=Status.PENDING, attempts=0).values_list(
                "pk", flat=True
            )
        )
        for pk in ids:
            _enqueue_on_commit(pk)
    return ids


def endpoint_send_test(*, actor: User, endpoint: WebhookEndpoint, now: datetime | None = None) -> WebhookDelivery:
    """A `webhook.test` event to this endpoint (whatever it subscribes to), to check the receiver and its
    signature check."""
    if not endpoint.is_active:
        raise ValidationError("This endpoint is turned off: turn it on before sending a test event.")
    now = now or timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery(endpoint=endpoint, event_type=TEST_EVENT, next_attempt_at=now)
        delivery.payload = {
            "id": str(delivery.event_id),
            "type": TEST_EVENT,
            "created_at": now.isoformat(),
            "data": {
                "type": "webhook_test",
                "message": "A test event sent from the manager app. Verify its signature and answer 2xx.",
                "endpoint": {"id": endpoint.pk, "url": endpoint.url},
                "sent_by": actor.email,
            },
        }
        delivery.save()
        _enqueue_on_commit(delivery.pk)
    return delivery


# --- Attempts ----------------------------------------------------------------------------------------------------


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> WebhookAttempt | None:
    """Make the next attempt of a delivery if it is due: claim it, post it signed, record what happened, and
    schedule a retry (1 minute, doubling, at most an hour apart) until 24 hours after the first attempt, then give
    up. Returns the attempt, or None when there was nothing to do (not due, claimed by another worker, done)."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=WebhookDelivery.OPEN, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=Status.GAVE_UP, next_attempt_at=None, error="The endpoint is turned off."
        )
        return None
    outcome = http.post(
        url=endpoint.url,
        secret=endpoint.secret,
        body=body_bytes(delivery.payload),
        event_type=delivery.event_type,
        event_id=str(delivery.event_id),
        now=now.timestamp(),
    )
    return _record(delivery, outcome, now=now)


def _record(delivery: WebhookDelivery, outcome: http.Outcome, *, now: datetime) -> WebhookAttempt:
    disable_reason = ""
    with transaction.atomic():
        current = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        number = current.attempts + 1
        attempt = WebhookAttempt.objects.create(
            delivery=current,
            number=number,
            manual=current.manual,
            started_at=now,
            succeeded=outcome.succeeded,
            response_code=outcome.response_code,
            latency_ms=outcome.latency_ms,
            response_excerpt=outcome.excerpt[: http.EXCERPT_CHARS],
            error=outcome.error,
        )
        window_start = current.first_attempt_at or now
        current.attempts = number
        current.first_attempt_at = window_start
        current.manual = False
        current.response_code = outcome.response_code
        current.latency_ms = outcome.latency_ms
        current.response_excerpt = outcome.excerpt[: http.EXCERPT_CHARS]
        current.error = outcome.error
        retry_at = None
        if outcome.succeeded:
            current.status = Status.SUCCEEDED
            current.delivered_at = now
            current.next_attempt_at = None
        elif now >= window_start + RETRY_WINDOW:
            current.status = Status.GAVE_UP
            current.next_attempt_at = None
        else:
            current.status = Status.FAILED
            retry_at = min(now + retry_delay(number), window_start + RETRY_WINDOW)
            current.next_attempt_at = retry_at
        current.save()

        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=current.endpoint_id)
        if outcome.succeeded:
            if endpoint.failure_count or endpoint.failing_since:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_count=0, failing_since=None)
        else:
            failing_since = endpoint.failing_since or now
            failures = endpoint.failure_count + 1
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
                failure_count=F("failure_count") + 1, failing_since=failing_since
            )
            if (
                endpoint.is_active
                and failures >= DISABLE_AFTER_FAILURES
                and now - failing_since >= DISABLE_AFTER_FAILING_FOR
            ):
                hours = int((now - failing_since).total_seconds() // 3600)
                disable_reason = (
                    f"{failures} attempts in a row failed and nothing was delivered for {hours} hours "
                    f"(last: {outcome.error or outcome.response_code})."
                )[:2000]
        if disable_reason:
            endpoint.refresh_from_db()
            endpoint_disable(actor=None, endpoint=endpoint, reason=disable_reason, now=now)
            current.refresh_from_db()
        elif retry_at is not None:
            _enqueue_on_commit(current.pk, eta=retry_at)
    return attempt


def delivery_redeliver(*, actor: User, delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """Send a delivery again, now, with the same event id (the receiver deduplicates). Starts a new 24-hour retry
    window; the log keeps every earlier attempt."""
    now = now or timezone.now()
    if not delivery.endpoint.is_active:
        raise ValidationError("This endpoint is turned off: turn it on before redelivering.")
    with transaction.atomic():
        updated = (
            WebhookDelivery.objects.filter(pk=delivery.pk)
            .exclude(status=Status.PENDING)
            .update(status=Status.PENDING, manual=True, first_attempt_at=None, next_attempt_at=now)
        )
        if not updated:
            raise ValidationError("This delivery is already waiting for its next attempt.")
        audit_record(
            actor=actor,
            verb="webhooks.delivery_redelivered",
            target=delivery,
            after={"event_id": str(delivery.event_id), "event_type": delivery.event_type},
        )
        _enqueue_on_commit(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def deliveries_requeue(*, now: datetime | None = None) -> int:
    """The sweep: queue every due delivery again (a lost task, a broker that was down, a worker that died in the
    middle of an attempt: its claim runs out after LEASE). Returns how many were queued."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status__in=WebhookDelivery.OPEN, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in due:
        _enqueue(pk)
    return len(due)
