"""What the webhook pages read."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

Status = WebhookDelivery.Status
FILTERS = {"failed": (Status.FAILED, Status.GAVE_UP), "open": WebhookDelivery.OPEN, "succeeded": (Status.SUCCEEDED,)}


def endpoint_list() -> QuerySet[WebhookEndpoint]:
    """Every endpoint with its last delivery's status, time and response code (one query)."""
    last = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
    return WebhookEndpoint.objects.select_related("created_by").annotate(
        last_status=Subquery(last.values("status")[:1]),
        last_at=Subquery(last.values("created_at")[:1]),
        last_code=Subquery(last.values("response_code")[:1]),
        last_type=Subquery(last.values("event_type")[:1]),
    )


@dataclass(frozen=True)
class DeliveryCounts:
    total: int
    failed: int
    open: int


def delivery_log(*, endpoint: WebhookEndpoint, show: str = "") -> QuerySet[WebhookDelivery]:
    """An endpoint's deliveries, newest first; `show` is "failed", "open" or "succeeded" (anything else: all)."""
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload")
    if show in FILTERS:
        deliveries = deliveries.filter(status__in=FILTERS[show])
    return deliveries.order_by("-created_at", "-pk")


def delivery_counts(*, endpoint: WebhookEndpoint) -> DeliveryCounts:
    counts = WebhookDelivery.objects.filter(endpoint=endpoint).aggregate(
        total=Count("pk"),
        failed=Count("pk", filter=Q(status__in=FILTERS["failed"])),
        open=Count("pk", filter=Q(status__in=FILTERS["open"])),
    )
    return DeliveryCounts(**counts)


def delivery_attempts(*, delivery: WebhookDelivery) -> QuerySet[WebhookAttempt]:
    return WebhookAttempt.objects.filter(delivery=delivery).order_by("-number")
