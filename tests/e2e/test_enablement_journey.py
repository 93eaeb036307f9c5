"""Enablement in a real browser: a seller takes a course lesson by lesson, passes its assessment, is certified,
and anyone opening the public verification page sees the certification is valid."""

import re

import pytest

from enablement.models import Assessment, Asset, CertificationAward, Choice, Enrollment, Question
from tests.e2e.test_journeys import sign_in
from tests.enablement.factories import (
    AssetFactory,
    CertificationFactory,
    CourseFactory,
    LessonFactory,
    credit_lesson_time,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LESSON_ONE = """Partners win when they lead with the **customer's problem**, not the product.

## The three questions to ask

1. What does a missed renewal cost you today?
2. Who owns the spreadsheet that tracks it?
3. What would you do with the hours back?

> Tip: write the answers down; they are your business case.

Read the [positioning guide](https://docs.example.com/positioning) before your first call.
"""


def _course():
    course = CourseFactory(
        title="Selling the platform",
        slug="selling-the-platform",
        role="sales",
        product="Platform",
        summary="Find the pain, run a discovery call and position the platform against the spreadsheet.",
        estimated_minutes=25,
    )
    LessonFactory(course=course, position=1, title="Lead with the problem", body=LESSON_ONE, minutes=10,
                  video_url="https://videos.example.com/discovery")  # fmt: skip
    objection = "When they say *we already have a spreadsheet*, ask who updates it and how often it is wrong."
    LessonFactory(course=course, position=2, title="Handling the spreadsheet objection", minutes=10, body=objection)
    assessment = Assessment.objects.create(course=course, pass_mark=80, max_attempts=3)
    spec = [
        ("What do you lead a first call with?", False, [("The customer's problem", True), ("The price list", False),
                                                        ("A product demo", False)]),
        ("Which of these belong in a discovery call? (several)", True, [("The cost of a missed renewal", True),
                                                                        ("Our roadmap", False),
                                                                        ("Who owns the spreadsheet", True)]),
    ]  # fmt: skip
    for position, (text, multiple, choices) in enumerate(spec, start=1):
        question = Question.objects.create(assessment=assessment, position=position, text=text, multiple=multiple)
        for order, (choice, correct) in enumerate(choices):
            Choice.objects.create(question=question, position=order, text=choice, is_correct=correct)
    return course


def test_a_seller_is_certified_and_the_public_page_says_valid(
    live_server, new_page, shot, partner_a, partner_a_seller, partner_a_admin
):
    base = live_server.url
    course = _course()
    CertificationFactory(name="Certified Platform Seller", courses=[course], validity_months=24,
                         description="Knows how to find the pain and position the platform.")  # fmt: skip
    AssetFactory(title="Battlecard: platform vs spreadsheets", kind=Asset.Kind.BATTLECARD, roles=["sales"],
                 product="Platform", description="Two pages to leave with the buyer.")  # fmt: skip
    AssetFactory(title="Demo environment", kind=Asset.Kind.DEMO, roles=["technical", "sales"],
                 url="https://demo.example.com/")  # fmt: skip

    page = new_page()
    sign_in(page, base, partner_a_seller.email)
    page.wait_for_url(re.compile(r"/portal/"))
    page.goto(f"{base}/portal/training/")
    assert page.get_by_role("heading", name="You have not started any training yet").is_visible()
    page.get_by_role("link", name="Courses", exact=True).click()
    page.wait_for_url(re.compile(r"/training/catalogue/$"))
    shot(page, "enablement_catalogue")
    page.get_by_role("link", name="Selling the platform").first.click()
    page.get_by_role("button", name="Start the course").click()

    page.wait_for_url(re.compile(r"/lessons/\d+/$"))
    assert page.get_by_role("heading", name="Lead with the problem").is_visible()
    assert page.get_by_role("heading", name="The three questions to ask").is_visible()  # the markdown, rendered
    shot(page, "enablement_lesson")
    enrollment = Enrollment.objects.get(user=partner_a_seller, course=course)
    first, second = course.lessons.order_by("position")
    credit_lesson_time(enrollment, first, 6 * 60)  # as if read for six minutes (each lesson asks for five)
    page.get_by_role("button", name="Mark as done and continue").click()
    page.wait_for_selector("h1:has-text('Handling the spreadsheet objection')")
    credit_lesson_time(enrollment, second, 6 * 60)
    page.get_by_role("button", name="Mark as done and continue").click()

    page.wait_for_url(re.compile(r"/assessment/$"))
    assert "is_correct" not in page.content()
    page.get_by_label("The customer's problem").check()
    page.get_by_label("The cost of a missed renewal").check()
    page.get_by_label("Who owns the spreadsheet").check()
    shot(page, "enablement_assessment")
    page.get_by_role("button", name="Submit my answers").click()

    page.wait_for_url(re.compile(r"/courses/selling-the-platform/completed/$"))
    assert page.get_by_text(re.compile(r"You passed with 100%")).is_visible()
    assert page.get_by_role("heading", name="Certified Platform Seller").is_visible()
    shot(page, "enablement_course")
    award = CertificationAward.objects.get(user=partner_a_seller)

    page.goto(f"{base}/portal/training/")
    assert page.get_by_role("link", name="Certified Platform Seller").is_visible()
    shot(page, "enablement_my_learning")
    page.get_by_role("link", name="Certified Platform Seller").click()
    page.wait_for_url(re.compile(rf"/certifications/{award.pk}/$"))
    verify_url = page.locator("#verify-link").input_value()
    assert verify_url.endswith(f"/verify/{award.code}/")
    shot(page, "enablement_award")
    page.goto(f"{base}/portal/training/library/")
    assert page.get_by_role("link", name="Battlecard: platform vs spreadsheets").is_visible()
    shot(page, "enablement_library")

    # Anyone, signed out, checks it.
    visitor = new_page()
    visitor.goto(verify_url)
    assert visitor.get_by_role("heading", name="Valid today").is_visible()
    assert visitor.get_by_text("Northwind Solutions").is_visible()
    assert visitor.locator("img[src$='badge.svg']").evaluate("img => img.naturalWidth") > 0
    shot(visitor, "enablement_verify")
    assert partner_a_seller.email not in visitor.content()

    # The partner admin sees the team's certifications.
    admin = new_page()
    sign_in(admin, base, partner_a_admin.email)
    admin.wait_for_url(re.compile(r"/portal/"))
    admin.goto(f"{base}/portal/training/team/")
    assert admin.get_by_text("Certified Platform Seller").is_visible()
    shot(admin, "enablement_team")
