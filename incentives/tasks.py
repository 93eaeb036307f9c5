"""Thin tasks: call a service; safe to run twice (the services compare-and-set)."""

from celery import shared_task

from incentives.services import approve_due


@shared_task
def earnings_approve_due() -> int:
    """Approve the accrued lines whose payable date has come (daily)."""
    return approve_due()
