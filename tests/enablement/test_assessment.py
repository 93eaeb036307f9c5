"""Assessments: exact-set scoring, the pass mark, attempt limits, tampered posts, and no answer leakage."""

import dataclasses

import pytest
from django.core.exceptions import ValidationError

from enablement import selectors, services
from enablement.models import Attempt, Enrollment
from prm.models import AuditEvent, Notification
from tests.enablement.factories import course_with_assessment, finish_lesson, right_answers


@pytest.fixture
def ready(quiz_course, partner_a, partner_a_seller):
    """An enrollment with every lesson done, ready for the assessment."""
    course, questions = quiz_course
    enrollment = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    for lesson in course.lessons.all():
        finish_lesson(enrollment, lesson)
    enrollment.refresh_from_db()
    return enrollment, questions


def _ids(choices, *letters):
    return [choices["abc".index(letter)].pk for letter in letters]


def test_lessons_done_but_assessment_pending_keeps_the_course_open(ready):
    enrollment, _ = ready
    assert enrollment.status == Enrollment.Status.IN_PROGRESS
    assert enrollment.progress_percent == 67  # two lessons done, the assessment to go
    assert selectors.access_enrollment(user=enrollment.user, course=enrollment.course).progress_percent == 67


def test_all_right_passes_and_completes_the_course(ready, partner_a_seller):
    enrollment, questions = ready
    attempt = services.assessment_submit(enrollment=enrollment, answers=right_answers(questions))
    assert (attempt.score, attempt.passed, attempt.number) == (100, True, 1)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    assert AuditEvent.objects.filter(verb="enablement.assessment_passed").count() == 1
    assert Notification.objects.filter(recipient=partner_a_seller, template="enablement_course_completed").exists()


@pytest.mark.parametrize(
    ("q2", "expected_score"),
    [
        ("ac", 100),  # exactly the correct set
        ("a", 67),  # a subset of the correct answers is wrong
        ("abc", 67),  # the correct answers plus a wrong one is wrong
        ("b", 67),
    ],
)
def test_multiple_answer_questions_need_exactly_the_correct_set(ready, q2, expected_score):
    enrollment, questions = ready
    (q1, c1), (q2_question, c2), (q3, c3) = questions
    answers = {q1.pk: _ids(c1, "a"), q2_question.pk: _ids(c2, *q2), q3.pk: _ids(c3, "b")}
    attempt = services.assessment_submit(enrollment=enrollment, answers=answers)
    assert attempt.score == expected_score
    assert attempt.passed is (expected_score >= 80)


def test_single_answer_wrong_choice_scores_zero_for_it(ready):
    enrollment, questions = ready
    (q1, c1), (q2, c2), (q3, c3) = questions
    answers = {q1.pk: _ids(c1, "b"), q2.pk: _ids(c2, "a", "c"), q3.pk: _ids(c3, "a")}
    attempt = services.assessment_submit(enrollment=enrollment, answers=answers)
    assert attempt.score == 33
    assert not attempt.passed
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.IN_PROGRESS
    assert attempt.answers == {str(k): sorted(v) for k, v in answers.items()}


def test_pass_mark_is_inclusive(partner_a, partner_a_seller):
    course, questions = course_with_assessment(pass_mark=67)
    enrollment = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    for lesson in course.lessons.all():
        finish_lesson(enrollment, lesson)
    answers = right_answers(questions)
    (q1, c1), _, _ = questions
    answers[q1.pk] = [c1[1].pk]  # one wrong out of three: 67%
    attempt = services.assessment_submit(enrollment=enrollment, answers=answers)
    assert attempt.score == 67
    assert attempt.passed


def test_the_attempt_limit_is_enforced_and_explained(ready, channel_manager, partner_a_seller):
    enrollment, questions = ready
    (q1, c1), (q2, c2), (q3, c3) = questions
    wrong = {q1.pk: _ids(c1, "b"), q2.pk: _ids(c2, "b"), q3.pk: _ids(c3, "a")}
    for number in (1, 2, 3):
        attempt = services.assessment_submit(enrollment=enrollment, answers=wrong)
        assert attempt.number == number
        assert not attempt.passed
    info = services.attempts_info(enrollment)
    assert (info.used, info.allowed, info.left, info.exhausted) == (3, 3, 0, True)
    with pytest.raises(ValidationError, match="used all 3 attempts"):
        services.assessment_submit(enrollment=enrollment, answers=right_answers(questions))
    assert Attempt.objects.filter(enrollment=enrollment).count() == 3

    # A channel manager grants one more; the learner is told and can pass.
    with pytest.raises(ValidationError, match="reason"):
        services.assessment_grant_attempt(actor=channel_manager, enrollment=enrollment, reason=" ")
    with pytest.raises(ValidationError, match="Only channel managers"):
        services.assessment_grant_attempt(actor=partner_a_seller, enrollment=enrollment, reason="please")
    services.assessment_grant_attempt(actor=channel_manager, enrollment=enrollment, reason="Network trouble.")
    assert Notification.objects.filter(recipient=partner_a_seller, template="enablement_attempt_granted").exists()
    attempt = services.assessment_submit(enrollment=enrollment, answers=right_answers(questions))
    assert attempt.passed
    assert attempt.number == 4


def test_unlimited_attempts(partner_a, partner_a_seller):
    course, questions = course_with_assessment(max_attempts=0)
    enrollment = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    for lesson in course.lessons.all():
        finish_lesson(enrollment, lesson)
    (q1, c1), (q2, c2), (q3, c3) = questions
    wrong = {q1.pk: [c1[1].pk], q2.pk: [c2[1].pk], q3.pk: [c3[0].pk]}
    for _ in range(6):
        services.assessment_submit(enrollment=enrollment, answers=wrong)
    info = services.attempts_info(enrollment)
    assert info.allowed is None
    assert info.left is None
    assert not info.exhausted


def test_cannot_submit_before_finishing_the_lessons(quiz_course, partner_a, partner_a_seller):
    course, questions = quiz_course
    enrollment = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    finish_lesson(enrollment, course.lessons.first())
    with pytest.raises(ValidationError, match="Finish every lesson"):
        services.assessment_submit(enrollment=enrollment, answers=right_answers(questions))
    assert not Attempt.objects.exists()


def test_cannot_submit_again_after_passing(ready):
    enrollment, questions = ready
    services.assessment_submit(enrollment=enrollment, answers=right_answers(questions))
    with pytest.raises(ValidationError, match="already passed"):
        services.assessment_submit(enrollment=enrollment, answers=right_answers(questions))
    assert Attempt.objects.count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        "unknown_question",
        "choice_of_another_question",
        "unknown_choice",
        "two_choices_on_single",
        "not_ids",
        "not_a_dict",
        "unanswered",
    ],
)
def test_tampered_posts_are_refused_without_using_an_attempt(ready, tamper):
    enrollment, questions = ready
    answers = right_answers(questions)
    (q1, c1), (_q2, c2), (q3, _c3) = questions
    if tamper == "unknown_question":
        answers[999999] = [c1[0].pk]
    elif tamper == "choice_of_another_question":
        answers[q1.pk] = [c2[0].pk]
    elif tamper == "unknown_choice":
        answers[q3.pk] = [987654]
    elif tamper == "two_choices_on_single":
        answers[q1.pk] = [c1[0].pk, c1[1].pk]
    elif tamper == "not_ids":
        answers[q1.pk] = ["<script>"]
    elif tamper == "not_a_dict":
        answers = [1, 2, 3]
    elif tamper == "unanswered":
        answers[q3.pk] = []
    with pytest.raises(ValidationError):
        services.assessment_submit(enrollment=enrollment, answers=answers)
    assert not Attempt.objects.exists()
    assert services.attempts_info(enrollment).used == 0


def test_string_ids_from_a_form_post_are_accepted(ready):
    enrollment, questions = ready
    answers = {str(q): [str(c) for c in cs] for q, cs in right_answers(questions).items()}
    assert services.assessment_submit(enrollment=enrollment, answers=answers).passed


def test_questions_for_the_browser_carry_no_correctness(ready):
    enrollment, questions = ready
    shown = selectors.assessment_questions_for(enrollment)
    assert [q.id for q in shown] == [q.pk for q, _ in questions]
    assert [q.position for q in shown] == [1, 2, 3]
    assert [q.multiple for q in shown] == [False, True, False]
    for view in shown:
        names = {f.name for f in dataclasses.fields(view)}
        assert "is_correct" not in names
        for choice in view.choices:
            assert {f.name for f in dataclasses.fields(choice)} == {"id", "text"}
        assert "correct" not in repr(view).lower()
    assert shown[0].field_name == f"q{questions[0][0].pk}"


def test_the_question_list_costs_two_queries(ready, django_assert_max_num_queries):
    enrollment, _ = ready
    with django_assert_max_num_queries(2):
        selectors.assessment_questions_for(enrollment)


def test_a_retake_gets_fresh_attempts(ready, partner_a_seller):
    enrollment, questions = ready
    services.assessment_submit(enrollment=enrollment, answers=right_answers(questions))
    enrollment.refresh_from_db()
    again = services.enrollment_retake(user=partner_a_seller, enrollment=enrollment)
    assert services.attempts_info(again).used == 0
    for lesson in again.course.lessons.all():
        finish_lesson(again, lesson)
    attempt = services.assessment_submit(enrollment=again, answers=right_answers(questions))
    assert attempt.number == 2
    assert attempt.run == 2
    assert attempt.passed
