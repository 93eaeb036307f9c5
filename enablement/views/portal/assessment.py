"""The assessment page. Questions come from `selectors.assessment_questions_for`, which carries no correctness, so
neither the page nor a result ever tells the browser which choice is right. A post that does not match the
assessment, or comes after the last attempt, is refused by the service with a message and costs no attempt."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from enablement import selectors, services
from enablement.forms.portal import answers_from_post
from enablement.models import Assessment, Course, Enrollment
from prm.access import partner_required

from .words import attempts_sentence, plural


def _state(enrollment: Enrollment, info: services.AttemptsInfo, missing: list) -> str:
    if enrollment.is_completed or info.passed:
        return "passed"
    if missing:
        return "lessons"
    if info.exhausted:
        return "exhausted"
    return "open"


def _question_rows(enrollment: Enrollment, chosen: dict[str, list[str]], flag_missing: bool) -> list[dict]:
    """Each question with its choices marked as the learner had them (a refused post keeps every answer)."""
    rows = []
    for question in selectors.assessment_questions_for(enrollment):
        picked = set(chosen.get(str(question.id), []))
        rows.append(
            {
                "question": question,
                "choices": [(choice, str(choice.id) in picked) for choice in question.choices],
                "missing": flag_missing and not picked,
            }
        )
    return rows


def _render(
    request: HttpRequest,
    course: Course,
    enrollment: Enrollment,
    assessment: Assessment,
    *,
    chosen: dict[str, list[str]] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    info = services.attempts_info(enrollment, assessment)
    done = selectors.lessons_done(enrollment=enrollment)
    missing = [lesson for lesson in course.lessons.all() if lesson.pk not in done]
    state = _state(enrollment, info, missing)
    context = {
        "course": course,
        "enrollment": enrollment,
        "assessment": assessment,
        "attempts_info": info,
        "attempts_sentence": attempts_sentence(info),
        "attempts": selectors.enrollment_attempts(enrollment=enrollment),
        "missing": missing,
        "state": state,
        "rows": _question_rows(enrollment, chosen or {}, flag_missing=bool(error and chosen))
        if state == "open"
        else [],
        "error": error,
        "tab": "catalogue",
    }
    return render(request, "enablement/portal/assessment.html", context, status=status)


@partner_required
def assessment_take(request: HttpRequest, slug: str) -> HttpResponse:
    course = selectors.access_course(partner=request.partner, slug=slug)
    enrollment = selectors.access_enrollment(user=request.user, course=course)
    if enrollment is None:
        messages.info(request, "Start the course first: the assessment comes after its lessons.")
        return redirect("portal:training_course", slug=course.slug)
    assessment = services.assessment_required(course)
    if assessment is None:
        messages.info(request, "This course has no assessment: completing its lessons completes it.")
        return redirect("portal:training_course", slug=course.slug)
    if request.method != "POST":
        return _render(request, course, enrollment, assessment)

    answers = answers_from_post(request.POST)
    try:
        attempt = services.assessment_submit(enrollment=enrollment, answers=answers)
    except ValidationError as exc:
        enrollment = selectors.access_enrollment(user=request.user, course=course)
        return _render(
            request, course, enrollment, assessment, chosen=answers, error=" ".join(exc.messages), status=400
        )
    if attempt.passed:
        messages.success(request, f"You passed with {attempt.score}% (pass mark {assessment.pass_mark}%).")
        return redirect("portal:training_completed", slug=course.slug)
    info = services.attempts_info(attempt.enrollment, assessment)
    if info.exhausted:
        after = "That was your last attempt: ask your channel manager for another one. Your lessons stay done."
    elif info.left is None:
        after = "Read the lessons again if you need to, then try again."
    else:
        after = f"You have {plural(info.left, 'attempt')} left: read the lessons again if you need to."
    messages.warning(request, f"You scored {attempt.score}%; the pass mark is {assessment.pass_mark}%. {after}")
    return redirect("portal:training_assessment", slug=course.slug)
