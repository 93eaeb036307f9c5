"""Thin tasks: take ids, call a service; safe to run twice (an attempt claims its delivery first)."""

from celery import shared_task

from webhooks.services import deliveries_requeue, delivery_attempt


@shared_task(ignore_result=True)
def deliver(delivery_id: int) -> None:
    """One attempt of one delivery, if it is due (a duplicate or early message does nothing)."""
    delivery_attempt(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def requeue_due() -> int:
    """The sweep (every minute from beat): queue every delivery whose attempt is due."""
    return deliveries_requeue()
