"""Honest progress in a real browser, on a phone-sized screen: the lesson clock, the page telling the server the
end of the text was reached, "mark as done" refused too early, and the completion moment with a copyable text."""

import re

import pytest

from enablement import services
from enablement.models import Enrollment, LessonTime
from tests.e2e.test_journeys import sign_in
from tests.enablement.factories import CertificationFactory, CourseFactory, LessonFactory, credit_lesson_time

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_lesson_waits_for_its_time_and_the_completion_is_a_certificate_to_share(
    live_server, new_page, shot, partner_a, partner_a_seller
):
    base = live_server.url
    course = CourseFactory(title="Selling to MSPs", slug="selling-to-msps")
    first = LessonFactory(course=course, position=1, title="Why MSPs buy", minutes=10, body="Margins. " * 20)
    second = LessonFactory(course=course, position=2, title="The MSP demo", minutes=4, body="Show the console.")
    CertificationFactory(name="Certified MSP Seller", courses=[course])
    services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    enrollment = Enrollment.objects.get(user=partner_a_seller, course=course)

    page = new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, base, partner_a_seller.email)
    page.wait_for_url(re.compile(r"/portal/"))
    page.goto(f"{base}/portal/training/courses/{course.slug}/lessons/{first.pk}/")
    clock = page.locator("#lesson-clock")
    assert "asks for at least 5 minutes" in clock.inner_text()
    # The whole text fits on the screen: the page says the end is reached, and the clock says so.
    page.locator("[data-lesson-end]").scroll_into_view_if_needed()
    page.wait_for_selector("#lesson-clock:has-text('end reached')")
    assert LessonTime.objects.get(enrollment=enrollment, lesson=first).reached_end_at is not None
    assert _fits(page)
    shot(page, "enablement_lesson_clock_phone")

    page.get_by_role("button", name="Mark as done and continue").click()
    page.wait_for_selector("text=Not done yet")
    assert page.get_by_role("heading", name="Why MSPs buy").is_visible()

    credit_lesson_time(enrollment, first, 120)  # past a third of the minimum, with the end reached: enough
    page.get_by_role("button", name="Mark as done and continue").click()
    page.wait_for_selector("h1:has-text('The MSP demo')")
    credit_lesson_time(enrollment, second, 150)
    page.get_by_role("button", name="Mark as done and continue").click()

    page.wait_for_url(re.compile(r"/courses/selling-to-msps/completed/$"))
    assert page.get_by_role("heading", name="You are certified").is_visible()
    assert page.get_by_role("heading", name="Certified MSP Seller").is_visible()
    assert "/verify/" in page.locator("input[id^=verify-]").input_value()
    assert "I am now certified" in page.locator("textarea[id^=share-]").input_value()
    assert page.locator("img.en-badge").evaluate("img => img.naturalWidth") > 0
    page.get_by_role("button", name="Copy the text").click()
    page.wait_for_selector(".en-copied:visible")
    assert page.get_by_role("button", name="Take it again").count() == 0
    assert _fits(page)
    shot(page, "enablement_completed_phone")
