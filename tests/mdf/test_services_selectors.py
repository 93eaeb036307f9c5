"""Reads: access helpers (404 for other partners), the review queue, budgets, the ledger, payouts, what happens
next, attribution and ROI."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from dealreg.models import Registration
from mdf import selectors, services
from mdf.models import Claim, FundRequest, LedgerEntry, Period
from partners.models import Tier
from tests.dealreg.factories_registrations import RegistrationFactory
from tests.factories import PartnerFactory
from tests.mdf.factories import FundRequestFactory, approved_request, claimed_request, funded_budget

D = Decimal


def test_access_helpers_hide_other_partners_objects(partner_a, partner_b, budget_a):
    request = claimed_request(partner=partner_a, budget=budget_a)
    claim = request.claim
    proof = claim.proofs.get()
    assert selectors.access_request(partner=partner_a, pk=request.pk) == request
    assert selectors.access_claim(partner=partner_a, pk=claim.pk) == claim
    assert selectors.access_proof(partner=partner_a, pk=proof.pk) == proof
    for access, pk in [
        (selectors.access_request, request.pk),
        (selectors.access_claim, claim.pk),
        (selectors.access_proof, proof.pk),
    ]:
        with pytest.raises(Http404):
            access(partner=partner_b, pk=pk)


def test_review_queue_oldest_first_in_two_queries(partner_a, partner_b, budget_a, django_assert_num_queries):
    budget_b = funded_budget(partner_b, "5000")
    now = timezone.now()
    newer = FundRequestFactory(partner=partner_a, budget=budget_a, submitted_at=now - timedelta(hours=1))
    older = FundRequestFactory(partner=partner_b, budget=budget_b, submitted_at=now - timedelta(days=2))
    FundRequestFactory(partner=partner_a, budget=budget_a, status=FundRequest.Status.NEEDS_INFO)
    claimed = claimed_request(partner=partner_a, budget=budget_a)
    with django_assert_num_queries(2):
        requests, claims = selectors.review_queue()
        rows = [(r.partner.name, r.budget.period.name) for r in requests] + [c.request.title for c in claims]
    assert [r.pk for r in requests] == [older.pk, newer.pk]
    assert [c.pk for c in claims] == [claimed.claim.pk]
    assert len(rows) == 3


def test_lists_filter(partner_a, partner_b, budget_a):
    funded_budget(partner_b, "100")
    mine = FundRequestFactory(partner=partner_a, budget=budget_a, title="Cloud summit")
    FundRequestFactory(partner=partner_b, title="Other")
    assert list(selectors.requests_list(filters={"partner": partner_a.pk})) == [mine]
    assert list(selectors.requests_list(filters={"q": "summit"})) == [mine]
    assert list(selectors.requests_list(filters={"status": "approved"})) == []
    assert list(selectors.requests_for_partner(partner=partner_a)) == [mine]
    assert list(selectors.requests_for_partner(partner=partner_a, status="open")) == [mine]
    claimed = claimed_request(partner=partner_a, budget=budget_a)
    assert list(selectors.claims_list(filters={"status": "submitted"})) == [claimed.claim]
    assert list(selectors.claims_for_partner(partner=partner_b)) == []


def test_budgets_overview_shows_eligible_partners_without_a_budget(partner_a, budget_a, django_assert_max_num_queries):
    gold = Tier.objects.create(name="Gold", rank=3, mdf_eligible=True)
    waiting = PartnerFactory(name="Atlas Distribution", tier=gold)
    PartnerFactory(name="Not eligible")
    approved_request(partner=partner_a, budget=budget_a, amount="2500")
    with django_assert_max_num_queries(4):
        rows = selectors.budgets_overview(period=budget_a.period)
    assert [(r.partner, r.budget) for r in rows] == [(waiting, None), (partner_a, budget_a)]
    assert rows[1].balance.available == D("7500.00")
    assert rows[0].balance.allocated == D("0")


def test_ledger_entries_and_payouts_due(partner_a, budget_a, channel_manager):
    request = claimed_request(partner=partner_a, budget=budget_a)
    services.claim_approve(actor=channel_manager, claim=request.claim)
    assert list(selectors.payouts_due()) == [request.claim]
    kinds = [e.kind for e in selectors.ledger_entries(filters={"partner": partner_a})]
    assert kinds == ["reservation", "allocation"]
    assert [e.kind for e in selectors.ledger_entries(filters={"kind": "allocation"})] == ["allocation"]


def test_next_step_says_what_happens_next(partner_a, budget_a, channel_manager):
    request = FundRequestFactory(partner=partner_a, budget=budget_a)
    assert selectors.next_step(request).startswith("Your channel manager reviews it; a decision is due by")
    approved = approved_request(partner=partner_a, budget=budget_a)
    assert "file your claim with proof of performance by" in selectors.next_step(approved)
    claimed = claimed_request(partner=partner_a, budget=budget_a)
    claimed = selectors.access_request(partner=partner_a, pk=claimed.pk)
    assert selectors.next_step(claimed).startswith("We review your claim of $4,000.00")
    claim = services.claim_approve(actor=channel_manager, claim=claimed.claim)
    services.claim_pay(actor=channel_manager, claim=claim, paid_on=timezone.localdate(), reference="R-7")
    closed = selectors.access_request(partner=partner_a, pk=claimed.pk)
    assert selectors.next_step(closed).startswith("Paid $4,000.00 on")
    assert "R-7" in selectors.next_step(closed)
    for status in FundRequest.Status.values:
        request.status = status
        assert selectors.next_step(request)


def test_attribution_and_roi(partner_a, partner_b, partner_a_admin, budget_a, channel_manager):
    request = claimed_request(partner=partner_a, budget=budget_a)
    claim = services.claim_approve(actor=channel_manager, claim=request.claim)
    services.claim_pay(actor=channel_manager, claim=claim, paid_on=timezone.localdate(), reference="R")
    won = RegistrationFactory(
        partner=partner_a, status=Registration.Status.WON, value=D("30000"), won_amount=D("28000")
    )
    open_ = RegistrationFactory(partner=partner_a, status=Registration.Status.APPROVED, value=D("12000"))
    lost = RegistrationFactory(partner=partner_a, status=Registration.Status.LOST, value=D("9000"))
    draft = RegistrationFactory(partner=partner_a)
    theirs = RegistrationFactory(partner=partner_b, status=Registration.Status.SUBMITTED)
    assert set(selectors.attributable_registrations(request=request)) == {won, open_, lost}
    for registration in (won, open_, lost):
        services.attribution_add(actor=partner_a_admin, request=request, registration=registration)
    assert list(selectors.attributable_registrations(request=request)) == []
    with pytest.raises(ValidationError, match="already attributed"):
        services.attribution_add(actor=channel_manager, request=request, registration=won)
    for registration in (draft, theirs):
        with pytest.raises(ValidationError):
            services.attribution_add(actor=partner_a_admin, request=request, registration=registration)

    roi = selectors.roi_for_request(request)
    # Everything is in the reporting currency (USD): converted as it is, nothing left apart.
    assert (roi.paid.total, roi.leads, roi.pipeline.total, roi.won.total, roi.roi, roi.deals) == (
        D("4000.00"),
        35,
        D("42000.00"),
        D("28000.00"),
        D("7.00"),
        3,
    )
    assert roi.complete
    assert roi.currency == "USD"
    assert roi.won_recorded.amount("USD") == D("28000.00")
    [(partner, by_partner)] = selectors.roi_by_partner()
    assert partner == partner_a
    assert by_partner.roi == D("7.00")
    assert selectors.roi_by_partner(partners=[partner_b])[0][1].roi is None

    attribution = selectors.access_attribution(partner=partner_a, pk=won.mdf_attribution.pk)
    services.attribution_remove(actor=partner_a_admin, attribution=attribution)
    assert selectors.roi_for_request(request).won.total == D("0")


def test_attribution_needs_an_approved_request(partner_a, partner_a_admin, budget_a):
    request = FundRequestFactory(partner=partner_a, budget=budget_a)
    registration = RegistrationFactory(partner=partner_a, status=Registration.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="once its funds are approved"):
        services.attribution_add(actor=partner_a_admin, request=request, registration=registration)
    assert LedgerEntry.objects.count() == 1
    assert Claim.objects.count() == 0
    assert Period.objects.count() == 1


def test_manager_getters_periods_and_pools(partner_a, budget_a, channel_manager):
    request = claimed_request(partner=partner_a, budget=budget_a)
    assert selectors.request_get(pk=request.pk) == request
    assert selectors.claim_get(pk=request.claim.pk) == request.claim
    assert selectors.proof_get(pk=request.claim.proofs.get().pk).claim == request.claim
    with pytest.raises(Http404):
        selectors.request_get(pk=999999)
    periods = selectors.periods_list()
    assert periods[0].starts_on > budget_a.period.starts_on  # the next period exists for allocating ahead
    gold = Tier.objects.create(name="Gold", rank=3, mdf_eligible=True)
    pool = services.pool_set(actor=channel_manager, period=budget_a.period, tier=gold, amount=D("5000"))
    services.allocation_create(
        actor=channel_manager, partner=PartnerFactory(tier=gold), period=budget_a.period, amount=D("1200"), pool=pool
    )
    assert selectors.pools_overview(period=budget_a.period) == [(pool, D("3800.00"))]
