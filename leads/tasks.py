"""Thin tasks for leads: the beat sweep expires overdue offers (the leads move on, both sides told) and moves held
leads along with their registrations. Idempotent."""

from celery import shared_task
from django.utils import timezone

from leads import services


@shared_task
def leads_sweep() -> dict:
    return {
        "expired": services.offers_expire_due(now=timezone.now()),
        "outcomes": services.leads_sync_outcomes(),
    }
