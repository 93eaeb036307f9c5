"""What needs the channel team now: every queue counted with data, with its SLA clock and link, in a fixed number
of queries; the navigation's badges; the renewals charted on the dashboard."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone

from dealreg.models import Registration
from insights import queues
from insights import renewals as renewal_selectors
from insights.models import ActionItem, CustomerContract, RenewalOutcome, Review
from mdf.models import Claim, FundRequest
from partners.models import Partner, PartnerStep, Program, Tier, TierProposal
from prm.badges import BadgeItem, nav_badges, register_badges, unregister_badges
from prm.models import ExchangeRate
from tests.dealreg.factories_registrations import SubmittedRegistrationFactory
from tests.factories import PartnerFactory
from tests.mdf.factories import FundRequestFactory, claimed_request, funded_budget
from tests.partners.factories_recruitment import give_steps, submit_application

D = Decimal


def by_key(items):
    return {q.key: q for q in items}


def test_an_empty_program_waits_for_nothing(db):
    found = by_key(queues.needs_me_now())
    assert set(found) == {
        "deals",
        "conflicts",
        "mdf_requests",
        "mdf_claims",
        "applications",
        "proposals",
        "stalled",
        "actions",
    }
    assert all(q.count == 0 for q in found.values())
    assert found["deals"].clock == ""


def test_deals_awaiting_a_decision_with_their_sla_clocks_and_conflicts(db):
    now = timezone.now()
    SubmittedRegistrationFactory(decision_due_at=now - timedelta(hours=30))  # overdue
    SubmittedRegistrationFactory(decision_due_at=now + timedelta(hours=5.5), has_conflict=True)  # next due
    SubmittedRegistrationFactory(decision_due_at=now + timedelta(days=2))
    SubmittedRegistrationFactory(status=Registration.Status.APPROVED, has_conflict=True)  # decided: not waiting
    SubmittedRegistrationFactory(status=Registration.Status.NEEDS_INFO)  # waits for the partner, not for us

    found = by_key(queues.needs_me_now(now=now))

    deals = found["deals"]
    assert (deals.count, deals.overdue) == (3, 1)
    assert deals.next_due == now + timedelta(hours=5.5)
    assert deals.clock == "next due in 5 hours"
    assert deals.url == "/manage/deals/review/"
    conflicts = found["conflicts"]
    assert conflicts.count == 1
    assert conflicts.url == "/manage/deals/?status=submitted&conflict=1"
    assert not conflicts.in_badge  # a subset of the deals awaiting a decision: never counted twice


def test_mdf_requests_and_claims_to_review(partner_a):
    now = timezone.now()
    budget = funded_budget(partner_a, "20000")
    FundRequestFactory(partner=partner_a, budget=budget, decision_due_at=now - timedelta(days=1))
    FundRequestFactory(partner=partner_a, budget=budget, status=FundRequest.Status.AWAITING_ADMIN)
    FundRequestFactory(partner=partner_a, budget=budget, status=FundRequest.Status.REJECTED)
    claimed_request(partner=partner_a, budget=budget, amount="1000")
    claimed_request(partner=partner_a, budget=budget, amount="1000", claim_status=Claim.Status.APPROVED)

    found = by_key(queues.needs_me_now(now=now))

    assert (found["mdf_requests"].count, found["mdf_requests"].overdue) == (2, 1)
    assert (found["mdf_claims"].count, found["mdf_claims"].overdue) == (1, 0)
    assert found["mdf_claims"].clock.startswith("next due in ")
    assert found["mdf_requests"].url == found["mdf_claims"].url == "/manage/mdf/"


def test_applications_and_tier_proposals(db):
    submit_application()
    submit_application(name="Second Co", website="https://second.example.com", contact_email="a@second.example.com")
    gold = Tier.objects.create(name="Gold", rank=3)
    one, two = PartnerFactory(), PartnerFactory()
    TierProposal.objects.create(partner=one, proposed_tier=gold, is_promotion=True)
    TierProposal.objects.create(partner=two, proposed_tier=gold, is_promotion=True, status="rejected")

    found = by_key(queues.needs_me_now())

    assert (found["applications"].count, found["applications"].url) == (2, "/manage/applications/")
    assert (found["proposals"].count, found["proposals"].url) == (1, "/manage/tiers/proposals/")


def test_stalled_onboarding_follows_the_checklist_rule(db):
    """Stalled: the first step not done has waited stall_days since the approval or the last earlier step."""
    Program.objects.update_or_create(pk=1, defaults={"stall_days": 3})
    now = timezone.now()

    def onboarding(approved_days_ago: float, done: int) -> Partner:
        partner = PartnerFactory(status=Partner.Status.ONBOARDING)
        Partner.objects.filter(pk=partner.pk).update(approved_at=now - timedelta(days=approved_days_ago))
        give_steps(partner, done=done)
        return partner

    stuck = onboarding(10, 0)  # nothing done for 10 days
    onboarding(1, 0)  # approved yesterday
    recent = onboarding(10, 1)  # step 1 done just now: step 2 has waited minutes
    late_step = onboarding(10, 1)
    PartnerStep.objects.filter(partner=late_step, completed_at__isnull=False).update(
        completed_at=now - timedelta(days=4)
    )
    out_of_order = onboarding(10, 0)  # a later step done yesterday does not unblock the first one
    PartnerStep.objects.filter(partner=out_of_order, order=PartnerStep.objects.filter(partner=out_of_order).order_by(
        "-order").values("order")[:1]).update(completed_at=now - timedelta(days=1))  # fmt: skip
    finished = onboarding(10, 4)  # every step done (about to become active)

    stalled = set(queues.stalled_onboarding(stall_days=3, now=now).values_list("pk", flat=True))

    assert stalled == {stuck.pk, late_step.pk, out_of_order.pk}
    assert recent.pk not in stalled
    assert finished.pk not in stalled
    found = by_key(queues.needs_me_now(now=now))["stalled"]
    assert found.count == 3
    assert found.url == "/manage/partners/?status=onboarding"
    assert found.note == "a step waiting 3+ days"


def test_stall_reminders_off_means_nothing_is_stalled(db):
    Program.objects.update_or_create(pk=1, defaults={"stall_days": 0})
    partner = PartnerFactory(status=Partner.Status.ONBOARDING)
    Partner.objects.filter(pk=partner.pk).update(approved_at=timezone.now() - timedelta(days=30))
    give_steps(partner, done=0)
    assert by_key(queues.needs_me_now())["stalled"].count == 0


def test_overdue_review_actions(partner_a):
    today = timezone.localdate()
    review = Review.objects.create(partner=partner_a, scheduled_on=today - timedelta(days=20))
    ActionItem.objects.create(
        review=review, partner=partner_a, title="Send the case study", due_on=today - timedelta(1)
    )
    ActionItem.objects.create(review=review, partner=partner_a, title="Due today", due_on=today)
    ActionItem.objects.create(
        review=review, partner=partner_a, title="Done late", due_on=today - timedelta(5), done_at=timezone.now()
    )
    actions = by_key(queues.needs_me_now())["actions"]
    assert actions.count == 1
    assert actions.url == "/manage/insights/reviews/actions/?overdue=1"


def test_needs_me_now_is_one_query_whatever_the_data(db, django_assert_num_queries):
    Program.objects.update_or_create(pk=1, defaults={"stall_days": 3})
    for _ in range(5):
        SubmittedRegistrationFactory(decision_due_at=timezone.now() + timedelta(hours=1))
        p = PartnerFactory(status=Partner.Status.ONBOARDING)
        give_steps(p, done=1)
    with django_assert_num_queries(1):
        queues.needs_me_now()


def test_a_fresh_install_without_program_settings_still_counts(db):
    Program.objects.all().delete()
    SubmittedRegistrationFactory()
    assert by_key(queues.needs_me_now())["deals"].count == 1
    assert Program.objects.filter(pk=1).exists()


# --- Badges -------------------------------------------------------------------------------------------------------


def test_badges_sum_the_queues_of_each_section(db):
    submit_application()
    SubmittedRegistrationFactory(has_conflict=True)
    SubmittedRegistrationFactory()
    request = RequestFactory().get("/manage/")

    badges = nav_badges(request)

    assert badges["partners"].count == 1
    assert badges["partners"].title == "1 application to review"
    assert badges["deals"].count == 2  # the conflict is one of the two deals waiting, not a third thing
    assert badges["deals"].title == "2 deals awaiting a decision"
    assert "mdf" not in badges
    assert "insights" not in badges


def test_the_queues_are_computed_once_per_request(db, django_assert_num_queries):
    request = RequestFactory().get("/manage/")
    with django_assert_num_queries(1):
        queues.for_request(request)
        nav_badges(request)
        queues.for_request(request)


def test_providers_of_other_apps_add_to_a_section(db):
    register_badges("test-extra", lambda request: [BadgeItem("deals", 4, "extensions to decide")])
    try:
        SubmittedRegistrationFactory()
        badge = nav_badges(RequestFactory().get("/manage/"))["deals"]
    finally:
        unregister_badges("test-extra")
    assert badge.count == 5
    assert badge.title == "1 deal awaiting a decision, 4 extensions to decide"


# --- Renewals -------------------------------------------------------------------------------------------------------


@pytest.fixture
def renewals(db):
    today = date(2026, 3, 15)
    ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=date(2026, 3, 1), rate=D("1.10"))
    partner = PartnerFactory(name="Alpha")

    def contract(name, renewal_on, amount, currency="USD", partner=partner, status="active"):
        return CustomerContract.objects.create(
            customer_name=name, partner=partner, starts_on=date(2025, 4, 1), amount=D(amount), currency=currency,
            renewal_on=renewal_on, status=status,
        )  # fmt: skip

    contract("This month", date(2026, 3, 30), 1000)
    contract("Next month EUR", date(2026, 4, 2), 2000, "EUR")
    contract("Next month GBP", date(2026, 4, 20), 500, "GBP")  # no GBP rate: listed apart
    contract("Direct", date(2026, 5, 1), 300, partner=None)
    contract("Churned", date(2026, 5, 2), 999, status="churned")
    contract("Too far", date(2026, 9, 1), 700)
    past = contract("Past", date(2026, 1, 10), 100)
    RenewalOutcome.objects.create(
        contract=past, due_on=date(2026, 1, 10), outcome="renewed", new_amount=120, currency="USD"
    )
    direct = contract("Past direct", date(2026, 2, 1), 100, partner=None)
    RenewalOutcome.objects.create(contract=direct, due_on=date(2026, 2, 1), outcome="churned", currency="USD")
    return today, partner


def test_renewals_coming_up_per_month(renewals):
    today, _ = renewals
    months = renewal_selectors.renewals_upcoming(currency="USD", today=today)
    assert [m.month for m in months] == [date(2026, m, 1) for m in range(3, 9)]
    assert [m.count for m in months] == [1, 2, 1, 0, 0, 0]
    april = months[1]
    assert april.total.total == D("2200.00")  # EUR 2,000 at March's 1.10 (the future has no rates yet)
    assert april.total.unconverted.amount("GBP") == D("500")
    assert april.amounts.amount("EUR") == D("2000")
    assert april.total.note == "converted at March 2026 rates"


def test_renewals_narrowed_to_partners_leave_direct_customers_out(renewals):
    today, partner = renewals
    months = renewal_selectors.renewals_upcoming(
        currency="USD", today=today, partners=Partner.objects.filter(pk=partner.pk)
    )
    assert [m.count for m in months] == [1, 2, 0, 0, 0, 0]


def test_renewal_outcomes_in_a_period(renewals):
    rows = {
        r.outcome: r
        for r in renewal_selectors.renewal_outcomes(start=date(2026, 1, 1), end=date(2026, 3, 31), currency="USD")
    }
    assert (rows["renewed"].count, rows["renewed"].partner_count, rows["renewed"].total.total) == (1, 1, D("120.00"))
    assert (rows["churned"].count, rows["churned"].partner_count) == (1, 0)
    assert rows["expanded"].count == 0
