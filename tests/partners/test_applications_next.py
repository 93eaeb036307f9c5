"""Decide and next through the applications waiting for review: one decision form (approve, or decline with a
reason), the next application in the queue's order (oldest first) after a decision, skip, "Item x of n", what
another manager decided meanwhile, the all-done state, the navigation badge counting the queue, partners kept out."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import Application, Partner
from tests.factories import ChannelManagerFactory
from tests.partners.factories_recruitment import stub_onboarding_start_if_missing, submit_application

pytestmark = pytest.mark.django_db
QUEUE = "?queue=applications"


def page(pk: int, query: str = QUEUE) -> str:
    return reverse("manage:application_detail", args=[pk]) + query


def text(response) -> str:
    return response.content.decode()


def applied(name: str, days: int) -> Application:
    domain = name.lower().replace(" ", "")
    application = submit_application(name=name, website=f"https://{domain}.io", contact_email=f"jo@{domain}.io")
    Partner.objects.filter(pk=application.partner_id).update(applied_at=timezone.now() - timedelta(days=days))
    return application


@pytest.fixture(autouse=True)
def _no_onboarding_side_effects(monkeypatch):
    stub_onboarding_start_if_missing(monkeypatch)


@pytest.fixture
def queue(db):
    """Three applications waiting, oldest first: Harbor, Quill, Zenith."""
    return [
        applied("Harbor Digital", 9).partner_id,
        applied("Quill Labs", 5).partner_id,
        applied("Zenith Works", 1).partner_id,
    ]


def test_position_previous_and_skip(manager_client, queue):
    harbor, quill, zenith = queue
    html = text(manager_client.get(page(quill)))
    assert "Item 2 of 3 in the application queue" in html
    assert f'href="{page(harbor)}" rel="prev"' in html
    assert f'href="{page(zenith)}" rel="next"' in html
    assert f'action="/manage/applications/{quill}/decline/?queue=applications"' in html
    assert f'formaction="/manage/applications/{quill}/approve/?queue=applications"' in html


def test_approve_goes_to_the_next_with_how_many_are_left(manager_client, queue):
    harbor, quill, _ = queue
    response = manager_client.post(reverse("manage:application_approve", args=[harbor]) + QUEUE)
    assert response["Location"] == page(quill)
    assert Partner.objects.get(pk=harbor).status == Partner.Status.ONBOARDING
    html = text(manager_client.get(response["Location"]))
    assert "Harbor Digital is approved and starts onboarding." in html
    assert "2 left in the application queue." in html
    assert "Item 1 of 2" in html


def test_decline_needs_a_reason_then_goes_on(manager_client, queue):
    harbor, quill, _ = queue
    url = reverse("manage:application_decline", args=[harbor]) + QUEUE
    response = manager_client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Give a reason: the applicant receives it by email." in text(response)
    assert "Item 1 of 3" in text(response)
    response = manager_client.post(url, {"reason": "Not a fit for our market yet."})
    assert response["Location"] == page(quill)
    assert Partner.objects.get(pk=harbor).status == Partner.Status.DECLINED


def test_one_decided_by_another_manager_is_skipped_and_the_last_lands_all_done(manager_client, queue):
    harbor, quill, zenith = queue
    colleague = ChannelManagerFactory(email="lee@startup.example.com")
    services.application_decline(actor=colleague, partner=Partner.objects.get(pk=quill), reason="Duplicate")
    response = manager_client.post(reverse("manage:application_approve", args=[harbor]) + QUEUE)
    assert response["Location"] == page(zenith)
    response = manager_client.post(
        reverse("manage:application_decline", args=[zenith]) + QUEUE, {"reason": "Too small for now."}
    )
    assert response["Location"] == reverse("manage:application_list")
    html = text(manager_client.get(response["Location"]))
    assert "That was the last one: the application queue is empty." in html
    assert "All done. Nothing waiting for review" in html


def test_a_decided_application_page_says_it_left_the_queue(manager_client, queue):
    harbor, quill, _ = queue
    services.application_decline(
        actor=ChannelManagerFactory(email="lee@startup.example.com"),
        partner=Partner.objects.get(pk=harbor),
        reason="No",
    )
    html = text(manager_client.get(page(harbor)))
    assert "Not waiting in the application queue any more · 2 waiting" in html
    assert f'href="{page(quill)}" rel="next"' in html
    assert 'id="decide-form"' not in html


def test_without_the_queue_context_the_list_as_before_and_the_declined_list_is_no_queue(manager_client, queue):
    harbor, _, _ = queue
    response = manager_client.post(reverse("manage:application_approve", args=[harbor]))
    assert response["Location"] == reverse("manage:application_list")
    referer = "http://testserver" + reverse("manage:application_list") + "?status=declined"
    assert "in the application queue" not in text(manager_client.get(page(harbor, ""), HTTP_REFERER=referer))


def test_list_starts_the_walk_and_the_badge_counts_the_queue(manager_client, queue):
    harbor, _, _ = queue
    html = text(manager_client.get(reverse("manage:application_list")))
    assert f'href="{page(harbor)}" role="button">Review one by one (3)' in html
    assert "3 applications to review" in html  # the Partners badge's words
    manager_client.post(reverse("manage:application_approve", args=[harbor]) + QUEUE)
    assert "2 applications to review" in text(manager_client.get(reverse("manage:application_list")))


def test_partner_users_reach_none_of_it(admin_client_a, outsider_client, queue):
    harbor, _, _ = queue
    for client in (admin_client_a, outsider_client):
        assert client.get(page(harbor)).status_code == 404
        assert client.get(reverse("manage:application_list")).status_code == 404
        assert client.post(reverse("manage:application_approve", args=[harbor]) + QUEUE).status_code == 404
        response = client.post(reverse("manage:application_decline", args=[harbor]) + QUEUE, {"reason": "x"})
        assert response.status_code == 404
    assert Partner.objects.get(pk=harbor).status == Partner.Status.APPLIED
