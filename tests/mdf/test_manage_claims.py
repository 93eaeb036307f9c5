"""One claim through the channel team's pages: what was approved beside what is claimed, proof files (private
downloads), approve fully or partly, reject, ask for more proof, record the payout (on the claim and from the
payouts due). Bad input comes back next to the field, never a 500."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mdf.ledger import balance_of
from mdf.models import Claim, FundRequest
from prm.models import AuditEvent, Notification
from tests.mdf.factories import PDF_BYTES, claimed_request

pytestmark = pytest.mark.django_db
D = Decimal


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def claim(partner_a, partner_a_admin, budget_a):
    """4,000 approved and reserved, 3,500 claimed with one invoice."""
    fr = claimed_request(partner=partner_a, budget=budget_a, created_by=partner_a_admin, title="Booth", claimed="3500")
    return fr.claim


@pytest.fixture
def approved_claim(claim, manager_client):
    manager_client.post(reverse("manage:mdf_claim_decide", args=[claim.pk]), {"action": "approve", "amount": "3500"})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    return claim


def decide(client, claim, **data):
    return client.post(reverse("manage:mdf_claim_decide", args=[claim.pk]), data)


def test_detail_shows_approved_beside_claimed_with_the_proof(manager_client, claim):
    response = manager_client.get(reverse("manage:mdf_claim", args=[claim.pk]))
    text = body(response)
    assert response.status_code == 200
    assert "What was approved" in text
    assert "What is claimed" in text
    assert "$4,000.00" in text
    assert "$3,500.00" in text
    assert "$500.00 less than approved" in text
    proof = claim.proofs.get()
    assert reverse("manage:mdf_proof", args=[proof.pk]) in text
    assert "invoice.pdf" in text
    assert "Forty people came" in text
    assert 'value="3500.00"' in text


def test_proof_download_is_private_and_for_managers(manager_client, claim, admin_client_a):
    proof = claim.proofs.get()
    response = manager_client.get(reverse("manage:mdf_proof", args=[proof.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert admin_client_a.get(reverse("manage:mdf_proof", args=[proof.pk])).status_code == 404
    assert manager_client.get(reverse("manage:mdf_proof", args=[987654])).status_code == 404


def test_missing_proof_file_is_a_404_not_a_500(manager_client, claim):
    proof = claim.proofs.get()
    proof.file.storage.delete(proof.file.name)
    assert manager_client.get(reverse("manage:mdf_proof", args=[proof.pk])).status_code == 404


def test_approve_in_full_then_pay(manager_client, claim, budget_a, partner_a_admin):
    response = decide(manager_client, claim, action="approve", amount="3500")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.approved_amount) == ("approved", D("3500.00"))
    balance = balance_of(budget_a)
    assert (balance.reserved, balance.available) == (D("3500.00"), D("6500.00"))  # 500 released
    page = body(manager_client.get(response["Location"]))
    assert "Record the payment" in page
    today = timezone.localdate()
    response = manager_client.post(
        reverse("manage:mdf_claim_pay", args=[claim.pk]),
        {"amount": "3500.00", "paid_on": today.isoformat(), "reference": "TRF-2026-118"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.paid_amount, claim.paid_on, claim.payout_reference) == (
        "paid",
        D("3500.00"),
        today,
        "TRF-2026-118",
    )
    assert claim.request.status == FundRequest.Status.CLOSED
    balance = balance_of(budget_a)
    assert (balance.reserved, balance.paid, balance.available) == (D("0.00"), D("3500.00"), D("6500.00"))
    assert Notification.objects.filter(recipient=partner_a_admin, template="mdf_claim_paid").exists()
    page = body(manager_client.get(response["Location"]))
    assert "reference TRF-2026-118" in page
    assert "Record the payment" not in page


def test_partial_approval_with_a_note(manager_client, claim):
    response = decide(manager_client, claim, action="approve", amount="3,000", reason="One invoice is a duplicate")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.approved_amount == D("3000.00")
    assert AuditEvent.objects.filter(verb="mdf.claim_approved_partly", reason="One invoice is a duplicate").exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("three thousand", "as a number"),
        ("3500.01", "The partner claimed $3,500.00: approve that or less."),
        ("0", "Approve more than 0"),
    ],
)
def test_bad_approval_amounts(manager_client, claim, amount, message):
    response = decide(manager_client, claim, action="approve", amount=amount, reason="kept")
    assert response.status_code == 400
    assert message in body(response)
    assert f'value="{amount}"' in body(response)
    assert "kept" in body(response)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED


def test_reject_needs_a_reason_and_releases_the_reservation(manager_client, claim, budget_a, partner_a_admin):
    response = decide(manager_client, claim, action="reject", reason="")
    assert response.status_code == 400
    assert "Tell the partner why you reject it" in body(response)
    response = decide(manager_client, claim, action="reject", reason="The event did not take place")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED
    assert balance_of(budget_a).available == D("10000.00")
    assert Notification.objects.filter(recipient=partner_a_admin, template="mdf_claim_rejected").exists()


def test_ask_for_more_proof(manager_client, claim, partner_a_admin):
    response = decide(manager_client, claim, action="info", question="  ")
    assert response.status_code == 400
    assert "Say what proof or correction you need" in body(response)
    response = decide(manager_client, claim, action="info", question="Please add the attendee list")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.info_requested) == ("needs_info", "Please add the attendee list")
    page = body(manager_client.get(reverse("manage:mdf_claim", args=[claim.pk])))
    assert "Asked for" in page
    assert 'value="approve"' not in page  # waiting for the partner; it can still be rejected
    assert 'value="reject"' in page


def test_decided_claims_refuse_with_a_reason_not_a_500(manager_client, approved_claim):
    response = decide(manager_client, approved_claim, action="approve", amount="100")
    assert response.status_code == 400
    assert "This claim is now “Approved, payment due”" in body(response)
    assert decide(manager_client, approved_claim, action="fly").status_code == 400


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"amount": "", "paid_on": "", "reference": "X1"}, "Give the date of the payment."),
        ({"amount": "", "paid_on": "yesterday", "reference": "X1"}, "Enter a date, like 2026-03-31."),
        ({"amount": "", "paid_on": "2999-01-01", "reference": "X1"}, "the date is in the future"),
        ({"amount": "", "paid_on": "TODAY", "reference": ""}, "Give the payment reference"),
        ({"amount": "3500.01", "paid_on": "TODAY", "reference": "X1"}, "$3,500.00 was approved: pay that or less."),
        ({"amount": "a lot", "paid_on": "TODAY", "reference": "X1"}, "as a number"),
    ],
)
def test_payout_bad_input(manager_client, approved_claim, data, field_message):
    data = {k: (timezone.localdate().isoformat() if v == "TODAY" else v) for k, v in data.items()}
    response = manager_client.post(reverse("manage:mdf_claim_pay", args=[approved_claim.pk]), data)
    assert response.status_code == 400
    assert field_message in body(response)
    if data["reference"]:
        assert f'value="{data["reference"]}"' in body(response)
    approved_claim.refresh_from_db()
    assert approved_claim.status == Claim.Status.APPROVED


def test_paying_a_claim_that_is_not_approved_is_refused(manager_client, claim):
    response = manager_client.post(
        reverse("manage:mdf_claim_pay", args=[claim.pk]),
        {"paid_on": timezone.localdate().isoformat(), "reference": "X"},
    )
    assert response.status_code == 400
    assert "cannot be paid now" in body(response)


# --- Payouts due -------------------------------------------------------------------------------------------------


def test_payouts_due_lists_approved_claims_and_records_a_payment(manager_client, approved_claim):
    response = manager_client.get(reverse("manage:mdf_payouts"))
    text = body(response)
    assert response.status_code == 200
    assert "1</strong> payment due, <strong>$3,500.00</strong> in all" in text
    assert "Booth" in text
    yesterday = timezone.localdate() - timedelta(days=1)
    response = manager_client.post(
        reverse("manage:mdf_claim_pay", args=[approved_claim.pk]),
        {"next": "payouts", "amount": "3500.00", "paid_on": yesterday.isoformat(), "reference": "BATCH-7"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:mdf_payouts")
    approved_claim.refresh_from_db()
    assert (approved_claim.status, approved_claim.paid_on) == ("paid", yesterday)
    assert "Nothing to pay" in body(manager_client.get(reverse("manage:mdf_payouts")))


def test_payouts_from_the_list_with_bad_input_show_the_claim_form(manager_client, approved_claim):
    response = manager_client.post(
        reverse("manage:mdf_claim_pay", args=[approved_claim.pk]),
        {"next": "payouts", "amount": "3500.00", "paid_on": timezone.localdate().isoformat(), "reference": ""},
    )
    assert response.status_code == 400
    assert "Give the payment reference" in body(response)


def test_payouts_queries_do_not_grow(manager_client, partner_a, budget_a, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            claimed_request(
                partner=partner_a,
                budget=budget_a,
                total_cost=D("100"),
                requested_amount=D("50"),
                claim_status=Claim.Status.APPROVED,
            )
        Claim.objects.filter(approved_amount__isnull=True).update(approved_amount=D("50"), decided_at=timezone.now())

    add(2)
    with django_assert_max_num_queries(25) as small:
        manager_client.get(reverse("manage:mdf_payouts"))
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = manager_client.get(reverse("manage:mdf_payouts"))
    assert response.context["count"] == 22
