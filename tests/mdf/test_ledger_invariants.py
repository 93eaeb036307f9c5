"""The ledger's invariants, checked after every step of random sequences of real operations (allocations and
corrections, requests, approvals, cancellations, claims, payouts, expiries):

- a budget's balance is exactly the sum of its entries, by kind;
- nothing goes negative (available, reserved, paid) unless overspending is allowed;
- what each request holds on the budget follows its state: its approved amount while approved, its claim's
  approved amount once the claim is approved, nothing once it is closed, cancelled, rejected or expired;
- paid is the sum of the paid claims.
Refusals (ValidationError) are legitimate outcomes of a random step; anything else fails the test."""

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from mdf import services
from mdf.ledger import balance_of, request_reserved
from mdf.models import Claim, FundRequest, LedgerEntry
from tests.mdf.factories import pdf_upload, set_mdf

D = Decimal
STEPS = 80


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return D(rng.randint(low * 100, high * 100)) / 100


def _check(budget) -> None:
    sums = defaultdict(lambda: D("0"))
    for kind, amount in LedgerEntry.objects.filter(budget=budget).values_list("kind", "amount"):
        sums[kind] += amount
    balance = balance_of(budget)
    assert balance.allocated == sums["allocation"]
    assert balance.reserved == sums["reservation"] - sums["release"] - sums["payout"]
    assert balance.paid == sums["payout"]
    assert balance.expired == sums["expiry"]
    assert balance.available == balance.allocated - balance.reserved - balance.paid - balance.expired
    assert balance.available >= 0, balance
    assert balance.reserved >= 0, balance
    assert balance.paid >= 0
    paid_claims = Claim.objects.filter(request__budget=budget, status=Claim.Status.PAID).aggregate(s=Sum("paid_amount"))
    assert balance.paid == (paid_claims["s"] or D("0"))
    held = D("0")
    for request in FundRequest.objects.filter(budget=budget).select_related("claim"):
        reserved = request_reserved(request)
        claim = getattr(request, "claim", None)
        if request.status == FundRequest.Status.APPROVED:
            assert reserved == request.approved_amount
        elif request.status == FundRequest.Status.CLAIMED and claim.status == Claim.Status.APPROVED:
            assert reserved == claim.approved_amount
        elif request.status == FundRequest.Status.CLAIMED:
            assert reserved == request.approved_amount
        else:
            assert reserved == 0, (request.status, reserved)
        held += reserved
    assert held == balance.reserved


@pytest.mark.parametrize("seed", range(6))
def test_random_operations_keep_the_ledger_consistent(seed, partner_a, partner_a_admin, channel_manager):
    rng = random.Random(seed)
    set_mdf(admin_approval_above=None)
    period = services.current_period()
    budget = services.budget_for(partner=partner_a, period=period)
    services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=D("20000"))
    today = timezone.localdate()

    def submit():
        cost = _amount(rng, 100, 12000)
        share = D(rng.choice([0, 25, 50]))
        most = (cost * (100 - share) / 100).quantize(D("0.01"), rounding="ROUND_DOWN")
        services.request_submit(
            actor=partner_a_admin,
            partner=partner_a,
            budget=budget,
            activity_type="event",
            title=f"Activity {rng.randint(1, 10**6)}",
            starts_on=today + timedelta(days=3),
            ends_on=today + timedelta(days=4),
            total_cost=cost,
            partner_share_percent=share,
            requested_amount=max(D("0.01"), (most * D(rng.choice([1, 0.5, 1.2]))).quantize(D("0.01"))),
        )

    def pick(status, model=FundRequest):
        rows = list(model.objects.filter(status=status).order_by("pk"))
        if not rows:
            raise LookupError
        return rng.choice(rows)

    def approve():
        request = pick(FundRequest.Status.SUBMITTED)
        amount = None if rng.random() < 0.5 else _amount(rng, 1, int(request.requested_amount) + 1)
        services.request_approve(actor=channel_manager, request=request, amount=amount)

    def claim():
        request = pick(FundRequest.Status.APPROVED)
        services.claim_submit(
            actor=partner_a_admin,
            request=request,
            actual_cost=request.total_cost,
            amount_claimed=_amount(rng, 1, int(request.approved_amount) + 1),
            proofs=[(pdf_upload(), "invoice")],
        )

    def approve_claim():
        found = pick(Claim.Status.SUBMITTED, Claim)
        amount = None if rng.random() < 0.5 else _amount(rng, 1, int(found.amount_claimed) + 1)
        services.claim_approve(actor=channel_manager, claim=found, amount=amount)

    def pay():
        found = pick(Claim.Status.APPROVED, Claim)
        amount = None if rng.random() < 0.7 else _amount(rng, 1, int(found.approved_amount) + 1)
        services.claim_pay(actor=channel_manager, claim=found, paid_on=today, reference="R", amount=amount)

    def expire():
        request = pick(FundRequest.Status.APPROVED)
        FundRequest.objects.filter(pk=request.pk).update(claim_deadline=today - timedelta(days=1))
        services.requests_expire_due(now=timezone.now())

    operations = [
        (submit, 6),
        (approve, 4),
        (lambda: services.request_reject(actor=channel_manager, request=pick("submitted"), reason="No"), 1),
        (lambda: services.request_ask_info(actor=channel_manager, request=pick("submitted"), question="?"), 1),
        (lambda: services.request_resubmit(actor=partner_a_admin, request=pick("needs_info")), 1),
        (
            lambda: services.request_cancel(actor=partner_a_admin, request=pick(rng.choice(["approved", "submitted"]))),
            1,
        ),
        (claim, 3),
        (approve_claim, 3),
        (lambda: services.claim_reject(actor=channel_manager, claim=pick("submitted", Claim), reason="No"), 1),
        (pay, 3),
        (expire, 1),
        (
            lambda: services.allocation_create(
                actor=channel_manager, partner=partner_a, period=period, amount=_amount(rng, -3000, 3000)
            ),
            2,
        ),
    ]
    functions = [op for op, weight in operations for _ in range(weight)]
    done = 0
    for _ in range(STEPS):
        try:
            rng.choice(functions)()
            done += 1
        except (ValidationError, LookupError):
            continue
        finally:
            _check(budget)
    assert done >= 8  # the sequence did real work, not only refusals
    kinds = set(LedgerEntry.objects.filter(budget=budget).values_list("kind", flat=True))
    assert {"allocation", "reservation", "release"} <= kinds
