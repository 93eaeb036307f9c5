"""Partner health in the demo: 90 days of stored health for every demo partner, so the scorecard's sparkline, the
at-risk list and the digest have a story on first run. Registered as a `seed_demo` step after the others
(insights/apps.py), because it scores what they created.

The story, from the demo's own facts (insights.health scores each past day from what was known that day):
- Quartz Systems went quiet half a year ago: at risk all along (no activity, no deals, nobody certified);
- Cobalt IT, Atlas's new reseller, never accepted the agreement: at risk since its onboarding stalled;
- Harbor Networks, an MSP that sold well last year, slowed down: fewer deals this quarter, nobody signed in for a
  month, and its only certification lapsed three days ago; on watch until then, it moved to at risk (its owner was
  told, and the weekly digest says so);
- the others are healthy or on watch, people signing in (the demo's users are given believable last sign-ins).

Safe to run again: the journeys are dated once (while they look freshly created) and snapshots are upserted.
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from dealreg.models import Registration
from enablement.models import Certification, CertificationAward
from insights.demo import MANAGER_EMAIL
from insights.demo.customers import seed_contracts, seed_reviews
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
    "Harbor Networks": 35,
}
# name: (applied, approved, agreement accepted or None) in days ago
JOURNEYS = {
    "Cobalt IT": (20, 12, None),
}
HARBOR = "Harbor Networks"
# Harbor's deals: (days ago submitted, days ago closed or None, status, value in EUR)
HARBOR_DEALS = [
    (330, 280, Registration.Status.WON, 42_000),
    (300, 230, Registration.Status.WON, 36_000),
    (250, 140, Registration.Status.LOST, 58_000),
    (200, 150, Registration.Status.WON, 27_000),
    (170, None, Registration.Status.EXPIRED, 31_000),
    (130, None, Registration.Status.EXPIRED, 22_000),
    (100, None, Registration.Status.EXPIRED, 45_000),
    (80, None, Registration.Status.APPROVED, 38_000),
]
CUSTOMERS = ["Kestrel Logistics", "Nordic Foods", "Umber Retail", "Tamarind Hotels", "Beacon Insurance", "Lumen Media"]


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


def _harbor(now, manager: User) -> None:
    """The partner that slowed down (created once): a year of deals, two people, a certification that lapsed."""
    if Partner.objects.filter(name=HARBOR).exists():
        return
    partner = Partner.objects.create(
        name=HARBOR,
        type=Partner.Type.MSP,
        status=Partner.Status.ACTIVE,
        website="https://harbor-networks.com",
        owner=manager,
    )
    Partner.objects.filter(pk=partner.pk).update(
        created_at=now - timedelta(days=420),
        applied_at=now - timedelta(days=420),
        approved_at=now - timedelta(days=410),
        activated_at=now - timedelta(days=396),
        status_changed_at=now - timedelta(days=396),
        last_activity_at=now - timedelta(days=35, hours=4),
        first_deal_at=now - timedelta(days=330),
    )
    people = []
    for email, first, last, role in (
        ("hana@harbor.example.com", "Hana", "Lind", PartnerMembership.Role.ADMIN),
        ("ben@harbor.example.com", "Ben", "Adeyemi", PartnerMembership.Role.TECHNICAL),
    ):
        user, _ = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last})
        PartnerMembership.objects.get_or_create(partner=partner, user=user, defaults={"role": role})
        people.append(user)
    PartnerMembership.objects.filter(partner=partner).update(created_at=now - timedelta(days=405))
    certification = Certification.objects.order_by("pk").first()
    if certification is not None:
        CertificationAward.objects.create(
            certification=certification,
            user=people[1],
            partner=partner,
            awarded_at=now - timedelta(days=365 + 120),
            expires_at=timezone.localdate(now) - timedelta(days=3),
        )
    for n, (submitted_days, closed_days, status, value) in enumerate(HARBOR_DEALS):
        submitted = now - timedelta(days=submitted_days, hours=2)
        decided = submitted + timedelta(hours=20)
        name = CUSTOMERS[n % len(CUSTOMERS)] + ("" if n < len(CUSTOMERS) else " (expansion)")
        registration = Registration(
            partner=partner,
            created_by=people[0],
            name=name,
            country="NL",
            contact_name="Jan de Vries",
            contact_email=f"jan.devries@{name.split()[0].lower()}.example.com",
            products="Platform",
            value=value,
            currency="EUR",
            expected_close=(submitted + timedelta(days=90)).date(),
            involvement=Registration.Involvement.FULFILLED if n % 2 else Registration.Involvement.SOURCED,
            status=status,
            submitted_at=submitted,
            decided_at=decided,
            decided_by=manager,
            decision_reason="Clean registration.",
            protected_until=decided + timedelta(days=90),
            decision_due_at=submitted + timedelta(days=2),
            has_priority=status in Registration.ACTIVE,
        )
        if closed_days is not None:
            registration.closed_at = now - timedelta(days=closed_days)
            registration.stage = status
            if status == Registration.Status.WON:
                registration.won_amount = value
            else:
                registration.decision_reason = "Went with an in-house build."
        registration.refresh_match_keys()
        registration.save()
        Registration.objects.filter(pk=registration.pk).update(created_at=submitted)


def _date_memberships() -> None:
    """People joined their company's account when it was approved (the demo creates them today), so a past day's
    health counts them."""
    for partner in Partner.objects.filter(approved_at__isnull=False).only("pk", "approved_at"):
        PartnerMembership.objects.filter(partner=partner, created_at__gt=partner.approved_at).update(
            created_at=partner.approved_at
        )


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
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    with transaction.atomic():
        if manager is not None:
            _harbor(now, manager)
            # Harbor's won deals became customers, and it has the quarterly rhythm, like every active partner.
            seed_contracts(today=timezone.localdate(now), manager=manager)
            seed_reviews(today=timezone.localdate(now), manager=manager)
        _date_journeys(now)
        _date_memberships()
        _sign_ins(now)
    stored = 0
    for days in range(HISTORY_DAYS, 0, -1):
        stored += compute_all(now=now - timedelta(days=days), notify=days <= NOTIFY_DAYS)
    stored += compute_all(now=now)
    if stdout is not None:
        at_risk = Partner.objects.filter(health_snapshots__is_latest=True, health_snapshots__band="at_risk")
        names = ", ".join(at_risk.order_by("name").values_list("name", flat=True)) or "none"
        stdout.write(f"Health demo ready ({stored} daily snapshots over {HISTORY_DAYS} days; at risk: {names}).")
