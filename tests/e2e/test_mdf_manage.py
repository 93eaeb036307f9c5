"""The channel team's MDF pages in a real browser: the review queue, a partial approval (after a typo that comes
back next to the field), the claim with its proof and the payout from the payouts due, budgets, a CSV import with
row errors, the ledger, ROI and settings. Screenshots go to var/screenshots/mdf_manage_*.png."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mdf import services
from mdf.models import Claim, FundRequest
from partners.models import Tier
from tests.e2e.test_journeys import sign_in
from tests.factories import PartnerFactory
from tests.mdf.factories import FundRequestFactory, claimed_request, funded_budget

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
D = Decimal


def _world(channel_manager, partner_a, partner_b):
    gold = Tier.objects.get_or_create(name="Gold", defaults={"rank": 30, "mdf_eligible": True})[0]
    period = services.current_period()
    services.pool_set(actor=channel_manager, period=period, tier=gold, amount=D("60000"))
    partner_a.tier = gold
    partner_a.save(update_fields=["tier"])
    budget_a = funded_budget(partner_a, "25000")
    budget_b = funded_budget(partner_b, "6000")
    PartnerFactory(name="Fabrikam Gold", tier=gold)
    now = timezone.now()
    webinar = FundRequestFactory(
        partner=partner_a,
        budget=budget_a,
        title="Data platform webinar series",
        activity_type=FundRequest.ActivityType.WEBINAR,
        total_cost=D("9000"),
        requested_amount=D("4500"),
        expected_leads=120,
        expected_pipeline=D("180000"),
        description="Three webinars with our solution architects, promoted to 4,000 contacts.",
        submitted_at=now - timedelta(hours=20),
        decision_due_at=now + timedelta(hours=28),
    )
    FundRequestFactory(
        partner=partner_b,
        budget=budget_b,
        title="Regional roadshow",
        total_cost=D("16000"),
        requested_amount=D("8000"),
        submitted_at=now - timedelta(days=4),
        decision_due_at=now - timedelta(days=1, hours=3),
    )
    booth = claimed_request(partner=partner_a, budget=budget_a, title="Trade show booth", claimed="3600")
    paid_soon = claimed_request(
        partner=partner_b,
        budget=budget_b,
        title="Google Ads, spring",
        activity_type=FundRequest.ActivityType.DIGITAL,
        total_cost=D("2000"),
        requested_amount=D("1500"),
    )
    services.claim_approve(actor=channel_manager, claim=paid_soon.claim)
    return {"webinar": webinar, "booth": booth, "ads": paid_soon, "period": period}


def test_the_channel_team_works_through_mdf(live_server, new_page, shot, channel_manager, partner_a, partner_b):
    world = _world(channel_manager, partner_a, partner_b)
    base = live_server.url
    page = new_page()
    sign_in(page, base, channel_manager.email)
    page.wait_for_url(f"{base}/manage/")

    page.goto(f"{base}/manage/mdf/")
    assert page.get_by_role("heading", name="MDF waiting for you").is_visible()
    assert page.get_by_text("overdue by 1 day").is_visible()
    shot(page, "mdf_manage_queue")

    # A partial approval, after a typo.
    page.get_by_role("link", name="Data platform webinar series").click()
    page.wait_for_url(re.compile(r"/manage/mdf/requests/\d+/$"))
    assert page.get_by_text("Approving $4,500.00 leaves").is_visible()
    shot(page, "mdf_manage_request")
    page.fill("#approve-amount", "3,000.0.0")
    page.fill("#approve-reason", "Two webinars this quarter, the third next quarter.")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text("Give the amount to approve as a number").is_visible()
    assert page.input_value("#approve-reason") == "Two webinars this quarter, the third next quarter."
    shot(page, "mdf_manage_request_error")
    page.fill("#approve-amount", "3000")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text("Approved in part: $3,000.00 reserved.").is_visible()
    shot(page, "mdf_manage_request_approved")
    webinar = FundRequest.objects.get(pk=world["webinar"].pk)
    assert (webinar.status, webinar.approved_amount) == ("approved", D("3000.00"))

    # The claim with its proof.
    page.goto(f"{base}/manage/mdf/claims/{world['booth'].claim.pk}/")
    assert page.get_by_role("link", name="invoice.pdf").is_visible()
    shot(page, "mdf_manage_claim")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text("Record the payment").first.is_visible()

    # Payouts due: pay the ads claim from the list.
    page.goto(f"{base}/manage/mdf/payouts/")
    shot(page, "mdf_manage_payouts")
    page.get_by_label("Payment reference for Google Ads, spring").fill("TRF-20418")
    page.get_by_role("row", name=re.compile("Google Ads")).get_by_role("button", name="Paid").click()
    assert page.get_by_text("(reference TRF-20418)").is_visible()
    assert Claim.objects.get(pk=world["ads"].claim.pk).status == Claim.Status.PAID

    page.goto(f"{base}/manage/mdf/budgets/")
    assert page.get_by_text("eligible, nothing allocated").is_visible()
    shot(page, "mdf_manage_budgets")

    page.goto(f"{base}/manage/mdf/budgets/import/")
    page.fill(
        "textarea[name=text]",
        "partner,amount,memo\nNorthwind Solutions,5000,Events\nNorthwnd Ltd,200,\nContoso Partners,lots,\n",
    )
    page.get_by_role("button", name="Check the rows").click()
    assert page.get_by_text("Nothing is written while a row has a problem").is_visible()
    shot(page, "mdf_manage_import_errors")

    page.goto(f"{base}/manage/mdf/ledger/?partner={partner_a.pk}")
    shot(page, "mdf_manage_ledger")
    page.goto(f"{base}/manage/mdf/roi/")
    shot(page, "mdf_manage_roi")
    page.goto(f"{base}/manage/mdf/settings/")
    shot(page, "mdf_manage_settings")
