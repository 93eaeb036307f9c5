"""Decide and next through the deal review queue: the one decision form, the next registration in the queue's order
after a decision (skipping what another manager decided meanwhile), skip, "Item x of n", the all-done state, the
conflicts-only walk, the navigation badge counting the queue, and partners kept out."""

from datetime import timedelta

import pytest
from django.urls import reverse

from dealreg import services
from dealreg.models import Registration
from prm.models import AuditEvent
from tests.dealreg.factories_views import approved, partner_conflict, submitted

pytestmark = pytest.mark.django_db

QUEUE = "?queue=review"


def page(pk: int, query: str = QUEUE) -> str:
    return reverse("manage:deal_detail", args=[pk]) + query


def decide(pk: int, query: str = QUEUE) -> str:
    return reverse("manage:deal_decide", args=[pk]) + query


@pytest.fixture
def queue(partner_a, partner_b):
    """Three registrations waiting, oldest first: Old, Middle, Fresh (and one decided that is not in the queue)."""
    old = submitted(partner_a, name="Old Co", age=timedelta(days=3))
    middle = submitted(partner_b, name="Middle Co", age=timedelta(days=2))
    fresh = submitted(partner_a, name="Fresh Co", age=timedelta(hours=2))
    approved(partner_b, name="Decided Co")
    return old, middle, fresh


def text(response) -> str:
    return response.content.decode()


def test_item_page_says_where_it_stands_in_the_queue(manager_client, queue):
    old, middle, fresh = queue
    html = text(manager_client.get(page(middle.pk)))
    assert "Item 2 of 3 in the review queue" in html
    assert f'href="{page(old.pk)}"' in html  # previous
    assert f'href="{page(fresh.pk)}"' in html  # skip
    # Opened from elsewhere (no queue context): no queue bar, the decision form is still there.
    html = text(manager_client.get(page(middle.pk, "")))
    assert "in the review queue" not in html
    assert 'id="decide-form"' in html


def test_opened_by_a_plain_link_on_the_queue_page_the_referer_says_so(manager_client, queue):
    old, _, _ = queue
    referer = "http://testserver" + reverse("manage:deal_review_queue")
    html = text(manager_client.get(page(old.pk, ""), HTTP_REFERER=referer))
    assert "Item 1 of 3 in the review queue" in html
    assert f'action="/manage/deals/{old.pk}/decide/?queue=review"' in html
    # Another site's page with the same path is no queue.
    html = text(manager_client.get(page(old.pk, ""), HTTP_REFERER="https://evil.example.com/manage/deals/review/"))
    assert "in the review queue" not in html


def test_deciding_goes_to_the_next_in_queue_order_and_says_how_many_are_left(manager_client, queue):
    old, middle, _fresh = queue
    response = manager_client.post(decide(old.pk), {"action": "approve", "reason": ""})
    assert response.status_code == 302
    assert response["Location"] == page(middle.pk)
    old.refresh_from_db()
    assert old.status == Registration.Status.APPROVED
    html = text(manager_client.get(response["Location"]))
    assert "Approved. Northwind Solutions is told Old Co is protected. 2 left in the review queue." in html
    assert "Item 1 of 2 in the review queue" in html


def test_one_reason_box_serves_reject_and_ask(manager_client, queue):
    old, middle, _fresh = queue
    response = manager_client.post(decide(old.pk), {"action": "reject", "reason": "   "})
    assert response.status_code == 400
    html = text(response)
    assert "Tell the partner why you reject it" in html
    assert "Item 1 of 3 in the review queue" in html  # the error keeps the walk
    response = manager_client.post(decide(old.pk), {"action": "info", "reason": "Who signs the order?"})
    assert response["Location"] == page(middle.pk)
    old.refresh_from_db()
    assert (old.status, old.decision_reason) == (Registration.Status.NEEDS_INFO, "Who signs the order?")
    assert AuditEvent.objects.filter(target_id=str(old.pk), verb="deal.info_requested").exists()


def test_an_item_another_manager_decided_meanwhile_is_skipped(manager_client, queue, django_user_model):
    from tests.factories import ChannelManagerFactory

    old, middle, fresh = queue
    colleague = ChannelManagerFactory(email="lee@startup.example.com")
    services.registration_reject(actor=colleague, registration=middle, reason="Duplicate")
    response = manager_client.post(decide(old.pk), {"action": "reject", "reason": "Not our market"})
    assert response["Location"] == page(fresh.pk)
    assert "1 left in the review queue." in text(manager_client.get(response["Location"]))


def test_deciding_an_item_someone_else_decided_first_explains_and_keeps_the_walk(manager_client, queue):
    from tests.factories import ChannelManagerFactory

    old, _, _ = queue
    services.registration_approve(actor=ChannelManagerFactory(email="lee@startup.example.com"), registration=old)
    response = manager_client.post(decide(old.pk), {"action": "reject", "reason": "Too late"})
    assert response.status_code == 400
    html = text(response)
    assert "already approved" in html
    assert "Not waiting in the review queue any more · 2 waiting" in html


def test_skip_goes_to_the_next_without_deciding_and_wraps_to_a_skipped_one(manager_client, queue):
    old, middle, fresh = queue
    html = text(manager_client.get(page(fresh.pk)))
    assert "Item 3 of 3" in html
    assert f'href="{page(old.pk)}" rel="next"' in html  # from the last, back to the first still waiting
    # Skipped Old, decide Middle and Fresh: the walk comes back to Old.
    manager_client.post(decide(middle.pk), {"action": "reject", "reason": "No"})
    response = manager_client.post(decide(fresh.pk), {"action": "reject", "reason": "No"})
    assert response["Location"] == page(old.pk)
    for registration in queue:
        registration.refresh_from_db()
    assert old.status == Registration.Status.SUBMITTED


def test_the_last_decision_lands_on_the_all_done_queue_page(manager_client, partner_a):
    only = submitted(partner_a, name="Only Co")
    html = text(manager_client.get(page(only.pk)))
    assert "Item 1 of 1 in the review queue" in html
    assert 'rel="next"' not in html  # nothing to skip to
    response = manager_client.post(decide(only.pk), {"action": "reject", "reason": "Not a fit"})
    assert response["Location"] == reverse("manage:deal_review_queue")
    html = text(manager_client.get(response["Location"]))
    assert "That was the last one: the review queue is empty." in html
    assert "All done. Nothing waiting for a decision" in html


def test_conflict_one_form_with_the_priority_choice_then_next_conflict(manager_client, partner_a, partner_b):
    holder = approved(partner_b, name="Umbrella Limited", website="https://umbrella.com")
    first = submitted(partner_a, name="Umbrella Ltd", website="https://www.umbrella.com", age=timedelta(days=2))
    partner_conflict(first, holder)
    other_holder = approved(partner_b, name="Globex Corporation", website="https://globex.com")
    second = submitted(partner_a, name="Globex Corp", website="https://globex.com", age=timedelta(days=1))
    partner_conflict(second, other_holder)
    submitted(partner_a, name="Plain Co")  # waiting, but no conflict

    query = "?queue=review&conflict=1"
    html = text(manager_client.get(page(first.pk, query)))
    assert "Item 1 of 2 in the review queue" in html
    assert html.count('name="holder"') == 2
    assert f'name="holder" value="{holder.pk}" checked' in html  # the first to register is the default
    assert 'form="decide-form" name="action" value="reject"' in html
    assert 'name="action" value="approve"' not in html  # a partner conflict is resolved, not approved

    response = manager_client.post(
        reverse("manage:deal_resolve", args=[first.pk]) + query, {"holder": holder.pk, "reason": "Registered first"}
    )
    assert response["Location"] == page(second.pk, query)
    first.refresh_from_db()
    assert first.status == Registration.Status.REJECTED
    assert "1 left in the review queue." in text(manager_client.get(response["Location"]))

    # A missing reason comes back on the page, the choice kept.
    response = manager_client.post(
        reverse("manage:deal_resolve", args=[second.pk]) + query, {"holder": second.pk, "reason": ""}
    )
    assert response.status_code == 400
    assert f'name="holder" value="{second.pk}" checked' in text(response)
    response = manager_client.post(decide(second.pk, query), {"action": "reject", "reason": "Globex is ours"})
    assert response["Location"] == reverse("manage:deal_review_queue") + "?conflict=1"
    html = text(manager_client.get(response["Location"]))
    assert "All done. No conflict waiting" in html
    assert "1 other registration waits for a decision" in html


def test_queue_page_starts_the_walk_and_the_badge_counts_the_queue(manager_client, queue):
    old, _, _ = queue
    html = text(manager_client.get(reverse("manage:deal_review_queue")))
    assert f'href="{page(old.pk)}" role="button">Review one by one (3)' in html
    assert 'title="3 deals awaiting a decision"' in html
    manager_client.post(decide(old.pk), {"action": "reject", "reason": "No"})
    response = manager_client.get(reverse("manage:deal_review_queue"))
    assert 'title="2 deals awaiting a decision"' in text(response)
    assert len(response.context["rows"]) == 2


def test_the_page_carries_the_keyboard_layer(manager_client, queue):
    html = text(manager_client.get(page(queue[0].pk)))
    assert "js/decide.js" in html
    assert 'data-shortcut="a"' in html
    assert 'data-shortcut="r"' in html
    assert 'data-shortcut="i"' in html
    assert 'data-shortcut="j n"' in html


def test_partner_users_reach_none_of_it(admin_client_a, seller_client_a, queue):
    old, _, _ = queue
    for client in (admin_client_a, seller_client_a):
        assert client.get(page(old.pk)).status_code == 404
        assert client.get(reverse("manage:deal_review_queue") + "?conflict=1").status_code == 404
        assert client.post(decide(old.pk), {"action": "approve"}).status_code == 404
        assert client.post(reverse("manage:deal_resolve", args=[old.pk]) + QUEUE, {"holder": old.pk}).status_code == 404
    old.refresh_from_db()
    assert old.status == Registration.Status.SUBMITTED
