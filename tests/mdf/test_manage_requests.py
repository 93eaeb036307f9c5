"""One fund request through the channel team's pages: the request beside its budget, approve fully or partly,
the amount band, reject, ask for more information, extend the claim deadline. Bad input never 500s: the page
comes back with the problem next to the field and what was typed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mdf import services
from mdf.ledger import balance_of
from mdf.models import Claim, FundRequest, LedgerEntry, Period
from prm.models import AuditEvent, Notification
from tests.mdf.factories import FundRequestFactory, approved_request, set_mdf

pytestmark = pytest.mark.django_db
D = Decimal


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def submitted(partner_a, partner_a_admin, budget_a):
    return FundRequestFactory(
        partner=partner_a,
        budget=budget_a,
        created_by=partner_a_admin,
        title="Customer roadshow",
        description="Two cities.",
    )


def decide(client, fr, **data):
    return client.post(reverse("manage:mdf_request_decide", args=[fr.pk]), data)


def test_detail_shows_the_request_beside_its_budget(manager_client, submitted):
    response = manager_client.get(reverse("manage:mdf_request", args=[submitted.pk]))
    text = body(response)
    assert response.status_code == 200
    assert "Northwind Solutions</a> asks $4,000.00 · Event" in text
    assert "The request" in text
    assert "The budget:" in text
    assert "$10,000.00" in text  # allocated
    assert "Approving $4,000.00 leaves <strong>$6,000.00</strong> available." in text
    assert "at most $4,000.00 may be asked" in text  # 8,000 cost, 50% share
    assert "due in" in text
    assert 'value="4000.00"' in text  # the approve box is pre-filled with the requested amount
    assert "Two cities." in text


def test_approve_in_full(manager_client, submitted, partner_a_admin, budget_a):
    response = decide(manager_client, submitted, action="approve", amount="4000.00", reason="")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == FundRequest.Status.APPROVED
    assert submitted.approved_amount == D("4000.00")
    assert balance_of(budget_a).available == D("6000.00")
    assert Notification.objects.filter(recipient=partner_a_admin, template="mdf_request_approved").exists()
    page = body(manager_client.get(response["Location"]))
    assert "Approved: $4,000.00 reserved." in page
    assert "Claim deadline" in page
    assert "approved the MDF request" in page  # the history


def test_approve_in_part_with_an_amount_typed_like_people_write_it(manager_client, submitted):
    response = decide(manager_client, submitted, action="approve", amount="$2,500.50", reason="Venue only")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.approved_amount == D("2500.50")
    assert AuditEvent.objects.filter(verb="mdf.request_approved_partly", reason="Venue only").exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("lots", "Give the amount to approve as a number, like 5000 or 5,000.00."),
        ("-5", "cannot be negative"),
        ("0", "Approve more than 0, or reject the request."),
        ("12.345", "at most two decimals"),
        ("4000.01", "The partner asked for $4,000.00: approve that or less."),
        ("99999999999999999", "more than we can store"),
    ],
)
def test_bad_amounts_come_back_next_to_the_field(manager_client, submitted, amount, message):
    response = decide(manager_client, submitted, action="approve", amount=amount, reason="my note")
    text = body(response)
    assert response.status_code == 400
    assert message in text
    assert f'value="{amount}"' in text  # what was typed is still there
    assert "my note" in text
    submitted.refresh_from_db()
    assert submitted.status == FundRequest.Status.SUBMITTED
    assert not LedgerEntry.objects.filter(request=submitted).exists()


def test_approving_beyond_the_balance_says_what_is_available(manager_client, partner_a, budget_a):
    big = FundRequestFactory(
        partner=partner_a, budget=budget_a, total_cost=D("30000"), requested_amount=D("12000"), title="Summit"
    )
    page = body(manager_client.get(reverse("manage:mdf_request", args=[big.pk])))
    assert "Not enough funds: Northwind Solutions has $10,000.00 available" in page
    response = decide(manager_client, big, action="approve", amount="12000")
    assert response.status_code == 400
    assert "Northwind Solutions has $10,000.00 available in" in body(response)
    assert "Approve at most that, or allocate more funds first." in body(response)
    big.refresh_from_db()
    assert big.status == FundRequest.Status.SUBMITTED


def test_reject_needs_a_reason(manager_client, submitted, partner_a_admin):
    response = decide(manager_client, submitted, action="reject", reason="   ")
    assert response.status_code == 400
    assert "Tell the partner why you reject it" in body(response)
    response = decide(manager_client, submitted, action="reject", reason="Outside our target market")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.decision_reason) == ("rejected", "Outside our target market")
    assert Notification.objects.filter(recipient=partner_a_admin, template="mdf_request_rejected").exists()


def test_ask_for_more_information(manager_client, submitted, partner_a_admin):
    response = decide(manager_client, submitted, action="info", question="")
    assert response.status_code == 400
    assert "Ask the partner what you need to know." in body(response)
    response = decide(manager_client, submitted, action="info", question="Which cities?")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.info_requested) == ("needs_info", "Which cities?")
    page = body(manager_client.get(reverse("manage:mdf_request", args=[submitted.pk])))
    assert "Question asked" in page
    assert "Your decision" not in page


def test_unknown_action_and_a_decided_request_do_not_500(manager_client, submitted):
    assert decide(manager_client, submitted, action="delete").status_code == 400
    assert decide(manager_client, submitted).status_code == 400
    decide(manager_client, submitted, action="reject", reason="No")
    response = decide(manager_client, submitted, action="approve", amount="100")
    assert response.status_code == 400
    assert "This request is now “Rejected”" in body(response)
    assert "Nothing was changed" in body(response)
    assert manager_client.get(reverse("manage:mdf_request", args=[987654])).status_code == 404


def test_the_amount_band_needs_an_admin(manager_client, submitted, mdf_admin, client, channel_manager):
    set_mdf(admin_approval_above=D("1000"))
    page = body(manager_client.get(reverse("manage:mdf_request", args=[submitted.pk])))
    assert "Above $1,000.00 an admin approves it too." in page
    assert decide(manager_client, submitted, action="approve", amount="3000").status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == FundRequest.Status.AWAITING_ADMIN
    page = body(manager_client.get(reverse("manage:mdf_request", args=[submitted.pk])))
    assert "needs an admin&#x27;s approval too" in page or "needs an admin's approval too" in page
    assert 'name="action" value="approve"' not in page  # no approve box for a channel manager now
    # A channel manager posting anyway is refused with the reason, not a 500.
    response = decide(manager_client, submitted, action="approve", amount="3000")
    assert response.status_code == 400
    client.force_login(mdf_admin)
    page = body(client.get(reverse("manage:mdf_request", args=[submitted.pk])))
    assert 'value="3000.00"' in page  # the first approval's amount is proposed
    assert decide(client, submitted, action="approve", amount="3000").status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.approved_amount) == ("approved", D("3000.00"))


# --- The claim deadline ----------------------------------------------------------------------------------------


def test_extend_the_claim_deadline(manager_client, partner_a, budget_a, partner_a_admin):
    fr = approved_request(partner=partner_a, budget=budget_a, created_by=partner_a_admin)
    url = reverse("manage:mdf_request_extend", args=[fr.pk])
    page = body(manager_client.get(reverse("manage:mdf_request", args=[fr.pk])))
    assert "Extend the deadline" in page
    later = fr.claim_deadline + timedelta(days=30)
    response = manager_client.post(url, {"deadline": later.isoformat(), "reason": "Invoices are late"})
    assert response.status_code == 302
    fr.refresh_from_db()
    assert (fr.claim_deadline, fr.deadline_extended) == (later, True)
    assert AuditEvent.objects.filter(verb="mdf.deadline_extended", reason="Invoices are late").exists()
    assert Notification.objects.filter(recipient=partner_a_admin, template="mdf_deadline_extended").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"deadline": "", "reason": "x"}, "Give the new claim deadline."),
        ({"deadline": "next tuesday", "reason": "x"}, "Enter a date, like 2026-03-31."),
        ({"deadline": "2001-01-01", "reason": "x"}, "The new deadline is in the past"),
        ({"deadline": "2999-01-01", "reason": ""}, "Give a reason"),
    ],
)
def test_extension_bad_input(manager_client, partner_a, budget_a, data, message):
    fr = approved_request(partner=partner_a, budget=budget_a)
    response = manager_client.post(reverse("manage:mdf_request_extend", args=[fr.pk]), data)
    assert response.status_code == 400
    assert message in body(response)
    fr.refresh_from_db()
    assert not fr.deadline_extended


def test_extension_must_be_later_and_only_for_approved_requests(manager_client, partner_a, budget_a, submitted):
    fr = approved_request(partner=partner_a, budget=budget_a)
    earlier = (fr.claim_deadline - timedelta(days=1)).isoformat()
    response = manager_client.post(
        reverse("manage:mdf_request_extend", args=[fr.pk]), {"deadline": earlier, "reason": "x"}
    )
    assert response.status_code == 400
    assert "choose a later day" in body(response)
    future = (timezone.localdate() + timedelta(days=400)).isoformat()
    response = manager_client.post(
        reverse("manage:mdf_request_extend", args=[submitted.pk]), {"deadline": future, "reason": "x"}
    )
    assert response.status_code == 400
    assert "cannot be given a later claim deadline now" in body(response)


def test_detail_page_queries_are_bounded(manager_client, partner_a, budget_a, django_assert_max_num_queries):
    fr = approved_request(partner=partner_a, budget=budget_a)
    with django_assert_max_num_queries(30):
        assert manager_client.get(reverse("manage:mdf_request", args=[fr.pk])).status_code == 200


def test_an_expired_approval_comes_back_with_a_later_deadline(manager_client, partner_a, budget_a):
    fr = approved_request(partner=partner_a, budget=budget_a, amount="3000")
    days_left = (fr.claim_deadline - timezone.localdate()).days
    services.requests_expire_due(now=timezone.now() + timedelta(days=days_left + 1))
    fr.refresh_from_db()
    assert fr.status == FundRequest.Status.EXPIRED
    page = body(manager_client.get(reverse("manage:mdf_request", args=[fr.pk])))
    assert "The approval expired on" in page
    later = fr.claim_deadline + timedelta(days=30)
    response = manager_client.post(
        reverse("manage:mdf_request_extend", args=[fr.pk]), {"deadline": later.isoformat(), "reason": "Late invoices"}
    )
    assert response.status_code == 302
    fr.refresh_from_db()
    assert (fr.status, fr.claim_deadline) == (FundRequest.Status.APPROVED, later)
    assert balance_of(budget_a).reserved == D("3000.00")


def test_every_page_renders_the_demo_at_every_status(manager_client):
    from django.core.management import call_command

    call_command("seed_demo")
    for name in ("mdf", "mdf_requests", "mdf_claims", "mdf_budgets", "mdf_ledger", "mdf_payouts", "mdf_roi"):
        assert manager_client.get(reverse(f"manage:{name}")).status_code == 200, name
    for fr in FundRequest.objects.all():
        assert manager_client.get(reverse("manage:mdf_request", args=[fr.pk])).status_code == 200, fr.status
    for claim in Claim.objects.all():
        assert manager_client.get(reverse("manage:mdf_claim", args=[claim.pk])).status_code == 200, claim.status
    for period in Period.objects.all():
        assert manager_client.get(reverse("manage:mdf_budgets"), {"period": period.pk}).status_code == 200
