"""Deciding two deals with the keyboard only: the review queue's "Review one by one", `?` lists the shortcuts, `a`
chooses approve and Ctrl+Enter sends it, the next deal opens with "1 left", `r` chooses reject and moves to the
reason, Ctrl+Enter sends it, and the queue page says all is done. Keys never fire while typing in a field."""

import re
from datetime import timedelta

import pytest

from dealreg.models import Registration
from tests.dealreg.factories_views import submitted
from tests.e2e.test_journeys import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_deals_decided_with_the_keyboard(live_server, new_page, shot, channel_manager, partner_a, partner_b):
    first = submitted(partner_a, name="Initech Rollout", age=timedelta(days=2))
    second = submitted(partner_b, name="Hooli Pilot", age=timedelta(hours=3))
    base = live_server.url
    page = new_page()
    sign_in(page, base, channel_manager.email)
    page.wait_for_url(f"{base}/manage/")

    page.goto(f"{base}/manage/deals/review/")
    start = page.get_by_role("button", name=re.compile("Review one by one"))
    start.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/manage/deals/{first.pk}/\?queue=review$"))
    assert page.get_by_text("Item 1 of 2 in the review queue").is_visible()

    # "?" lists the page's shortcuts; Escape closes the list.
    page.keyboard.press("?")
    help_list = page.locator("#decide-help")
    assert help_list.is_visible()
    assert "approve" in help_list.inner_text()
    page.keyboard.press("Escape")
    assert not help_list.is_visible()
    shot(page, "decide-keyboard-first")

    # a: approve, Ctrl+Enter sends it; the next deal opens.
    page.keyboard.press("a")
    assert page.evaluate("document.activeElement.id") == "decision-reason"
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(rf"/manage/deals/{second.pk}/\?queue=review$"))
    assert page.get_by_text("1 left in the review queue.").is_visible()
    assert page.get_by_text("Item 1 of 1 in the review queue").is_visible()

    # r: reject, the focus moves to the reason; letters typed there are text, not shortcuts.
    page.keyboard.press("r")
    page.keyboard.type("Already in our direct pipeline: a key account.")
    assert page.url.endswith(f"/manage/deals/{second.pk}/?queue=review")  # "k", "n", "a"... did nothing
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/manage/deals/review/$"))
    assert page.get_by_text("That was the last one: the review queue is empty.").is_visible()
    assert page.get_by_role("heading", name="All done. Nothing waiting for a decision").is_visible()
    shot(page, "decide-keyboard-done")

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Registration.Status.APPROVED
    assert (second.status, second.decision_reason) == (
        Registration.Status.REJECTED,
        "Already in our direct pipeline: a key account.",
    )


def test_the_decision_page_fits_a_phone(live_server, browser, channel_manager, partner_a, partner_b, shot):
    first = submitted(partner_a, name="Initech Rollout", age=timedelta(days=2))
    submitted(partner_b, name="Hooli Pilot", age=timedelta(hours=3))
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, channel_manager.email)
    page.wait_for_url(f"{live_server.url}/manage/")
    page.goto(f"{live_server.url}/manage/deals/{first.pk}/?queue=review")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    for name in ("Approve", "Reject", "Ask for more information"):
        button = page.get_by_role("button", name=name, exact=True)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None, name
        assert box["x"] >= 0, name
        assert box["x"] + box["width"] <= 391, name
    shot(page, "decide-phone")
    context.close()


def test_a_conflict_resolved_from_the_keyboard(live_server, new_page, channel_manager, partner_a, partner_b):
    from tests.dealreg.factories_views import approved, partner_conflict

    holder = approved(partner_b, name="Umbrella Limited", website="https://umbrella.com")
    newcomer = submitted(partner_a, name="Umbrella Ltd", website="https://www.umbrella.com")
    partner_conflict(newcomer, holder)
    base = live_server.url
    page = new_page()
    sign_in(page, base, channel_manager.email)
    page.wait_for_url(f"{base}/manage/")
    page.goto(f"{base}/manage/deals/{newcomer.pk}/?queue=review&conflict=1")
    assert page.get_by_text("Item 1 of 1 in the review queue").is_visible()
    page.keyboard.press("2")  # the second choice: the newcomer keeps priority
    assert page.locator(f"input[name=holder][value='{newcomer.pk}']").is_checked()
    page.keyboard.press("a")
    page.keyboard.type("They brought the customer to us.")
    page.keyboard.press("Enter")  # in the one-line reason: sends the chosen decision
    page.wait_for_url(re.compile(r"/manage/deals/review/\?conflict=1$"))
    assert page.get_by_text("That was the last one: the review queue is empty.").is_visible()
    newcomer.refresh_from_db()
    holder.refresh_from_db()
    assert (newcomer.status, holder.status) == (Registration.Status.APPROVED, Registration.Status.REJECTED)
