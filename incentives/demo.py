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

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dealreg.models import Registration
from enablement.services.common import add_months
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
    done = [_questions(manager), _recognition(manager, today), _payouts(manager, today)]
    return "".join(done)


def _questions(manager: User) -> str:
    from incentives.services.questions import question_ask, question_reply

    marco = User.objects.filter(email="marco@atlas-dist.example.com").first()
    anna = User.objects.filter(email="anna@northwind.example.com").first()
    made = 0
    atlas = EarningLine.objects.filter(partner__name="Atlas Distribution", rule_kind="deal_payout").order_by("pk")
    if marco and (line := atlas.first()):
        with demo_clock(days_ago(20, hour=11)):
            question = question_ask(
                actor=marco, line=line, body="Is this the full payout? We expected the boost on this deal too."
            )
            question_reply(
                actor=manager,
                question=question,
                body="The deal was approved under version 1, before the boost existed: v1 applies to the whole deal. "
                "Deals approved since v2 get the EMEA boost.",
            )
        made += 1
    northwind = EarningLine.objects.filter(partner__name="Northwind Solutions").order_by("-pk")
    if anna and (line := northwind.first()):
        with demo_clock(days_ago(2, hour=15)):
            question_ask(actor=anna, line=line, body="When will this one be paid? Our finance team asks.")
        made += 1
    return f", {made} questions about lines" if made else ""


def _recognition(manager: User, today: date) -> str:
    from incentives.services.recognition import recognition_award
    from partners.models import Partner

    atlas = Partner.objects.filter(name="Atlas Distribution").first()
    northwind = Partner.objects.filter(name="Northwind Solutions").first()
    if not (atlas and northwind):
        return ""
    with demo_clock(days_ago(35, hour=10)):
        recognition_award(
            actor=manager,
            partner=atlas,
            kind="quarter",
            title="",
            citation="The most partner-sourced revenue of the quarter, and two new resellers onboarded.",
            awarded_on=timezone.localdate(),
        )
        recognition_award(
            actor=manager,
            partner=northwind,
            kind="badge",
            title="Fastest to first deal",
            citation="A won deal 41 days after signing the agreement.",
            awarded_on=timezone.localdate(),
        )
    return ", 2 recognitions"


def _payouts(manager: User, today: date) -> str:
    """A paid run for the lines earned before last quarter, a run for the quarter after it waiting for approval."""
    try:
        from incentives.services import payouts
    except ImportError:
        return ""
    first = EarningLine.objects.order_by("earned_on").values_list("earned_on", flat=True).first()
    if first is None:
        return ""
    paid_end = add_months(today.replace(day=1), -4) - timedelta(days=1)
    draft_start, draft_end = paid_end + timedelta(days=1), add_months(today.replace(day=1), -1) - timedelta(days=1)
    made = []
    with demo_clock(days_ago((today - paid_end).days - 5, hour=10)):
        run = payouts.run_create(actor=manager, period_start=first, period_end=paid_end, notes="First payout run.")
        payouts.run_approve(actor=manager, run=run)
        payouts.run_mark_paid(actor=manager, run=run, payment_reference="WIRE-2026-0412", paid_on=timezone.localdate())
        made.append("a paid payout run")
    try:
        with demo_clock(days_ago(3, hour=9)):
            payouts.run_create(actor=manager, period_start=draft_start, period_end=draft_end, notes="")
        made.append("a run waiting for approval")
    except ValidationError:
        pass
    return ", " + " and ".join(made)
