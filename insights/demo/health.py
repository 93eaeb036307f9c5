"""Partner health in the demo: 90 days of stored health for every demo partner, so the scorecard's sparkline, the
at-risk list and the digest have a story on first run. Registered as a `seed_demo` step after the others
(insights/apps.py), because it scores what they created.

The story, from the demo's own facts (insights.health scores each past day from what was known that day):
- Quartz Systems went quiet half a year ago: at risk all along (no activity, no deals, nobody certified);
- Cobalt IT, Atlas's new reseller, never accepted the agreement: at risk since its onboarding stalled;
- Bluepeak Consulting accepted the agreement five weeks ago and stopped there: on watch for a month, it moved to at
  risk a few days ago when its last activity passed 30 days (its owner was told);
- the others are healthy or on watch, people signing in (the demo's users are given believable last sign-ins).

Safe to run again: the journeys are dated once (while they look freshly created) and snapshots are upserted.
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from insights.health_store import compute_all
from partners.models import AgreementAcceptance, Partner, PartnerMembership, PartnerStep
from prm.models import User

HISTORY_DAYS = 90
NOTIFY_DAYS = 7  # moves in the last week reach the owner's inbox, as the nightly task would have told them
# Days ago people of each partner last signed in (only set while nobody did).
LAST_SIGN_IN = {
    "Atlas Distribution": 1,
    "Northwind Solutions": 2,
    "Brightpath Advisors": 4,
    "Quartz Systems": 150,
    "Bluepeak Consulting": 34,
}
# name: (applied, approved, agreement accepted or None) in days ago
JOURNEYS = {
    "Bluepeak Consulting": (45, 40, 34),
    "Cobalt IT": (20, 12, None),
}


def _date_journeys(now) -> None:
    for name, (applied, approved, accepted) in JOURNEYS.items():
        partner = Partner.objects.filter(name=name, status=Partner.Status.ONBOARDING).first()
        if partner is None or (partner.approved_at and partner.approved_at <= now - timedelta(days=approved - 1)):
            continue  # dated already (or not in onboarding any more)
        Partner.objects.filter(pk=partner.pk).update(
            created_at=now - timedelta(days=applied, hours=2),
            applied_at=now - timedelta(days=applied, hours=2),
            approved_at=now - timedelta(days=approved, hours=1),
            status_changed_at=now - timedelta(days=approved, hours=1),
            last_activity_at=now - timedelta(days=accepted, hours=3) if accepted else None,
        )
        if accepted:
            when = now - timedelta(days=accepted, hours=3)
            AgreementAcceptance.objects.filter(partner=partner).update(accepted_at=when)
            PartnerStep.objects.filter(partner=partner, completed_at__isnull=False).update(completed_at=when)
        PartnerMembership.objects.filter(partner=partner).update(created_at=now - timedelta(days=approved))


def _sign_ins(now) -> None:
    for name, days in LAST_SIGN_IN.items():
        users = PartnerMembership.objects.filter(partner__name=name, is_active=True).values_list("user_id", flat=True)
        User.objects.filter(pk__in=list(users), last_login__isnull=True).update(
            last_login=now - timedelta(days=days, hours=5)
        )


def seed_health(*, stdout: Any = None) -> None:
    """Date the onboarding journeys, give people their last sign-ins, then store a snapshot for each of the last
    90 days (idempotent)."""
    if not Partner.objects.filter(name__in=list(LAST_SIGN_IN)).exists():
        if stdout is not None:
            stdout.write("Health demo skipped: run seed_demo first (it creates the partners).")
        return
    now = timezone.now()
    with transaction.atomic():
        _date_journeys(now)
        _sign_ins(now)
    stored = 0
    for days in range(HISTORY_DAYS, 0, -1):
        stored += compute_all(now=now - timedelta(days=days), notify=days <= NOTIFY_DAYS)
    stored += compute_all(now=now)
    if stdout is not None:
        at_risk = Partner.objects.filter(health_snapshots__is_latest=True, health_snapshots__band="at_risk")
        names = ", ".join(at_risk.order_by("name").values_list("name", flat=True)) or "none"
        stdout.write(f"Health demo ready ({stored} daily snapshots over {HISTORY_DAYS} days; at risk: {names}).")
