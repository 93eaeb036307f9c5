"""MDF demo data: tier pools and budgets for last, this and next quarter, and requests and claims at every status
among the demo partners that `seed_demo` creates (Northwind, Atlas, Brightpath). Called from `seed_demo`:

    from mdf.demo import seed_mdf
    seed_mdf(stdout=self.stdout)

Safe to run again: budgets are seeded once (when the ledger is empty) and requests once (when there are none).
Everything goes through the services, so the ledger, the audit trail and the inboxes look real; activities in the
past are dated back before they are approved, so their claim deadlines follow. Last quarter's unused funds are
expired, as the daily sweep would.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from mdf import services
from mdf.models import FundRequest, LedgerEntry, Period
from partners.models import Partner, Tier
from prm.demo import days_ago, demo_clock
from prm.models import User

from .activities import seed_requests

MANAGER_EMAIL = "manager@example.com"
D = Decimal


# --- Budgets -------------------------------------------------------------------------------------------------------


@dataclass
class Quarters:
    previous: Period
    current: Period
    next: Period


def _quarters(today: date) -> Quarters:
    current = services.period_for(today)
    return Quarters(
        previous=services.period_for(current.starts_on - timedelta(days=1)),
        current=current,
        next=services.next_period(current),
    )


def _seed_budgets(manager: User, quarters: Quarters) -> int:
    if LedgerEntry.objects.exists():
        return 0
    settings = services.mdf_settings()
    if settings.admin_approval_above is None:
        with demo_clock(_on(quarters.previous.starts_on)):
            services.mdf_settings_update(actor=manager, admin_approval_above=D("10000"))
    pools = {}
    with demo_clock(_on(quarters.current.starts_on)):
        for tier_name, amount in (("Silver", D("30000")), ("Gold", D("60000"))):
            tier = Tier.objects.filter(name=tier_name).first()
            if tier is not None:
                pools[tier_name] = services.pool_set(actor=manager, period=quarters.current, tier=tier, amount=amount)
    # (partner, period, amount, pool, memo, when): each quarter's funds go out in its first days, the correction
    # and next quarter's early allocation came later (prm.demo.demo_clock stamps the ledger and the audit trail).
    previous, current = quarters.previous.starts_on, quarters.current.starts_on
    plan = [
        ("Northwind Solutions", quarters.previous, "12000", None, "Q plan: two events", _on(previous, 2)),
        ("Northwind Solutions", quarters.current, "20000", "Silver", "Joint marketing plan", _on(current, 1)),
        ("Northwind Solutions", quarters.next, "10000", None, "Early allocation for the autumn fair", days_ago(3)),
        ("Atlas Distribution", quarters.previous, "20000", None, "Reseller recruitment", _on(previous, 3)),
        ("Atlas Distribution", quarters.current, "40000", "Gold", "Distributor plan", _on(current, 2)),
        (
            "Atlas Distribution",
            quarters.current,
            "-2500",
            "Gold",
            "Moved to the joint campaign budget",
            _on(current, 9),
        ),
        ("Brightpath Advisors", quarters.current, "8000", None, "Thought-leadership content", _on(current, 5)),
    ]
    made = 0
    for name, period, amount, pool, memo, when in plan:
        partner = Partner.objects.filter(name=name).first()
        if partner is None:
            continue
        chosen = pools.get(pool) if pool and partner.tier and partner.tier.name == pool else None
        with demo_clock(when):
            services.allocation_create(
                actor=manager, partner=partner, period=period, amount=D(amount), memo=memo, pool=chosen
            )
        made += 1
    return made


def _on(day: date, days_later: int = 0) -> datetime:
    """10:00 on `day` + `days_later`, but never later than an hour ago (a quarter that began yesterday)."""
    moment = timezone.make_aware(datetime.combine(day + timedelta(days=days_later), time(10)))
    return min(moment, timezone.now() - timedelta(hours=1))


def seed_mdf(*, stdout: Any = None) -> None:
    """Create the MDF demo (idempotent). Needs the channel manager and partners of `seed_demo`."""
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    if manager is None:
        if stdout is not None:
            stdout.write("MDF demo skipped: run seed_demo first (it creates the channel manager).")
        return
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        quarters = _quarters(timezone.localdate())
        with transaction.atomic():
            budgets = _seed_budgets(manager, quarters)
        with transaction.atomic():
            requests = seed_requests(manager, quarters)
    if stdout is not None:
        stdout.write(
            f"MDF demo ready ({budgets} allocations and {requests} requests added; "
            f"{FundRequest.objects.count()} requests in all)."
        )
