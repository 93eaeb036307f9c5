"""Assessments: scoring a submission, the attempt limit, and another attempt granted by a channel manager.

A question counts only when the chosen set of choices equals its set of correct choices exactly (no partial
credit: picking two of three correct answers, or all three plus a wrong one, is wrong). The score is the percent of
questions answered right, rounded half up; the attempt passes at or above the pass mark. A post that could not
have come from the page (unknown question or choice ids, several choices on a single-answer question) is refused
and uses no attempt.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from enablement.models import Assessment, Attempt, Enrollment, Question
from prm.audit import audit_record
from prm.models import User
from prm.notifications import notify_each

from .common import clean_text, require_manager
from .learning import _lessons_done, after_completion, assessment_required, course_complete_locked


@dataclass(frozen=True)
class AttemptsInfo:
    used: int  # in the current run
    allowed: int | None  # None: unlimited
    passed: bool

    @property
    def left(self) -> int | None:
        return None if self.allowed is None else max(0, self.allowed - self.used)

    @property
    def exhausted(self) -> bool:
        return self.allowed is not None and self.used >= self.allowed


def attempts_info(enrollment: Enrollment, assessment: Assessment | None = None) -> AttemptsInfo:
    """How many attempts the learner used in this run, how many they have, and whether one passed."""
    assessment = assessment or Assessment.objects.filter(course_id=enrollment.course_id).first()
    attempts = list(Attempt.objects.filter(enrollment=enrollment, run=enrollment.run).values_list("passed", flat=True))
    allowed = None
    if assessment is not None and assessment.max_attempts:
        allowed = assessment.max_attempts + enrollment.extra_attempts
    return AttemptsInfo(used=len(attempts), allowed=allowed, passed=any(attempts))


def _normalise(answers: Any) -> dict[int, set[int]]:
    """{question id: {choice ids}} from what a form or a test sends; anything not made of ids is tampering."""
    if not isinstance(answers, dict):
        raise ValidationError("These answers could not be read. Reload the page and answer again.")
    result: dict[int, set[int]] = {}
    try:
        for key, value in answers.items():
            values = value if isinstance(value, list | tuple | set) else [value]
            result[int(key)] = {int(v) for v in values if v not in (None, "")}
    except (TypeError, ValueError):
        raise ValidationError("These answers could not be read. Reload the page and answer again.") from None
    return result


def score_answers(questions: list[Question], chosen: dict[int, set[int]]) -> tuple[int, int]:
    """(questions right, questions) under the exact-set rule. `questions` carry their prefetched choices."""
    right = 0
    for question in questions:
        correct = {c.pk for c in question.choices.all() if c.is_correct}
        if chosen.get(question.pk, set()) == correct:
            right += 1
    return right, len(questions)


def _check_post(questions: list[Question], chosen: dict[int, set[int]]) -> None:
    by_id = {q.pk: q for q in questions}
    unknown = set(chosen) - set(by_id)
    if unknown:
        raise ValidationError(
            "These answers do not match the assessment (it may have changed). Reload the page and answer again."
        )
    for question_id, choice_ids in chosen.items():
        question = by_id[question_id]
        if choice_ids - {c.pk for c in question.choices.all()}:
            raise ValidationError(
                "These answers do not match the assessment (it may have changed). Reload the page and answer again."
            )
        if not question.multiple and len(choice_ids) > 1:
            excerpt = question.text if len(question.text) <= 80 else f"{question.text[:79]}…"
            raise ValidationError(f"“{excerpt}” takes one answer only. Choose one.")
    unanswered = [q for q in questions if not chosen.get(q.pk)]
    if unanswered:
        count = len(unanswered)
        raise ValidationError(
            f"Answer every question before submitting ({count} question{'s' if count > 1 else ''} left)."
        )


def assessment_submit(*, enrollment: Enrollment, answers: dict[int, list[int]], now: datetime | None = None) -> Attempt:
    """Score a submission {question id: [choice ids]} and record the attempt. Refused (ValidationError, no attempt
    used) when every lesson is not done yet, the course is already passed, the attempts are used up, or the post
    does not match the assessment. Passing completes the course (which may award certifications)."""
    now = now or timezone.now()
    chosen = _normalise(answers)
    with transaction.atomic():
        locked = (
            Enrollment.objects.select_for_update().select_related("course", "partner", "user").get(pk=enrollment.pk)
        )
        assessment = assessment_required(locked.course)
        if assessment is None:
            raise ValidationError("This course has no assessment.")
        if locked.status == Enrollment.Status.COMPLETED:
            raise ValidationError("You already passed this course: there is nothing more to submit.")
        info = attempts_info(locked, assessment)
        if info.passed:
            raise ValidationError("You already passed this assessment.")
        if not _lessons_done(locked):
            raise ValidationError("Finish every lesson before taking the assessment.")
        if info.exhausted:
            raise ValidationError(
                f"You have used all {info.allowed} attempts at this assessment. "
                "Ask your channel manager for another attempt; your lessons stay done."
            )
        questions = list(assessment.questions.prefetch_related("choices"))
        _check_post(questions, chosen)
        right, total = score_answers(questions, chosen)
        score = int(100 * right / total + 0.5) if total else 0
        passed = score >= assessment.pass_mark
        last = Attempt.objects.filter(enrollment=locked).aggregate(n=Max("number"))["n"] or 0
        attempt = Attempt.objects.create(
            enrollment=locked,
            number=last + 1,
            run=locked.run,
            submitted_at=now,
            score=score,
            passed=passed,
            answers={str(q): sorted(c) for q, c in sorted(chosen.items())},
        )
        locked.last_activity_at = now
        locked.save(update_fields=["last_activity_at"])
        audit_record(
            actor=locked.user,
            verb="enablement.assessment_passed" if passed else "enablement.assessment_failed",
            target=attempt,
            partner=locked.partner,
            after={
                "user": locked.user.display_name,
                "course": locked.course.title,
                "score": score,
                "pass_mark": assessment.pass_mark,
                "attempt": info.used + 1,
            },
        )
        completed = passed and _lessons_done(locked)
        if completed:
            course_complete_locked(locked, now=now)
    if completed:
        after_completion(locked, now=now)
    attempt.enrollment = locked
    return attempt


def assessment_grant_attempt(*, actor: User, enrollment: Enrollment, reason: str) -> Enrollment:
    """A channel manager allows one more attempt to a learner who used them all (recorded with the reason; the
    learner is told)."""
    require_manager(actor, what="grant another attempt")
    reason = clean_text(reason, what="a reason")
    with transaction.atomic():
        locked = (
            Enrollment.objects.select_for_update().select_related("course", "partner", "user").get(pk=enrollment.pk)
        )
        assessment = assessment_required(locked.course)
        if assessment is None or assessment.unlimited_attempts:
            raise ValidationError("This course has no attempt limit.")
        info = attempts_info(locked, assessment)
        if locked.status == Enrollment.Status.COMPLETED or info.passed:
            raise ValidationError("This learner already passed.")
        if not info.exhausted:
            raise ValidationError(f"This learner still has {info.left} attempt(s) left.")
        locked.extra_attempts += 1
        locked.save(update_fields=["extra_attempts"])
        event = audit_record(
            actor=actor,
            verb="enablement.attempt_granted",
            target=locked,
            partner=locked.partner,
            after={"user": locked.user.display_name, "course": locked.course.title},
            reason=reason,
        )
        notify_each(
            key=f"audit:{event.pk}:enablement_attempt_granted",
            template="enablement_attempt_granted",
            users=[locked.user],
            partner=locked.partner,
            url=reverse("portal:training_course", args=[locked.course.slug]),
            label="Take the assessment",
            context={"enrollment": locked, "course": locked.course, "reason": reason},
        )
    return locked
