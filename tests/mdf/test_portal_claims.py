"""The partner's MDF pages, claims side: filing a claim with proof files (types and sizes checked, good files kept
when something else is wrong), its page with the review and the payment, answering a request for more proof,
adding a forgotten file, and the private proof download (own partner only; outsiders get 404)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mdf import services
from mdf.held import PREFIX, hold
from mdf.models import Claim, FundRequest, ProofFile
from prm.uploads import private_storage
from tests.factories import MembershipFactory
from tests.mdf.factories import PDF_BYTES, approved_request, claimed_request, pdf_upload, png_upload

pytestmark = pytest.mark.django_db
D = Decimal


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def approved(partner_a, partner_a_admin, budget_a):
    return approved_request(partner=partner_a, budget=budget_a, created_by=partner_a_admin, amount="4000")


def claim_data(**overrides) -> dict:
    data = {
        "actual_cost": "8,000",
        "amount_claimed": "4000.00",
        "leads": "35",
        "results": "40 people came; 35 leads.",
        "proof_invoice": [pdf_upload()],
        "proof_photo": [png_upload()],
    }
    data.update(overrides)
    return data


def exe_named_pdf(name: str = "invoice-2.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, content_type="application/pdf")


def held_files() -> list[str]:
    storage = private_storage()
    try:
        dirs, _ = storage.listdir(PREFIX)
    except FileNotFoundError:
        return []
    return [f for d in dirs for f in storage.listdir(f"{PREFIX}/{d}")[1]]


# --- Filing the claim ---------------------------------------------------------------------------------------------


def test_claim_form_shows_what_was_approved_and_the_deadline(admin_client_a, approved):
    text = body(admin_client_a.get(reverse("portal:mdf_claim_new", args=[approved.pk])))
    assert "approved <strong>$4,000.00</strong>" in text
    assert f"claim by {approved.claim_deadline.day} {approved.claim_deadline:%b %Y}" in text
    assert 'value="4000.00"' in text  # the amount claimed starts at what was approved
    assert 'type="file"' in text
    assert 'enctype="multipart/form-data"' in text
    assert "up to 20 MB each" in text


def test_file_a_claim_with_proof(admin_client_a, approved, partner_a_admin):
    url = reverse("portal:mdf_claim_new", args=[approved.pk])
    response = admin_client_a.post(url, claim_data(), follow=True)
    claim = Claim.objects.get()
    assert response.redirect_chain[-1][0] == reverse("portal:mdf_claim", args=[claim.pk])
    assert claim.amount_claimed == D("4000")
    assert claim.actual_cost == D("8000")
    assert claim.leads == 35
    assert claim.created_by == partner_a_admin
    assert sorted((p.kind, p.original_name) for p in claim.proofs.all()) == [
        ("invoice", "invoice.pdf"),
        ("photo", "photo.png"),
    ]
    approved.refresh_from_db()
    assert approved.status == FundRequest.Status.CLAIMED
    text = body(response)
    assert "Claim sent." in text
    assert "Claim in review" in text
    assert "We review your claim of $4,000.00" in text
    assert "invoice.pdf" in text
    assert f"Claim for $4,000.00 filed by {partner_a_admin.display_name}" in text
    # Filing twice leads to the claim, not to a second one.
    assert admin_client_a.get(url).status_code == 302
    assert Claim.objects.count() == 1


def test_a_bad_file_is_named_and_the_good_ones_are_kept(admin_client_a, approved):
    url = reverse("portal:mdf_claim_new", args=[approved.pk])
    data = claim_data(proof_invoice=[pdf_upload(), exe_named_pdf()], results="Typed results stay")
    response = admin_client_a.post(url, data)
    text = body(response)
    assert response.status_code == 400
    assert "“invoice-2.pdf” is named like a PDF file but its content is not" in text
    assert "Kept from your last try" in text
    assert "invoice.pdf" in text
    assert "photo.png" in text
    assert "Typed results stay" in text
    assert 'value="8,000"' in text
    assert not Claim.objects.exists()
    assert len(held_files()) == 2
    # Sent again with nothing chosen: the held files make the claim.
    tokens = [line.split('value="')[1].split('"')[0] for line in text.splitlines() if 'name="held"' in line]
    assert len(tokens) == 2
    response = admin_client_a.post(url, {**claim_data(proof_invoice=[], proof_photo=[]), "held": tokens})
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert sorted(p.original_name for p in claim.proofs.all()) == ["invoice.pdf", "photo.png"]
    assert claim.proofs.get(kind="invoice").file.read() == PDF_BYTES
    assert held_files() == []  # cleaned up once the claim is saved


def test_a_held_file_can_be_left_out(admin_client_a, approved):
    url = reverse("portal:mdf_claim_new", args=[approved.pk])
    text = body(admin_client_a.post(url, claim_data(amount_claimed="lots")))
    assert "Give the amount you claim as a number" in text
    tokens = [line.split('value="')[1].split('"')[0] for line in text.splitlines() if 'name="held"' in line]
    response = admin_client_a.post(
        url, {**claim_data(proof_invoice=[], proof_photo=[]), "held": tokens, "drop": tokens[1]}
    )
    assert response.status_code == 302
    assert Claim.objects.get().proofs.count() == 1
    assert held_files() == []


def test_service_errors_keep_everything(admin_client_a, approved):
    url = reverse("portal:mdf_claim_new", args=[approved.pk])
    response = admin_client_a.post(url, claim_data(amount_claimed="4,500"))
    text = body(response)
    assert response.status_code == 400
    assert "$4,000.00 was approved for this activity: claim that or less." in text
    assert 'value="4,500"' in text
    assert "Kept from your last try" in text
    assert not Claim.objects.exists()


def test_no_proof_is_refused(admin_client_a, approved):
    url = reverse("portal:mdf_claim_new", args=[approved.pk])
    response = admin_client_a.post(url, claim_data(proof_invoice=[], proof_photo=[]))
    assert response.status_code == 400
    assert "Attach at least one proof of performance" in body(response)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("tool.exe", b"MZ" + b"\x00" * 40), "is not a type we accept"),
        (SimpleUploadedFile("empty.pdf", b""), "is empty"),
        (SimpleUploadedFile("list.csv", b"\xff\xfe\x00\x00binary"), "does not look like a CSV file"),
    ],
)
def test_file_types_are_checked(admin_client_a, approved, upload, message):
    url = reverse("portal:mdf_claim_new", args=[approved.pk])
    response = admin_client_a.post(url, claim_data(proof_other=[upload]))
    assert response.status_code == 400
    assert message in body(response)
    assert not Claim.objects.exists()


def test_file_size_is_checked(admin_client_a, approved, settings):
    settings.PRM_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("scan.pdf", PDF_BYTES + b"0" * (1024 * 1024), content_type="application/pdf")
    response = admin_client_a.post(reverse("portal:mdf_claim_new", args=[approved.pk]), claim_data(proof_invoice=[big]))
    # Refused while the body streams (prm.uploads.LimitedUploadHandler), before the view: nothing saved.
    assert response.status_code == 413
    assert "larger than the 1 MB limit" in body(response)
    assert not Claim.objects.exists()


def test_held_tokens_from_someone_else_or_tampered_are_not_used(admin_client_a, approved, partner_a, partner_b_user):
    [stolen] = hold(
        [(pdf_upload("theirs.pdf"), "invoice")], partner=partner_b_user.membership.partner, user=partner_b_user
    )
    url = reverse("portal:mdf_claim_new", args=[approved.pk])
    data = {**claim_data(proof_invoice=[], proof_photo=[]), "held": [stolen.token, "garbage:token"]}
    response = admin_client_a.post(url, data)
    assert response.status_code == 400
    text = body(response)
    assert "2 files from your last try could not be kept" in text
    assert "Attach at least one proof" in text
    assert "theirs.pdf" not in text


def test_late_claim_is_refused_with_a_clear_message(admin_client_a, partner_a, budget_a):
    request = approved_request(partner=partner_a, budget=budget_a, claim_deadline=timezone.localdate() - timedelta(1))
    url = reverse("portal:mdf_claim_new", args=[request.pk])
    text = body(admin_client_a.get(url))
    assert "Too late to claim" in text
    assert "ask your channel manager for an extension" in text
    response = admin_client_a.post(url, claim_data())
    assert "Too late to claim" in body(response)
    assert not Claim.objects.exists()


def test_claim_needs_an_approved_request(admin_client_a, partner_a, budget_a):
    from tests.mdf.factories import FundRequestFactory

    waiting = FundRequestFactory(partner=partner_a, budget=budget_a)
    response = admin_client_a.post(reverse("portal:mdf_claim_new", args=[waiting.pk]), claim_data(), follow=True)
    assert "a claim is filed once funds are approved" in body(response)
    assert not Claim.objects.exists()


def test_sales_user_cannot_claim_but_sees_the_claim(seller_client_a, partner_a, budget_a):
    request = approved_request(partner=partner_a, budget=budget_a)
    response = seller_client_a.post(reverse("portal:mdf_claim_new", args=[request.pk]), claim_data())
    assert response.status_code == 403
    claim = claimed_request(partner=partner_a, budget=budget_a).claim
    assert seller_client_a.get(reverse("portal:mdf_claim", args=[claim.pk])).status_code == 200
    assert seller_client_a.get(reverse("portal:mdf_claim_edit", args=[claim.pk])).status_code == 403
    proof = claim.proofs.get()
    assert seller_client_a.get(reverse("portal:mdf_proof", args=[proof.pk])).status_code == 200


# --- The claim's page, more proof, the download -----------------------------------------------------------------


def test_claim_page_and_proof_download(admin_client_a, partner_a, budget_a):
    claim = claimed_request(partner=partner_a, budget=budget_a).claim
    text = body(admin_client_a.get(reverse("portal:mdf_claim", args=[claim.pk])))
    proof = claim.proofs.get()
    assert reverse("portal:mdf_proof", args=[proof.pk]) in text
    assert "Invoice" in text
    assert "Forgot a file? Add it" in text
    response = admin_client_a.get(reverse("portal:mdf_proof", args=[proof.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_outsider_gets_404_on_claims_and_files(outsider_client, partner_a, budget_a):
    claim = claimed_request(partner=partner_a, budget=budget_a).claim
    proof = claim.proofs.get()
    assert outsider_client.get(reverse("portal:mdf_claim", args=[claim.pk])).status_code == 404
    assert outsider_client.get(reverse("portal:mdf_claim_edit", args=[claim.pk])).status_code == 404
    assert outsider_client.get(reverse("portal:mdf_proof", args=[proof.pk])).status_code == 404
    response = outsider_client.post(
        reverse("portal:mdf_claim_add_proof", args=[claim.pk]), {"proof_other": [pdf_upload()]}
    )
    assert response.status_code == 404
    assert claim.proofs.count() == 1


def test_proof_download_needs_a_membership(client, manager_client, partner_a, budget_a):
    proof = claimed_request(partner=partner_a, budget=budget_a).claim.proofs.get()
    url = reverse("portal:mdf_proof", args=[proof.pk])
    assert client.get(url).status_code == 302  # to sign in
    assert manager_client.get(url).status_code == 404  # managers download from their own pages


def test_missing_file_is_a_404_not_a_500(admin_client_a, partner_a, budget_a):
    proof = claimed_request(partner=partner_a, budget=budget_a).claim.proofs.get()
    private_storage().delete(proof.file.name)
    assert admin_client_a.get(reverse("portal:mdf_proof", args=[proof.pk])).status_code == 404


def test_add_a_forgotten_file(admin_client_a, partner_a, budget_a):
    claim = claimed_request(partner=partner_a, budget=budget_a).claim
    url = reverse("portal:mdf_claim_add_proof", args=[claim.pk])
    response = admin_client_a.post(url, {"proof_attendees": [SimpleUploadedFile("attendees.csv", b"name\nAda\n")]})
    assert response.status_code == 302
    assert claim.proofs.filter(original_name="attendees.csv", kind=ProofFile.Kind.ATTENDEES).exists()
    response = admin_client_a.post(url, {})
    assert response.status_code == 400
    assert "Choose at least one file" in body(response)
    response = admin_client_a.post(url, {"proof_other": [exe_named_pdf()]})
    assert response.status_code == 400
    assert "its content is not" in body(response)


def test_answer_a_request_for_more_proof(admin_client_a, partner_a, budget_a, channel_manager):
    claim = claimed_request(partner=partner_a, budget=budget_a).claim
    services.claim_ask_info(actor=channel_manager, claim=claim, question="Add the attendee list, please.")
    text = body(admin_client_a.get(reverse("portal:mdf_claim", args=[claim.pk])))
    assert "More proof needed" in text
    assert "Add the attendee list, please." in text
    url = reverse("portal:mdf_claim_edit", args=[claim.pk])
    text = body(admin_client_a.get(url))
    assert "Add the attendee list, please." in text
    assert "Already with the claim: invoice.pdf" in text
    data = claim_data(proof_invoice=[], proof_photo=[], proof_attendees=[SimpleUploadedFile("list.csv", b"a\nb\n")])
    response = admin_client_a.post(url, data)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert claim.proofs.count() == 2
    assert claim.results == "40 people came; 35 leads."
    assert admin_client_a.get(url).status_code == 302  # nothing asked any more


def test_paid_claim_shows_the_payment_and_the_new_balance(admin_client_a, partner_a, budget_a, channel_manager):
    claim = claimed_request(partner=partner_a, budget=budget_a, amount="4000", claimed="4000").claim
    services.claim_approve(actor=channel_manager, claim=claim, amount=D("3000"), reason="One invoice was VAT.")
    services.claim_pay(actor=channel_manager, claim=claim, paid_on=timezone.localdate(), reference="PAY-123")
    text = body(admin_client_a.get(reverse("portal:mdf_claim", args=[claim.pk])))
    assert "Paid" in text
    assert "PAY-123" in text
    assert "We approved <strong>$3,000.00</strong> of the $4,000.00 you claimed" in text
    assert "One invoice was VAT." in text
    assert "$7,000.00 available" in text  # 10,000 allocated − 3,000 paid
    assert "Paid $3,000.00" in text  # the timeline
    index = body(admin_client_a.get(reverse("portal:mdf")))
    assert "$7,000.00" in index
    assert "$3,000.00" in index
    assert "Paid $3,000.00 on" in index


def test_claim_queries_are_bounded(admin_client_a, partner_a, budget_a, django_assert_max_num_queries):
    claim = claimed_request(partner=partner_a, budget=budget_a).claim
    for n in range(10):
        ProofFile.objects.create(
            claim=claim, kind="photo", file=png_upload(f"p{n}.png"), original_name=f"p{n}.png", size=1
        )
    colleague = MembershipFactory(partner=partner_a).user
    ProofFile.objects.filter(claim=claim).update(uploaded_by=colleague)
    with django_assert_max_num_queries(12):
        response = admin_client_a.get(reverse("portal:mdf_claim", args=[claim.pk]))
    assert response.status_code == 200


def test_stale_held_files_are_swept(partner_a, partner_a_admin):
    from mdf.held import discard_stale

    discard_stale(older_than=timedelta(0))  # what other tests left behind
    hold([(pdf_upload(), "invoice")], partner=partner_a, user=partner_a_admin)
    assert discard_stale() == 0  # still fresh: the partner may come back
    assert discard_stale(now=timezone.now() + timedelta(days=3)) == 1
    assert held_files() == []
