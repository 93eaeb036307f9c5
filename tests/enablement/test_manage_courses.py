"""Courses in the manager app: create, edit and publish (refused with a clear message until the course has lessons
and questions), lessons added, changed, reordered and removed, the assessment and its questions, another attempt
for a learner who used them all (recorded with the reason; the learner is told), and deleting a course."""

import pytest
from django.urls import reverse

from enablement.models import Assessment, Course, Lesson, Question
from prm.models import AuditEvent, Notification
from tests.enablement.factories import CourseFactory, EnrollmentFactory, LessonFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def course_data(**overrides):
    data = {
        "title": "Selling to MSPs",
        "slug": "",
        "summary": "Position the platform for managed service providers.",
        "role": "sales",
        "product": "",
        "estimated_minutes": "45",
        "visibility": "all",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_create_a_course_as_a_draft(manager_client):
    response = manager_client.post(reverse("manage:enablement_course_new"), course_data())
    course = Course.objects.get()
    assert response["Location"] == reverse("manage:enablement_course", args=[course.pk])
    assert (course.slug, course.is_published, course.estimated_minutes) == ("selling-to-msps", False, 45)
    assert AuditEvent.objects.filter(verb="enablement.course_created").exists()
    text = body(manager_client.get(response["Location"]))
    assert "This draft has no lesson yet" in text


def test_bad_numbers_and_keys_are_said_next_to_the_field(manager_client):
    CourseFactory(slug="taken")
    data = course_data(estimated_minutes="forty", slug="Not A Key!")
    response = manager_client.post(reverse("manage:enablement_course_new"), data)
    assert response.status_code == 400
    text = body(response)
    assert "Give the estimated minutes as a whole number" in text
    assert "A key uses only lowercase letters" in text
    assert 'value="Selling to MSPs"' in text
    response = manager_client.post(reverse("manage:enablement_course_new"), course_data(estimated_minutes="0"))
    assert "The estimated minutes is at least 1." in body(response)
    response = manager_client.post(reverse("manage:enablement_course_new"), course_data(slug="taken"))
    assert response.status_code == 400
    assert "The key “taken” is already used" in body(response)
    assert Course.objects.count() == 1


def test_publishing_needs_a_lesson(manager_client):
    course = CourseFactory(is_published=False, title="Draft", slug="draft")
    url = reverse("manage:enablement_course_edit", args=[course.pk])
    response = manager_client.post(url, course_data(title="Draft", slug="draft", is_published="on"))
    assert response.status_code == 400
    assert "Add at least one lesson before publishing the course." in body(response)
    course.refresh_from_db()
    assert not course.is_published
    LessonFactory(course=course)
    assert manager_client.post(url, course_data(title="Draft", slug="draft", is_published="on")).status_code == 302
    course.refresh_from_db()
    assert course.is_published


def test_lessons_add_edit_move_remove(manager_client):
    course = CourseFactory(is_published=False)
    new = reverse("manage:enablement_lesson_new", args=[course.pk])
    response = manager_client.post(new, {"title": "Why MSPs buy", "body": "", "minutes": "10"})
    assert response.status_code == 400
    assert "A lesson needs some content" in body(response)
    assert 'value="Why MSPs buy"' in body(response)
    manager_client.post(new, {"title": "Why MSPs buy", "body": "## Margins", "minutes": "10"})
    manager_client.post(new, {"title": "The demo", "video_url": "https://videos.example.com/1", "minutes": "5"})
    first, second = course.lessons.order_by("position")
    assert [first.title, second.title] == ["Why MSPs buy", "The demo"]

    edit = reverse("manage:enablement_lesson_edit", args=[course.pk, second.pk])
    response = manager_client.post(edit, {"title": "The demo", "video_url": "https://x", "minutes": "900"})
    assert response.status_code == 400
    assert "The minutes is at most 600." in body(response)
    manager_client.post(edit, {"title": "The live demo", "video_url": "https://videos.example.com/1", "minutes": "7"})
    second.refresh_from_db()
    assert (second.title, second.minutes) == ("The live demo", 7)

    manager_client.post(reverse("manage:enablement_lesson_move", args=[course.pk, second.pk]), {"direction": "up"})
    assert list(course.lessons.order_by("position").values_list("title", flat=True)) == [
        "The live demo",
        "Why MSPs buy",
    ]

    manager_client.post(reverse("manage:enablement_lesson_delete", args=[course.pk, second.pk]))
    assert list(course.lessons.values_list("title", flat=True)) == ["Why MSPs buy"]
    # A lesson of another course is a 404.
    other = LessonFactory()
    assert (
        manager_client.post(reverse("manage:enablement_lesson_delete", args=[course.pk, other.pk])).status_code == 404
    )


def test_a_published_course_keeps_its_last_lesson(manager_client):
    course = CourseFactory(is_published=True)
    lesson = LessonFactory(course=course)
    response = manager_client.post(reverse("manage:enablement_lesson_delete", args=[course.pk, lesson.pk]), follow=True)
    assert "A published course keeps at least one lesson" in body(response)
    assert Lesson.objects.filter(pk=lesson.pk).exists()


def test_assessment_and_questions(manager_client):
    course = CourseFactory(is_published=False)
    LessonFactory(course=course)
    save = reverse("manage:enablement_assessment_save", args=[course.pk])
    response = manager_client.post(save, {"pass_mark": "120", "max_attempts": "x"})
    assert response.status_code == 400
    text = body(response)
    assert "The pass mark is at most 100." in text
    assert "Give the attempts allowed as a whole number" in text
    assert not Assessment.objects.exists()
    manager_client.post(save, {"pass_mark": "70", "max_attempts": "2"})
    assessment = Assessment.objects.get(course=course)
    assert (assessment.pass_mark, assessment.max_attempts) == (70, 2)

    new = reverse("manage:enablement_question_new", args=[course.pk])
    bad = {"text": "Which tier has MDF?", "choice_1": "Gold", "choice_2": "Silver", "correct_1": "", "slots": "4"}
    response = manager_client.post(new, bad)
    assert response.status_code == 400
    assert "Mark the correct choice." in body(response)
    assert 'value="Silver"' in body(response)
    two = {**bad, "correct_1": "on", "correct_2": "on"}
    assert "Only one choice can be correct" in body(manager_client.post(new, two))
    manager_client.post(new, {**bad, "correct_1": "on"})
    question = Question.objects.get()
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [("Gold", True), ("Silver", False)]

    edit = reverse("manage:enablement_question_edit", args=[course.pk, question.pk])
    assert 'value="Gold"' in body(manager_client.get(edit))
    data = {
        "text": "Which tiers have MDF?",
        "multiple": "on",
        "choice_1": "Gold",
        "correct_1": "on",
        "choice_2": "Silver",
        "choice_3": "Platinum",
        "correct_3": "on",
        "slots": "3",
    }
    assert manager_client.post(edit, data).status_code == 302
    question.refresh_from_db()
    assert question.multiple
    assert [c.text for c in question.choices.all() if c.is_correct] == ["Gold", "Platinum"]

    manager_client.post(reverse("manage:enablement_question_delete", args=[course.pk, question.pk]))
    assert not Question.objects.exists()
    manager_client.post(reverse("manage:enablement_assessment_delete", args=[course.pk]))
    assert not Assessment.objects.exists()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"enablement.assessment_saved", "enablement.question_saved", "enablement.question_removed"} <= verbs
    assert "enablement.assessment_removed" in verbs


def test_questions_need_an_assessment_first(manager_client):
    course = CourseFactory()
    response = manager_client.get(reverse("manage:enablement_question_new", args=[course.pk]), follow=True)
    assert "Add the assessment first" in body(response)


def test_grant_another_attempt(manager_client, quiz_course, partner_a, partner_a_seller, channel_manager):
    course, _ = quiz_course
    enrollment = EnrollmentFactory(course=course, partner=partner_a, user=partner_a_seller)
    url = reverse("manage:enablement_attempt_grant", args=[enrollment.pk])
    # Attempts left: refused with the reason on the page.
    response = manager_client.post(url, {"reason": "Bad connection"})
    assert response.status_code == 400
    assert "still has 3 attempt(s) left" in body(response)
    for number in (1, 2, 3):
        enrollment.attempts.create(number=number, run=1, score=33, passed=False)
    page = body(manager_client.get(reverse("manage:enablement_course", args=[course.pk])))
    assert "Grant another attempt" in page
    response = manager_client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Give a reason" in body(response)
    response = manager_client.post(url, {"reason": "The video was broken during the quiz."})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.extra_attempts == 1
    event = AuditEvent.objects.get(verb="enablement.attempt_granted")
    assert (event.actor, event.reason) == (channel_manager, "The video was broken during the quiz.")
    assert Notification.objects.filter(recipient=partner_a_seller, template="enablement_attempt_granted").exists()


def test_delete_a_course(manager_client, partner_a):
    unused = CourseFactory(title="Unused")
    taken = CourseFactory(title="Taken")
    EnrollmentFactory(course=taken, partner=partner_a)
    response = manager_client.post(reverse("manage:enablement_course_delete", args=[taken.pk]), follow=True)
    assert "People have taken this course, so it cannot be deleted" in body(response)
    assert Course.objects.filter(pk=taken.pk).exists()
    response = manager_client.post(reverse("manage:enablement_course_delete", args=[unused.pk]))
    assert response["Location"] == reverse("manage:enablement_courses")
    assert not Course.objects.filter(pk=unused.pk).exists()
