"""Onboarding: a partner's checklist from approval to active, the partner agreement, activity and dormancy, and
the reminders that keep onboarding moving.

Steps that the system can see complete themselves (`onboarding_refresh`, cheap and idempotent: other areas call it
after a relevant change); a channel manager ticks manual ones. When every step is done the partner becomes active.
"""

__all__ = [
    "OnboardingProgress",
    "agreement_accept",
    "agreement_publish",
    "onboarding_progress",
    "onboarding_refresh",
    "onboarding_remind_stalled",
    "onboarding_start",
    "onboarding_step_complete",
    "onboarding_step_tickable",
    "onboarding_weekly_digest",
    "partner_record_activity",
    "partners_mark_dormant",
]

from partners.services.onboarding.agreement import agreement_accept, agreement_publish
from partners.services.onboarding.automation import (
    onboarding_remind_stalled,
    onboarding_weekly_digest,
    partner_record_activity,
    partners_mark_dormant,
)
from partners.services.onboarding.checklist import (
    OnboardingProgress,
    onboarding_progress,
    onboarding_refresh,
    onboarding_start,
    onboarding_step_complete,
    onboarding_step_tickable,
)
