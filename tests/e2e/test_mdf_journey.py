"""The MDF journey in a real browser: a partner requests funds (and is told the most it may ask), the channel
manager approves part of it, the partner claims with a proof file, the manager pays, and the partner sees the paid
status and its new balance."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mdf import services
from mdf.models import Claim, FundRequest
from tests.e2e.test_journeys import sign_in
from tests.mdf.factories import PDF_BYTES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_request_approve_claim_pay(live_server, new_page, shot, channel_manager, partner_a, partner_a_admin, tmp_path):
    base = live_server.url
    services.allocation_create(
        actor=channel_manager, partner=partner_a, period=services.current_period(), amount=Decimal("10000")
    )

    # 1. The partner's admin sees its balance and requests funds.
    anna = new_page()
    sign_in(anna, base, partner_a_admin.email)
    anna.goto(f"{base}/portal/mdf/")
    assert anna.get_by_test_id("available").first.inner_text() == "$10,000.00"
    shot(anna, "mdf_portal_index_funded")
    anna.get_by_role("button", name="Request funds").first.click()
    anna.wait_for_url(re.compile(r"/portal/mdf/requests/new/$"))
    start = timezone.localdate() + timedelta(days=1)
    anna.select_option("select[name=activity_type]", "event")
    anna.fill("input[name=title]", "Cloud security breakfast")
    anna.fill("input[name=starts_on]", start.isoformat())
    anna.fill("input[name=ends_on]", (start + timedelta(days=1)).isoformat())
    anna.fill("textarea[name=description]", "A breakfast for 40 IT leads, with a live demo.")
    anna.fill("input[name=expected_leads]", "40")
    anna.fill("input[name=total_cost]", "8,000")
    anna.fill("input[name=partner_share_percent]", "25")
    anna.fill("input[name=requested_amount]", "7000")
    # The hints say the most she may ask while she types.
    anna.get_by_test_id("ceiling").filter(has_text="$6,000.00").wait_for()
    anna.get_by_text("ask for at most $6,000.00").wait_for()
    shot(anna, "mdf_portal_request_form")
    anna.get_by_role("button", name="Send the request").click()
    # Refused next to the field, with everything she typed still there.
    anna.get_by_text("You can ask for at most $6,000.00").wait_for()
    assert anna.input_value("input[name=title]") == "Cloud security breakfast"
    shot(anna, "mdf_portal_request_form_error")
    anna.fill("input[name=requested_amount]", "6000")
    anna.get_by_role("button", name="Send the request").click()
    anna.wait_for_url(re.compile(r"/portal/mdf/requests/\d+/$"))
    assert anna.get_by_text("Request sent to your channel manager").is_visible()
    request = FundRequest.objects.get()
    assert request.requested_amount == Decimal("6000.00")
    shot(anna, "mdf_portal_request_submitted")

    # 2. The channel manager approves part of it.
    manager = new_page()
    sign_in(manager, base, channel_manager.email)
    manager.goto(f"{base}/manage/mdf/requests/{request.pk}/")
    manager.fill("#approve-amount", "4500")
    manager.fill("#approve-reason", "The catering is on us next time.")
    with manager.expect_navigation():
        manager.get_by_role("button", name="Approve", exact=True).click()
    request.refresh_from_db()
    assert request.status == FundRequest.Status.APPROVED
    assert request.approved_amount == Decimal("4500.00")

    # 3. The partner sees the partial approval and files the claim with a proof file.
    anna.reload()
    assert anna.get_by_text("We approved $4,500.00 of the $6,000.00 you asked for").is_visible()
    shot(anna, "mdf_portal_request_approved")
    anna.get_by_role("button", name="File the claim").click()
    anna.wait_for_url(re.compile(r"/portal/mdf/requests/\d+/claim/$"))
    invoice = tmp_path / "catering-invoice.pdf"
    invoice.write_bytes(PDF_BYTES)
    anna.fill("input[name=actual_cost]", "7,800")
    anna.fill("input[name=amount_claimed]", "5000")
    anna.fill("input[name=leads]", "32")
    anna.fill("textarea[name=results]", "38 people came; 32 leads, 4 opportunities.")
    anna.set_input_files("input[name=proof_invoice]", str(invoice))
    shot(anna, "mdf_portal_claim_form")
    anna.get_by_role("button", name="Send the claim").click()
    # Too much: refused, and the invoice she chose is kept so she need not find it again.
    anna.get_by_text("$4,500.00 was approved for this activity: claim that or less.").wait_for()
    assert anna.get_by_text("Kept from your last try").is_visible()
    assert anna.input_value("textarea[name=results]") == "38 people came; 32 leads, 4 opportunities."
    shot(anna, "mdf_portal_claim_form_error")
    anna.fill("input[name=amount_claimed]", "4500")
    anna.get_by_role("button", name="Send the claim").click()
    anna.wait_for_url(re.compile(r"/portal/mdf/claims/\d+/$"))
    assert anna.get_by_text("Claim sent.").is_visible()
    assert anna.get_by_role("link", name="catering-invoice.pdf").is_visible()
    claim = Claim.objects.get()
    assert claim.proofs.get().original_name == "catering-invoice.pdf"

    # 4. The manager approves the claim and records the payment.
    manager.goto(f"{base}/manage/mdf/claims/{claim.pk}/")
    with manager.expect_navigation():
        manager.get_by_role("button", name="Approve", exact=True).click()
    manager.fill("input[name=paid_on]", timezone.localdate().isoformat())
    manager.fill("input[name=reference]", "PAY-2026-0042")
    with manager.expect_navigation():
        manager.get_by_role("button", name="Record the payment").click()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    assert claim.paid_amount == Decimal("4500.00")

    # 5. The partner sees the paid status and its new balance.
    anna.reload()
    assert anna.locator(".mdf-state .mdf-status").inner_text() == "Paid"
    assert anna.get_by_test_id("paid-amount").inner_text() == "$4,500.00"
    assert "$5,500.00 available" in anna.get_by_test_id("balance-available").inner_text()
    assert anna.get_by_text("PAY-2026-0042").first.is_visible()
    shot(anna, "mdf_portal_claim_paid")
    with anna.expect_download() as download:
        anna.get_by_role("link", name="catering-invoice.pdf").click()
    assert download.value.suggested_filename == "catering-invoice.pdf"
    anna.goto(f"{base}/portal/mdf/")
    assert anna.get_by_test_id("available").first.inner_text() == "$5,500.00"
    assert anna.get_by_role("cell", name="Paid", exact=True).first.is_visible()
    shot(anna, "mdf_portal_index_paid")
