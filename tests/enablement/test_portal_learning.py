"""The learner's pages in the partner portal: my learning, the catalogue, a course, its lessons (progress saved
lesson by lesson, with the time spent) and the assessment (questions without their answers, a refused post uses
no attempt, the attempt limit); another partner's people never reach a course their type or tier may not see."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enablement import services
from enablement.models import Attempt, CertificationAward, Enrollment, LessonProgress, Visibility
from tests.enablement.factories import (
    AwardFactory,
    CertificationFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    course_with_assessment,
    finish_lesson,
    rewind_lesson_clock,
    right_answers,
)

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def answers_post(answers: dict[int, list[int]]) -> dict[str, list[str]]:
    return {f"q{q}": [str(c) for c in choices] for q, choices in answers.items()}


# --- My learning --------------------------------------------------------------------------------------------------


def test_my_learning_empty_state_suggests_courses_for_my_role(seller_client_a):
    CourseFactory(title="Selling 101", role="sales")
    CourseFactory(title="Deep technical dive", role="technical")
    response = seller_client_a.get(reverse("portal:training"))
    assert response.status_code == 200
    text = body(response)
    assert "You have not started any training yet" in text
    assert "Selling 101" in text
    assert text.index("Selling 101") < text.index("Deep technical dive")
    assert reverse("portal:training_catalogue") in text


def test_my_learning_lists_progress_certifications_and_completed(seller_client_a, partner_a, partner_a_seller):
    going = CourseFactory(title="Objection handling")
    LessonFactory(course=going)
    LessonFactory(course=going)
    enrollment = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=going)
    finish_lesson(enrollment, going.lessons.first(), seconds=600)
    done = CourseFactory(title="Pricing basics")
    EnrollmentFactory(
        user=partner_a_seller, partner=partner_a, course=done, status="completed", completed_at=timezone.now(),
        seconds_spent=5400,
    )  # fmt: skip
    AwardFactory(
        user=partner_a_seller, partner=partner_a, certification=CertificationFactory(name="Certified Seller"),
        expires_at=timezone.localdate() + timedelta(days=20),
    )  # fmt: skip
    response = seller_client_a.get(reverse("portal:training"))
    text = body(response)
    assert "Objection handling" in text
    assert "50%" in text
    assert "Pricing basics" in text
    assert "1.5 hours" in text
    assert "Certified Seller" in text
    assert "Expiring soon" in text
    assert "20 days left" in text


def test_my_learning_and_catalogue_queries_are_bounded(
    seller_client_a, partner_a, partner_a_seller, django_assert_max_num_queries
):
    for n in range(8):
        course = CourseFactory(title=f"Course {n}")
        LessonFactory(course=course)
        EnrollmentFactory(user=partner_a_seller, partner=partner_a, course=course)
        certification = CertificationFactory(courses=[course], renewal_course=CourseFactory(is_renewal=True))
        AwardFactory(user=partner_a_seller, partner=partner_a, certification=certification)
    with django_assert_max_num_queries(13 + 10):  # + "Recommended for you": a fixed 10 (enablement.recommendations)
        assert seller_client_a.get(reverse("portal:training")).status_code == 200
    with django_assert_max_num_queries(12):
        assert seller_client_a.get(reverse("portal:training_catalogue")).status_code == 200


# --- The catalogue and a course -------------------------------------------------------------------------------------


def test_catalogue_shows_paths_courses_and_my_progress_filtered_by_role(seller_client_a, partner_a, partner_a_seller):
    sales = CourseFactory(title="Selling the platform", role="sales")
    tech = CourseFactory(title="Installing the agent", role="technical")
    CourseFactory(title="Draft course", is_published=False)
    CourseFactory(title="Renew your sales badge", is_renewal=True)
    CertificationFactory(name="Certified Seller", courses=[sales])
    EnrollmentFactory(user=partner_a_seller, partner=partner_a, course=sales)
    text = body(seller_client_a.get(reverse("portal:training_catalogue")))
    assert "Certified Seller" in text
    assert "Selling the platform" in text
    assert "Installing the agent" in text
    assert "In progress" in text
    assert "Renewal courses" in text
    assert "Renew your sales badge" in text
    assert "Draft course" not in text
    filtered = body(seller_client_a.get(reverse("portal:training_catalogue"), {"role": "sales"}))
    assert "Selling the platform" in filtered
    assert tech.title not in filtered
    # A bad filter value is ignored, never a 500.
    assert seller_client_a.get(reverse("portal:training_catalogue"), {"role": "nonsense"}).status_code == 200


def test_catalogue_empty_state_points_to_the_library(seller_client_a):
    text = body(seller_client_a.get(reverse("portal:training_catalogue")))
    assert "No course is available yet" in text
    assert reverse("portal:training_library") in text


def test_the_sellers_path_enroll_lessons_assessment_pass_certified(
    seller_client_a, partner_a, partner_a_seller, quiz_course
):
    course, questions = quiz_course
    certification = CertificationFactory(name="Certified Platform Seller", courses=[course])
    page = seller_client_a.get(reverse("portal:training_course", args=[course.slug]))
    assert page.status_code == 200
    assert "Start the course" in body(page)

    response = seller_client_a.post(reverse("portal:training_enroll", args=[course.slug]))
    first, second = list(course.lessons.order_by("position"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:training_lesson", args=[course.slug, first.pk])

    lesson_page = seller_client_a.get(response["Location"])
    assert "Why it matters" in body(lesson_page)  # the lesson's markdown, rendered
    assert 'id="lesson-clock"' in body(lesson_page)
    # Marked done at once: refused with the time it asks for, and the learner stays on the lesson.
    refused = seller_client_a.post(response["Location"], follow=True)
    assert refused.redirect_chain[-1][0] == reverse("portal:training_lesson", args=[course.slug, first.pk])
    assert "asks for at least 5 minutes" in messages_of(refused)
    assert not LessonProgress.objects.exists()
    enrollment = Enrollment.objects.get(user=partner_a_seller, course=course)
    rewind_lesson_clock(enrollment, first, 420)  # seven minutes reading
    response = seller_client_a.post(response["Location"])
    assert response["Location"] == reverse("portal:training_lesson", args=[course.slug, second.pk])
    enrollment.refresh_from_db()
    assert 415 <= enrollment.seconds_spent <= 425

    seller_client_a.get(response["Location"])
    rewind_lesson_clock(enrollment, second, 300)
    response = seller_client_a.post(response["Location"])
    assert response["Location"] == reverse("portal:training_assessment", args=[course.slug])
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 2

    quiz = seller_client_a.get(response["Location"])
    assert quiz.status_code == 200
    assert "Submit my answers" in body(quiz)
    response = seller_client_a.post(response["Location"], answers_post(right_answers(questions)), follow=True)
    # The completion moment: the certificate, its public link, a text to share.
    assert response.redirect_chain[-1][0] == reverse("portal:training_completed", args=[course.slug])
    assert "You passed with 100%" in messages_of(response)
    award = CertificationAward.objects.get(user=partner_a_seller, certification=certification)
    moment = body(response)
    assert "You are certified" in moment
    assert "Certified Platform Seller" in moment
    assert reverse("verify", args=[award.code]) in moment

    mine = body(seller_client_a.get(reverse("portal:training")))
    assert "Certified Platform Seller" in mine
    assert "Active" in mine
    assert reverse("portal:training_award", args=[award.pk]) in mine


def test_lessons_and_assessment_need_the_course_started(seller_client_a, quiz_course):
    course, _ = quiz_course
    lesson = course.lessons.first()
    response = seller_client_a.get(reverse("portal:training_lesson", args=[course.slug, lesson.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:training_course", args=[course.slug])
    assert "Start the course to open its lessons" in messages_of(response)
    response = seller_client_a.post(reverse("portal:training_assessment", args=[course.slug]), {}, follow=True)
    assert "Start the course first" in messages_of(response)
    assert not Enrollment.objects.exists()


def test_assessment_waits_for_every_lesson(seller_client_a, partner_a, partner_a_seller, quiz_course):
    course, questions = quiz_course
    services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    page = seller_client_a.get(reverse("portal:training_assessment", args=[course.slug]))
    assert "Finish every lesson first" in body(page)
    assert "Submit my answers" not in body(page)
    response = seller_client_a.post(
        reverse("portal:training_assessment", args=[course.slug]), answers_post(right_answers(questions))
    )
    assert response.status_code == 400
    assert "Finish every lesson before taking the assessment" in body(response)
    assert not Attempt.objects.exists()


def test_retake_starts_a_completed_course_again(seller_client_a, partner_a, partner_a_seller):
    course = CourseFactory()
    lesson = LessonFactory(course=course)
    enrollment = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    finish_lesson(enrollment, lesson, seconds=300)
    page = body(seller_client_a.get(reverse("portal:training_course", args=[course.slug])))
    # The main action is the completion moment; taking it again is offered quietly below it.
    assert page.index(reverse("portal:training_completed", args=[course.slug])) < page.index("Take it again")
    response = seller_client_a.post(reverse("portal:training_retake", args=[course.slug]))
    assert response["Location"] == reverse("portal:training_lesson", args=[course.slug, lesson.pk])
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.run, enrollment.seconds_spent) == ("in_progress", 2, 300)
    # Retaking a course in progress explains itself.
    response = seller_client_a.post(reverse("portal:training_retake", args=[course.slug]), follow=True)
    assert "carry on where you left off" in messages_of(response)


def _ready_for_quiz(user, partner, course):
    enrollment = services.enrollment_start(user=user, partner=partner, course=course)
    for lesson in course.lessons.all():
        finish_lesson(enrollment, lesson)
    return enrollment


# --- The assessment: no answers in the page, tampering, the attempt limit --------------------------------------


def test_the_assessment_page_never_tells_the_browser_which_answer_is_right(
    seller_client_a, partner_a, partner_a_seller, quiz_course
):
    course, questions = quiz_course
    _ready_for_quiz(partner_a_seller, partner_a, course)
    html = body(seller_client_a.get(reverse("portal:training_assessment", args=[course.slug])))
    assert "is_correct" not in html
    assert "data-correct" not in html
    assert "correct=" not in html.lower()
    for question, choices in questions:
        inputs = re.findall(rf'<input[^>]*name="q{question.pk}"[^>]*>', html)
        assert len(inputs) == len(choices)
        # Right and wrong choices are the same markup but for their id.
        shapes = {re.sub(r'value="\d+"', "", tag) for tag in inputs}
        assert len(shapes) == 1
        for choice in choices:
            assert f'value="{choice.pk}"' in html


@pytest.mark.parametrize(
    "tamper",
    [
        lambda answers: {**answers, "q999999": ["1"]},  # a question that is not in the assessment
        lambda answers: {**answers, next(iter(answers)): ["999999"]},  # a choice of no question
        lambda answers: {**answers, next(iter(answers)): ["abc"]},  # not an id at all
        lambda answers: {**answers, "qx": ["1"]},
    ],
    ids=["unknown-question", "unknown-choice", "not-a-number", "bad-question-key"],
)
def test_a_tampered_post_is_refused_with_a_message_and_uses_no_attempt(
    seller_client_a, partner_a, partner_a_seller, quiz_course, tamper
):
    course, questions = quiz_course
    _ready_for_quiz(partner_a_seller, partner_a, course)
    post = tamper(answers_post(right_answers(questions)))
    response = seller_client_a.post(reverse("portal:training_assessment", args=[course.slug]), post)
    assert response.status_code == 400
    text = body(response)
    assert "Your answers were not submitted" in text
    assert "Reload the page and answer again" in text
    assert "This did not use an attempt" in text
    assert not Attempt.objects.exists()


def test_a_single_answer_question_with_two_choices_is_refused(
    seller_client_a, partner_a, partner_a_seller, quiz_course
):
    course, questions = quiz_course
    _ready_for_quiz(partner_a_seller, partner_a, course)
    answers = answers_post(right_answers(questions))
    single, choices = questions[0]
    answers[f"q{single.pk}"] = [str(c.pk) for c in choices[:2]]
    response = seller_client_a.post(reverse("portal:training_assessment", args=[course.slug]), answers)
    assert response.status_code == 400
    assert "takes one answer only" in body(response)
    assert not Attempt.objects.exists()


def test_unanswered_questions_are_pointed_out_and_answers_kept(
    seller_client_a, partner_a, partner_a_seller, quiz_course
):
    course, questions = quiz_course
    _ready_for_quiz(partner_a_seller, partner_a, course)
    answers = answers_post(right_answers(questions))
    (q1, q1_choices), (_q2, _), (q3, _) = questions
    del answers[f"q{q3.pk}"]
    response = seller_client_a.post(reverse("portal:training_assessment", args=[course.slug]), answers)
    assert response.status_code == 400
    text = body(response)
    assert "Answer every question before submitting (1 question left)" in text
    assert f'id="q{q3.pk}-error"' in text
    assert f'id="q{q1.pk}-error"' not in text
    chosen = next(c for c in q1_choices if c.is_correct)
    assert re.search(rf'name="q{q1.pk}" value="{chosen.pk}" checked', text)


def test_a_failed_attempt_says_the_score_and_what_is_left(seller_client_a, partner_a, partner_a_seller, quiz_course):
    course, questions = quiz_course
    _ready_for_quiz(partner_a_seller, partner_a, course)
    wrong = {q.pk: [c.pk for c in choices if not c.is_correct][:1] for q, choices in questions}
    response = seller_client_a.post(
        reverse("portal:training_assessment", args=[course.slug]), answers_post(wrong), follow=True
    )
    said = messages_of(response)
    assert "You scored 0%; the pass mark is 80%" in said
    assert "2 attempts left" in said
    assert "Attempt 1" in body(response)
    assert "below the pass mark" in body(response)


def test_after_the_last_attempt_the_page_and_a_post_explain_the_limit(seller_client_a, partner_a, partner_a_seller):
    course, questions = course_with_assessment(max_attempts=1)
    _ready_for_quiz(partner_a_seller, partner_a, course)
    wrong = {q.pk: [c.pk for c in choices if not c.is_correct][:1] for q, choices in questions}
    url = reverse("portal:training_assessment", args=[course.slug])
    response = seller_client_a.post(url, answers_post(wrong), follow=True)
    assert "That was your last attempt" in messages_of(response)
    page = body(seller_client_a.get(url))
    assert "No attempts left" in page
    assert "Submit my answers" not in page
    course_page = body(seller_client_a.get(reverse("portal:training_course", args=[course.slug])))
    assert "No attempts left" in course_page
    response = seller_client_a.post(url, answers_post(right_answers(questions)))
    assert response.status_code == 400
    assert "You have used all 1 attempts" in body(response)
    assert Attempt.objects.count() == 1


def test_after_passing_the_assessment_page_says_so(seller_client_a, partner_a, partner_a_seller, quiz_course):
    course, questions = quiz_course
    enrollment = _ready_for_quiz(partner_a_seller, partner_a, course)
    services.assessment_submit(enrollment=enrollment, answers=right_answers(questions))
    url = reverse("portal:training_assessment", args=[course.slug])
    assert "You passed this assessment" in body(seller_client_a.get(url))
    response = seller_client_a.post(url, answers_post(right_answers(questions)))
    assert response.status_code == 400
    assert "nothing more to submit" in body(response)


# --- Isolation: what a partner's type or tier may not see --------------------------------------------------------


def test_a_course_for_other_partner_types_is_a_404_everywhere(outsider_client, partner_a, partner_b):
    partner_b.type = "msp"
    partner_b.save(update_fields=["type"])
    course, _ = course_with_assessment(visibility=Visibility.TYPES, partner_types=[partner_a.type])
    lesson = course.lessons.first()
    urls = [
        reverse("portal:training_course", args=[course.slug]),
        reverse("portal:training_lesson", args=[course.slug, lesson.pk]),
        reverse("portal:training_assessment", args=[course.slug]),
    ]
    for url in urls:
        assert outsider_client.get(url).status_code == 404
    for name in ("portal:training_enroll", "portal:training_retake", "portal:training_assessment"):
        assert outsider_client.post(reverse(name, args=[course.slug])).status_code == 404
    assert outsider_client.post(urls[1]).status_code == 404
    assert course.title not in body(outsider_client.get(reverse("portal:training_catalogue")))
    assert not Enrollment.objects.exists()


def test_a_lesson_of_another_course_is_a_404(seller_client_a, partner_a, partner_a_seller, quiz_course):
    course, _ = quiz_course
    services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    other = LessonFactory(course=CourseFactory())
    assert seller_client_a.get(reverse("portal:training_lesson", args=[course.slug, other.pk])).status_code == 404
