"""Decide and next through the MDF review queue: requests first, then claims, in the queue page's order; one decision
form (approve an amount, reject, ask) whose one reason box serves all three; skip, "Item x of n", what another
manager decided meanwhile, the all-done state, the badge counting the queue, and partners kept out."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mdf import services
from mdf.models import Claim, FundRequest
from tests.factories import ChannelManagerFactory
from tests.mdf.factories import FundRequestFactory, claimed_request

pytestmark = pytest.mark.django_db
QUEUE = "?queue=mdf"


def request_page(pk: int, query: str = QUEUE) -> str:
    return reverse("manage:mdf_request", args=[pk]) + query


def claim_page(pk: int, query: str = QUEUE) -> str:
    return reverse("manage:mdf_claim", args=[pk]) + query


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def queue(partner_a, budget_a):
    """Two requests waiting (the older first) and one claim waiting, plus a request not in the queue."""
    now = timezone.now()
    older = FundRequestFactory(
        partner=partner_a, budget=budget_a, title="Older roadshow", submitted_at=now - timedelta(days=2)
    )
    newer = FundRequestFactory(
        partner=partner_a, budget=budget_a, title="Newer webinar", submitted_at=now - timedelta(hours=1)
    )
    claim = claimed_request(partner=partner_a, budget=budget_a, title="Trade show booth", amount="2000").claim
    FundRequestFactory(partner=partner_a, budget=budget_a, title="Waiting on the partner", status="needs_info")
    return older, newer, claim


def test_requests_then_claims_with_the_position(manager_client, queue):
    older, newer, claim = queue
    html = text(manager_client.get(request_page(newer.pk)))
    assert "Item 2 of 3 in the MDF review queue" in html
    assert f'href="{request_page(older.pk)}" rel="prev"' in html
    assert f'href="{claim_page(claim.pk)}" rel="next"' in html
    html = text(manager_client.get(claim_page(claim.pk)))
    assert "Item 3 of 3 in the MDF review queue" in html
    assert f'href="{request_page(newer.pk)}" rel="prev"' in html


def test_approve_an_amount_then_the_next_request(manager_client, queue, partner_a_admin):
    older, newer, _claim = queue
    response = manager_client.post(
        reverse("manage:mdf_request_decide", args=[older.pk]) + QUEUE,
        {"action": "approve", "amount": "3,000", "reason": "Venue only"},
    )
    assert response["Location"] == request_page(newer.pk)
    older.refresh_from_db()
    assert (older.status, older.approved_amount) == (FundRequest.Status.APPROVED, Decimal("3000.00"))
    html = text(manager_client.get(response["Location"]))
    assert "Approved in part: $3,000.00 reserved." in html
    assert "2 left in the MDF review queue." in html


def test_a_bad_amount_stays_on_the_page_with_the_walk_and_what_was_typed(manager_client, queue):
    older, _, _ = queue
    response = manager_client.post(
        reverse("manage:mdf_request_decide", args=[older.pk]) + QUEUE,
        {"action": "approve", "amount": "lots", "reason": "my note"},
    )
    assert response.status_code == 400
    html = text(response)
    assert "Give the amount to approve as a number" in html
    assert "my note</textarea>" in html
    assert "Item 1 of 3 in the MDF review queue" in html


def test_ask_uses_the_one_reason_box_and_the_last_request_leads_to_the_claim(manager_client, queue):
    older, newer, claim = queue
    manager_client.post(
        reverse("manage:mdf_request_decide", args=[older.pk]) + QUEUE, {"action": "reject", "reason": "Not now"}
    )
    response = manager_client.post(
        reverse("manage:mdf_request_decide", args=[newer.pk]) + QUEUE, {"action": "info", "reason": "Which cities?"}
    )
    assert response["Location"] == claim_page(claim.pk)
    newer.refresh_from_db()
    assert (newer.status, newer.info_requested) == ("needs_info", "Which cities?")


def test_a_claim_decided_by_another_manager_is_skipped_and_the_last_lands_all_done(manager_client, queue):
    older, newer, claim = queue
    colleague = ChannelManagerFactory(email="lee@startup.example.com")
    services.claim_reject(actor=colleague, claim=claim, reason="No proof")
    services.request_reject(actor=colleague, request=newer, reason="Out of budget")
    response = manager_client.post(
        reverse("manage:mdf_request_decide", args=[older.pk]) + QUEUE, {"action": "reject", "reason": "No"}
    )
    assert response["Location"] == reverse("manage:mdf")
    html = text(manager_client.get(response["Location"]))
    assert "That was the last one: the MDF review queue is empty." in html
    assert "All done. Nothing waiting for you" in html


def test_claim_decision_goes_on_and_without_the_queue_stays_on_the_claim(manager_client, queue):
    _older, _newer, claim = queue
    # Without the queue context: the claim's page, as before.
    response = manager_client.post(
        reverse("manage:mdf_claim_decide", args=[claim.pk]), {"action": "info", "reason": "The invoice, please"}
    )
    assert response["Location"] == reverse("manage:mdf_claim", args=[claim.pk])
    claim.refresh_from_db()
    assert (claim.status, claim.info_requested) == (Claim.Status.NEEDS_INFO, "The invoice, please")


def test_skip_from_the_claim_wraps_to_the_first_request(manager_client, queue):
    older, _, claim = queue
    html = text(manager_client.get(claim_page(claim.pk)))
    assert f'href="{request_page(older.pk)}" rel="next"' in html
    assert older.status == FundRequest.Status.SUBMITTED


def test_queue_page_starts_the_walk_and_the_badge_counts_it(manager_client, queue):
    older, _, _ = queue
    html = text(manager_client.get(reverse("manage:mdf")))
    assert f'href="{request_page(older.pk)}" role="button">Review one by one (3)' in html
    assert 'title="2 MDF requests to review, 1 MDF claim to review"' in html
    assert '<span aria-hidden="true">3</span>' in html


def test_one_form_with_the_keys(manager_client, queue):
    html = text(manager_client.get(request_page(queue[0].pk)))
    assert html.count('<form method="post" action="/manage/mdf/requests/') == 1
    for key in ('data-shortcut="a"', 'data-shortcut="r"', 'data-shortcut="i"', "js/decide.js"):
        assert key in html


def test_partner_users_reach_none_of_it(admin_client_a, outsider_client, queue):
    older, _, claim = queue
    for client in (admin_client_a, outsider_client):
        assert client.get(request_page(older.pk)).status_code == 404
        assert client.get(claim_page(claim.pk)).status_code == 404
        assert client.get(reverse("manage:mdf")).status_code == 404
        url = reverse("manage:mdf_request_decide", args=[older.pk]) + QUEUE
        assert client.post(url, {"action": "approve", "amount": "10"}).status_code == 404
        url = reverse("manage:mdf_claim_decide", args=[claim.pk]) + QUEUE
        assert client.post(url, {"action": "approve"}).status_code == 404
    older.refresh_from_db()
    assert older.status == FundRequest.Status.SUBMITTED
