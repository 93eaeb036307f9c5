"""Thin tasks for the partners app: they call a service, which is idempotent."""

from celery import shared_task
from django.utils import timezone

from partners import services


@shared_task
def tiers_evaluate_nightly() -> dict:
    """Propose promotions and demotions to the channel managers (never applied silently)."""
    return services.tiers_evaluate_all(now=timezone.now())


@shared_task
def onboarding_weekly_digest() -> int:
    """Tell each channel manager which partners are stuck in onboarding."""
    return services.onboarding_weekly_digest(now=timezone.now())
