"""Insights demo data: twelve months of believable history for the demo partners of `seed_demo`, so the dashboard
tells a story on first run. Registered as a `seed_demo` step (insights/apps.py):

- the partners' journeys spread over the year (applied, approved, activated, first deal), their onboarding steps
  and agreement dated to match;
- deal registrations submitted, decided, won and lost over the last 12 months in EUR and USD (a partner's deals
  mostly in its own currency), every involvement type, POCs that went to production (insights/demo/history.py);
- EUR→USD rates for every month of the year (the reporting currency is USD), the direct team's revenue per month,
  enablement and event costs per partner;
- customer contracts for the won deals, older customers with their renewal outcomes, renewals due in 30 and 60
  days, the quarterly review rhythm with action items (insights/demo/customers.py).

The story: the program grows month after month, the mix shifts from partner-executed towards partner-led deals,
Atlas Distribution leads clearly, Quartz Systems stopped selling half a year ago (it is the dormant partner).

Safe to run again: the history is seeded once (when the program has no direct revenue yet); contracts are added
only for won deals that have none, reviews only for active partners without a plan.
"""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from dealreg.models import Registration
from enablement.services.common import add_months
from insights.demo.customers import seed_contracts, seed_reviews
from insights.demo.history import history_registrations
from insights.models import DirectRevenue, ProgramCost
from partners.models import AgreementAcceptance, Partner, PartnerStep, Program
from prm.models import ExchangeRate, User

MANAGER_EMAIL = "manager@example.com"
D = Decimal

# days ago it applied, was approved, and took to activate
JOURNEYS = {
    "Atlas Distribution": (400, 394, 16),
    "Quartz Systems": (392, 385, 9),
    "Northwind Solutions": (345, 338, 9),
    "Brightpath Advisors": (305, 296, 12),
}
# partner, kind, months ago, amount, currency, note
COSTS = [
    ("Atlas Distribution", "enablement", 11, "6000", "EUR", "Distributor bootcamp (two days, Paris)"),
    ("Atlas Distribution", "enablement", 7, "3500", "EUR", "Reseller enablement roadshow"),
    ("Atlas Distribution", "other", 4, "8000", "EUR", "Partner summit sponsorship"),
    ("Atlas Distribution", "enablement", 1, "4000", "EUR", "Technical certification week"),
    ("Northwind Solutions", "enablement", 9, "2500", "EUR", "Sales onboarding workshop"),
    ("Northwind Solutions", "enablement", 3, "3000", "EUR", "Solution engineer training"),
    ("Brightpath Advisors", "enablement", 8, "2000", "USD", "Advisory briefing day"),
    ("Brightpath Advisors", "other", 2, "1500", "USD", "Analyst event passes"),
    ("Quartz Systems", "enablement", 10, "2200", "EUR", "Managed-service runbook training"),
]


def _months(today: date, count: int) -> list[date]:
    """The first days of the last `count` months, oldest first, this month last."""
    first = today.replace(day=1)
    return [add_months(first, -n) for n in range(count - 1, -1, -1)]


def seed_rates(*, today: date, manager: User) -> int:
    """EUR→USD (the reporting currency) for every month of the year and this one: 1.05–1.12, small moves."""
    rng = random.Random(1)
    rate = D("1.0820")
    made = 0
    for month in _months(today, 13):
        rate = min(max(rate + D(str(round(rng.uniform(-0.012, 0.012), 4))), D("1.0500")), D("1.1200"))
        _, created = ExchangeRate.objects.get_or_create(
            currency="EUR", to_currency="USD", month=month, defaults={"rate": rate, "updated_by": manager}
        )
        made += created
    return made


def _journeys(now: datetime) -> None:
    """Spread the partners' applied/approved/activated dates over the year (seed_demo approves them all ~4 months
    ago), with their onboarding steps and agreement dated in between."""
    for name, (applied_days, approved_days, activate_days) in JOURNEYS.items():
        partner = Partner.objects.filter(name=name).first()
        if partner is None:
            continue
        applied = now - timedelta(days=applied_days, hours=3)
        approved = now - timedelta(days=approved_days, hours=1)
        activated = approved + timedelta(days=activate_days, hours=5)
        Partner.objects.filter(pk=partner.pk).update(
            created_at=applied, applied_at=applied, approved_at=approved, activated_at=activated
        )
        AgreementAcceptance.objects.filter(partner=partner).update(accepted_at=approved + timedelta(days=1))
        steps = list(PartnerStep.objects.filter(partner=partner, completed_at__isnull=False).order_by("order"))
        for n, step in enumerate(steps, start=1):
            step.completed_at = approved + (activated - approved) * n / len(steps)
        PartnerStep.objects.bulk_update(steps, ["completed_at"])


def _first_deals() -> None:
    for partner_id, first in (
        Registration.objects.filter(submitted_at__isnull=False)
        .values_list("partner_id")
        .order_by()
        .annotate(first=Min("submitted_at"))
    ):
        Partner.objects.filter(pk=partner_id).update(first_deal_at=first)


def _direct_revenue(today: date, manager: User) -> None:
    rng = random.Random(3)
    rows = []
    for n, month in enumerate(_months(today, 12)):
        usd = D(95_000 + 4_500 * n + rng.randrange(-8, 9) * 1_000)
        rows.append(DirectRevenue(month=month, amount=usd, currency="USD", note="Direct sales", updated_by=manager))
        if n % 3 != 1:  # the direct team's few European deals, in euros
            eur = D(12_000 + rng.randrange(0, 16) * 1_000)
            rows.append(DirectRevenue(month=month, amount=eur, currency="EUR", note="Direct sales", updated_by=manager))
    DirectRevenue.objects.bulk_create(rows)


def _costs(today: date, manager: User) -> None:
    partners = {p.name: p for p in Partner.objects.filter(name__in={c[0] for c in COSTS})}
    ProgramCost.objects.bulk_create(
        ProgramCost(
            partner=partners[name],
            kind=kind,
            incurred_on=add_months(today, -months).replace(day=12),
            amount=D(amount),
            currency=currency,
            note=note,
            created_by=manager,
        )
        for name, kind, months, amount, currency, note in COSTS
        if name in partners
    )


def seed_insights(*, stdout: Any = None) -> None:
    """Create the insights demo (idempotent). Needs the channel manager and partners of `seed_demo`."""
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    if manager is None or not Partner.objects.filter(name__in=list(JOURNEYS)).exists():
        if stdout is not None:
            stdout.write("Insights demo skipped: run seed_demo first (it creates the manager and partners).")
        return
    now = timezone.now()
    today = timezone.localdate()
    added = 0
    with transaction.atomic():
        program = Program.objects.get_or_create(pk=1)[0]
        if not program.internal_sellers:
            Program.objects.filter(pk=1).update(internal_sellers=6)
        rates = seed_rates(today=today, manager=manager)
        if not DirectRevenue.objects.exists():
            _journeys(now)
            rows = history_registrations(now=now, manager=manager)
            created = [row.created_at for row in rows]
            Registration.objects.bulk_create(rows)  # auto_now_add stamps "now": put back when each was created
            for row, at in zip(rows, created, strict=True):
                row.created_at = at
            Registration.objects.bulk_update(rows, ["created_at"], batch_size=500)
            added = len(rows)
            _direct_revenue(today, manager)
            _costs(today, manager)
            _first_deals()
        contracts = seed_contracts(today=today, manager=manager)
        reviews = seed_reviews(today=today, manager=manager)
    _refresh_summaries()
    if stdout is not None:
        stdout.write(
            f"Insights demo ready ({added} registrations of history, {rates} exchange rates, {contracts} customer "
            f"contracts and {reviews} review plans added)."
        )


def _refresh_summaries() -> None:
    """The dashboard's roll-ups are kept by a worker; bring them up to date now so the first page load shows the
    year (when the roll-ups exist)."""
    try:
        from insights.summary import summary_refresh
    except ImportError:
        return
    summary_refresh(full=True)
