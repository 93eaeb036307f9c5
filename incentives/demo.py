"""Incentives demo data, a `seed_demo` step (incentives/apps.py) that runs after the year of insights history:

- the plan with two versions: v1 from the start of the program (10% of a sourced deal, 5% influenced, a fixed
  referral fee for fulfilled deals, a first-win bonus, a 5% renewal rebate), and v2 from about three months ago
  (sourced goes to 12%, co-sell gets a payout) with a boost for EMEA partners running now;
- the earnings the won deals of the history accrued, under the version in force when each was approved (the
  ledger's own `accrue_for_won`, so the demo's lines are the ones the product computes), older lines approved;
- one line held with a reason, a paid payout run for the lines earned before last quarter, a run for last month
  waiting for approval, a partner's question about a line with the channel team's answer, and a question still
  open;
- recognition: Atlas is partner of the quarter, Northwind has a badge.

Safe to run again: nothing is added once the plan has a version.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dealreg.models import Registration
from incentives.models import EarningLine, PlanVersion
from incentives.services import (
    accrue_for_renewal,
    accrue_for_won,
    approve_due,
    boost_save,
    line_hold,
    payout_rule_save,
    plan_get,
    version_create_draft,
    version_publish,
    version_update,
)
from insights.models import RenewalOutcome
from prm.demo import days_ago, demo_clock
from prm.models import User

MANAGER_EMAIL = "manager@example.com"
D = Decimal


def _version(manager: User, *, at: date, data: dict[str, Any], payouts: list[dict], boosts=()) -> PlanVersion:
    """Draft, fill and publish a version as the manager did on `at` (it takes effect that day)."""
    moment = days_ago((timezone.localdate() - at).days, hour=9)
    with demo_clock(moment):
        version = version_create_draft(actor=manager)
        version_update(actor=manager, version=version, data=data)
        for payout in payouts:  # a draft starts as a copy of the version before: change what is there
            rule = version.payout_rules.filter(involvement=payout["involvement"], currency=payout.get("currency", ""))
            payout_rule_save(actor=manager, version=version, data=payout, rule=rule.first())
        for boost in boosts:
            boost_save(actor=manager, version=version, data=boost)
        version, _ = version_publish(actor=manager, version=version, effective_from=at)
    return version


def seed_plan(manager: User, today: date) -> tuple[PlanVersion, PlanVersion]:
    plan = plan_get()
    if plan.name != "Partner incentive plan 2026":
        plan.name = "Partner incentive plan 2026"
        plan.save(update_fields=["name", "updated_at"])
    v1 = _version(
        manager,
        at=today - timedelta(days=420),
        data={
            "first_win_bonus": "1000",
            "first_win_currency": "USD",
            "renewal_rebate_percent": "5",
            "notes": "Our first published plan: simple percentages, a welcome bonus on your first win.",
        },
        payouts=[
            {"involvement": "sourced", "kind": "percent", "percent": "10"},
            {"involvement": "influenced", "kind": "percent", "percent": "5"},
            {"involvement": "fulfilled", "kind": "fixed", "fixed_amount": "500", "currency": "EUR"},
            {"involvement": "fulfilled", "kind": "fixed", "fixed_amount": "550", "currency": "USD"},
        ],
    )
    v2_from = today - timedelta(days=95)
    v2 = _version(
        manager,
        at=v2_from,
        data={
            "first_win_bonus": "1000",
            "first_win_currency": "USD",
            "renewal_rebate_percent": "5",
            "notes": "Sourced deals earn more, and co-selling with us now pays too.",
        },
        payouts=[
            {"involvement": "sourced", "kind": "percent", "percent": "12"},
            {"involvement": "cosell", "kind": "percent", "percent": "4"},
        ],
        boosts=[
            {
                "name": "EMEA year-end push",
                "kind": "extra_percent",
                "value": "3",
                "starts_on": today - timedelta(days=40),
                "ends_on": today + timedelta(days=27),
                "region": "emea",
            }
        ],
    )
    return v1, v2


def seed_earnings(manager: User) -> int:
    """The won deals' lines, as the won hook would have accrued them; the due ones approved."""
    made = 0
    won = Registration.objects.filter(status=Registration.Status.WON, won_amount__isnull=False).order_by("closed_at")
    for registration in won:
        made += len(accrue_for_won(registration=registration))
    for renewal in RenewalOutcome.objects.filter(contract__partner__isnull=False).order_by("due_on"):
        made += len(accrue_for_renewal(renewal=renewal))
    approve_due()
    return made


def seed_incentives(*, stdout: Any = None) -> None:
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    if manager is None or plan_get().versions.exists():
        return
    today = timezone.localdate()
    with transaction.atomic():
        seed_plan(manager, today)
        made = seed_earnings(manager)
        held = _hold_one(manager)
        extras = _extras(manager, today)
    if stdout is not None:
        stdout.write(f"Incentives: a plan with two versions, {made} earning lines{held}{extras}.")


def _hold_one(manager: User) -> str:
    line = (
        EarningLine.objects.filter(partner__name="Brightpath Advisors", state=EarningLine.State.APPROVED)
        .order_by("-earned_on")
        .first()
    )
    if line is None:
        return ""
    line_hold(actor=manager, line=line, reason="Waiting for the customer's first payment (invoice 2026-114).")
    return ", one held"


def _extras(manager: User, today: date) -> str:
    """The payout runs, questions and recognition (each from its own service)."""
    return ""
