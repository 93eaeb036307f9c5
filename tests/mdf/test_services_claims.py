"""Claims: filed before the deadline with proof, reviewed (full, partial, rejected, more proof), paid; the ledger
follows every step."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mdf import services
from mdf.ledger import balance_of, request_reserved
from mdf.models import Claim, FundRequest, ProofFile
from prm.models import AuditEvent, Notification
from tests.mdf.factories import approved_request, claimed_request, pdf_upload, png_upload

D = Decimal


@pytest.fixture
def approved(partner_a, partner_a_admin, budget_a):
    return approved_request(partner=partner_a, budget=budget_a, created_by=partner_a_admin, amount="4000")


def _claim(actor, request, **overrides):
    data = {
        "actual_cost": D("8000"),
        "amount_claimed": D("4000"),
        "leads": 35,
        "results": "40 attendees, 35 leads, 3 opportunities.",
        "proofs": [(pdf_upload(), "invoice"), (png_upload(), "photo")],
    }
    return services.claim_submit(actor=actor, request=request, **{**data, **overrides})


def test_submit_a_claim_with_proof(approved, partner_a_admin, channel_manager):
    claim = _claim(partner_a_admin, approved)
    assert claim.status == Claim.Status.SUBMITTED
    assert [p.kind for p in claim.proofs.all()] == ["invoice", "photo"]
    proof = claim.proofs.first()
    assert proof.original_name == "invoice.pdf"
    assert proof.size > 0
    assert proof.file.name.startswith("mdf/proof/")
    assert proof.file.storage is storages["private"]  # served only through an access-checked view
    approved.refresh_from_db()
    assert approved.status == FundRequest.Status.CLAIMED
    note = Notification.objects.get(recipient=channel_manager, template="mdf_claim_submitted")
    assert "$4,000.00" in note.subject


def test_claim_validation(approved, partner_a_admin):
    with pytest.raises(ValidationError) as caught:
        _claim(partner_a_admin, approved, amount_claimed=D("4000.01"), proofs=[], leads="many")
    errors = caught.value.message_dict
    assert "$4,000.00 was approved" in errors["amount_claimed"][0]
    assert "at least one proof" in errors["proofs"][0]
    assert "whole number" in errors["leads"][0]
    # The partner's share applies to the actual cost.
    with pytest.raises(ValidationError) as caught:
        _claim(partner_a_admin, approved, actual_cost=D("6000"), amount_claimed=D("3500"))
    assert "at most $3,000.00" in caught.value.message_dict["amount_claimed"][0]
    assert not Claim.objects.exists()


def test_proof_files_are_checked(approved, partner_a_admin):
    exe = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(ValidationError) as caught:
        _claim(partner_a_admin, approved, proofs=[(exe, "invoice")])
    assert "its content is not" in caught.value.message_dict["proofs"][0]
    with pytest.raises(ValidationError) as caught:
        _claim(partner_a_admin, approved, proofs=[(pdf_upload(), "selfie")])
    assert "proofs" in caught.value.message_dict
    assert not ProofFile.objects.exists()


def test_late_claims_are_refused_with_a_clear_message(approved, partner_a_admin):
    late = approved.claim_deadline + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        _claim(partner_a_admin, approved, today=late)
    deadline = approved.claim_deadline
    assert caught.value.messages == [
        f"The claim deadline was {deadline.day} {deadline:%B %Y}; ask your channel manager for an extension."
    ]
    _claim(partner_a_admin, approved, today=approved.claim_deadline)  # the last day is still on time


def test_only_requesters_of_the_partner_claim(approved, partner_a_seller, partner_b_user):
    for actor in (partner_a_seller, partner_b_user):
        with pytest.raises(ValidationError):
            _claim(actor, approved)


def test_partial_claim_approval_releases_the_rest_and_payout_closes(
    approved, partner_a_admin, channel_manager, budget_a
):
    claim = _claim(partner_a_admin, approved, amount_claimed=D("3800"))
    claim = services.claim_approve(actor=channel_manager, claim=claim, amount=D("3500"), reason="One invoice missing")
    assert claim.status == Claim.Status.APPROVED
    balance = balance_of(budget_a)
    assert (balance.reserved, balance.available) == (D("3500.00"), D("6500.00"))
    note = Notification.objects.get(recipient=partner_a_admin, template="mdf_claim_approved")
    assert "in part" in note.subject
    with pytest.raises(ValidationError) as caught:
        services.claim_pay(actor=channel_manager, claim=claim, paid_on=timezone.localdate(), reference="")
    assert "payment reference" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        services.claim_pay(
            actor=channel_manager, claim=claim, paid_on=timezone.localdate() + timedelta(days=1), reference="X"
        )
    paid = services.claim_pay(
        actor=channel_manager, claim=claim, paid_on=timezone.localdate(), reference="WIRE-2026-118"
    )
    assert (paid.status, paid.paid_amount, paid.paid_by) == (Claim.Status.PAID, D("3500.00"), channel_manager)
    approved.refresh_from_db()
    assert approved.status == FundRequest.Status.CLOSED
    balance = balance_of(budget_a)
    assert (balance.reserved, balance.paid, balance.available) == (D("0.00"), D("3500.00"), D("6500.00"))
    note = Notification.objects.get(recipient=partner_a_admin, template="mdf_claim_paid")
    assert "WIRE-2026-118" in note.body_text
    assert AuditEvent.objects.get(verb="mdf.claim_paid").summary == (
        f"recorded the payment of $3,500.00 for “{approved.title}” (reference WIRE-2026-118)"
    )
    with pytest.raises(ValidationError, match="cannot be paid"):
        services.claim_pay(actor=channel_manager, claim=paid, paid_on=timezone.localdate(), reference="again")


def test_paying_less_than_approved_releases_the_difference(partner_a, budget_a, channel_manager):
    request = claimed_request(partner=partner_a, budget=budget_a, amount="4000")
    claim = services.claim_approve(actor=channel_manager, claim=request.claim)
    services.claim_pay(actor=channel_manager, claim=claim, paid_on=date.today(), reference="R1", amount=D("3999.50"))
    balance = balance_of(budget_a)
    assert (balance.reserved, balance.paid, balance.available) == (D("0.00"), D("3999.50"), D("6000.50"))


def test_reject_a_claim_releases_the_reservation(partner_a, budget_a, channel_manager, partner_a_admin):
    request = claimed_request(partner=partner_a, budget=budget_a, created_by=partner_a_admin)
    claim = services.claim_reject(actor=channel_manager, claim=request.claim, reason="No proof the event took place")
    assert claim.status == Claim.Status.REJECTED
    request.refresh_from_db()
    assert request.status == FundRequest.Status.CLOSED
    assert request_reserved(request) == D("0.00")
    assert balance_of(budget_a).available == D("10000.00")
    assert Notification.objects.filter(recipient=partner_a_admin, template="mdf_claim_rejected").exists()


def test_ask_for_more_proof_then_resubmit(partner_a, budget_a, channel_manager, partner_a_admin):
    request = claimed_request(partner=partner_a, budget=budget_a, created_by=partner_a_admin)
    claim = services.claim_ask_info(actor=channel_manager, claim=request.claim, question="Add the attendee list")
    assert claim.status == Claim.Status.NEEDS_INFO
    assert "Add the attendee list" in Notification.objects.get(template="mdf_claim_info_requested").body_text
    attendees = SimpleUploadedFile("attendees.csv", b"name,email\nJo,jo@example.com\n", content_type="text/csv")
    again = services.claim_resubmit(
        actor=partner_a_admin,
        claim=claim,
        actual_cost=D("8000"),
        amount_claimed=D("4000"),
        leads=36,
        results="Updated",
        proofs=[(attendees, "attendees")],
    )
    assert again.status == Claim.Status.SUBMITTED
    assert again.leads == 36
    assert again.proofs.count() == 2
    assert Notification.objects.filter(template="mdf_claim_submitted", subject__startswith="MDF claim updated").exists()


def test_proof_add_on_an_open_claim_only(partner_a, budget_a, channel_manager, partner_a_admin):
    request = claimed_request(partner=partner_a, budget=budget_a)
    proof = services.proof_add(actor=partner_a_admin, claim=request.claim, file=png_upload(), kind="photo")
    assert proof.claim == request.claim
    services.claim_approve(actor=channel_manager, claim=request.claim)
    with pytest.raises(ValidationError):
        services.proof_add(actor=partner_a_admin, claim=request.claim, file=png_upload(), kind="photo")


def test_claim_approval_amount_is_at_most_the_claimed(partner_a, budget_a, channel_manager):
    request = claimed_request(partner=partner_a, budget=budget_a, claimed="3000")
    with pytest.raises(ValidationError) as caught:
        services.claim_approve(actor=channel_manager, claim=request.claim, amount=D("3000.01"))
    assert "claimed $3,000.00" in caught.value.message_dict["amount"][0]


def test_an_expired_approval_says_to_ask_for_an_extension(approved, partner_a_admin):
    FundRequest.objects.filter(pk=approved.pk).update(status=FundRequest.Status.EXPIRED)
    with pytest.raises(ValidationError, match="ask your channel manager for an extension"):
        _claim(partner_a_admin, approved)
