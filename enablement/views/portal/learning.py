"""Partner portal learning pages: my learning, the catalogue, a course with its lessons, starting (again) and
completing lessons. Courses are read through `selectors.access_course(partner=request.partner, ...)`: a course
the partner's type or tier may not see is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from enablement import selectors, services
from enablement.forms.portal import CatalogueFilterForm, LessonEventForm
from enablement.models import Course, Enrollment, Lesson
from enablement.recommendations import recommendations_for
from prm.access import partner_required

from .words import attempts_sentence, award_card, course_next_step, duration, time_stat

IN_PROGRESS = "in_progress"
SUGGESTIONS = 3


@partner_required
def my_learning(request: HttpRequest) -> HttpResponse:
    """In progress, certifications with their expiry (and how to renew), working towards, completed."""
    today = timezone.localdate()
    learning = selectors.my_learning(user=request.user, today=today)
    renewal = selectors.renewal_courses_for(
        partner=request.partner, certification_ids=[a.certification_id for a in learning.awards]
    )
    cards = [award_card(a, today=today, renewal_course=renewal.get(a.certification_id)) for a in learning.awards]
    for enrollment in learning.in_progress + learning.completed:
        enrollment.time_words = duration(enrollment.seconds_spent)
    suggestions = []
    if learning.is_empty:
        role = request.membership.role
        courses = [c for c in selectors.courses_for(partner=request.partner) if not c.is_renewal]
        courses.sort(key=lambda c: c.role not in (role, ""))
        suggestions = courses[:SUGGESTIONS]
    seconds = sum(e.seconds_spent for e in learning.in_progress + learning.completed)
    time_value, time_unit = time_stat(seconds)
    context = {
        "learning": learning,
        "time_value": time_value,
        "time_unit": time_unit,
        "cards": cards,
        "working_towards": [c for c in learning.certifications if c.status == IN_PROGRESS],
        "valid_count": sum(1 for c in cards if c.award.is_valid_on(today)),
        "suggestions": suggestions,
        "recommendations": recommendations_for(
            user=request.user, partner=request.partner, membership=request.membership
        ),
        "tab": "mine",
    }
    return render(request, "enablement/portal/my_learning.html", context)


@partner_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """The courses and certification paths the partner may take, each marked with the viewer's progress."""
    form = CatalogueFilterForm(request.GET)
    role = form.filters().get("role", "")
    courses = list(selectors.courses_for(partner=request.partner))
    if role:
        courses = [c for c in courses if c.role in (role, "")]
    enrollments = selectors.enrollments_by_course(user=request.user)
    for course in courses:
        course.my_enrollment = enrollments.get(course.pk)
        if course.my_enrollment is not None:
            course.my_enrollment.course = course  # the progress bar names it: no query per card
    paths = selectors.certification_paths_for(partner=request.partner)
    if role:
        paths = [p for p in paths if p.role in (role, "")]
    held = selectors.held_certification_ids(user=request.user)
    for path in paths:
        path.held = path.pk in held
        path.done_count = sum(1 for c in path.path_courses if c.pk in enrollments and enrollments[c.pk].is_completed)
    context = {
        "form": form,
        "role": role,
        "courses": [c for c in courses if not c.is_renewal],
        "renewal_courses": [c for c in courses if c.is_renewal],
        "paths": paths,
        "my_role": request.membership.role,
        "tab": "catalogue",
    }
    return render(request, "enablement/portal/catalogue.html", context)


def _course_state(request: HttpRequest, course: Course) -> dict:
    enrollment = selectors.access_enrollment(user=request.user, course=course)
    lessons = list(course.lessons.all())
    done = selectors.lessons_done(enrollment=enrollment) if enrollment else set()
    assessment = services.assessment_required(course)
    info = services.attempts_info(enrollment, assessment) if enrollment and assessment else None
    return {
        "course": course,
        "enrollment": enrollment,
        "lessons": lessons,
        "done": done,
        "assessment": assessment,
        "question_count": assessment.questions.count() if assessment else 0,
        "attempts_info": info,
        "attempts_sentence": attempts_sentence(info) if info else "",
        "time_words": duration(enrollment.seconds_spent) if enrollment else "",
        "next_step": course_next_step(
            enrollment=enrollment, lessons=lessons, done=done, has_assessment=assessment is not None, attempts=info
        ),
        "tab": "catalogue",
    }


@partner_required
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = selectors.access_course(partner=request.partner, slug=slug)
    context = _course_state(request, course)
    enrollment = context["enrollment"]
    context["attempts"] = (
        selectors.enrollment_attempts(enrollment=enrollment) if enrollment and context["assessment"] else []
    )
    context["certifications"] = selectors.course_certifications(course=course)
    return render(request, "enablement/portal/course.html", context)


def _first_open_lesson(course: Course, enrollment: Enrollment) -> Lesson | None:
    done = selectors.lessons_done(enrollment=enrollment)
    return next((lesson for lesson in course.lessons.all() if lesson.pk not in done), None)


def _continue(course: Course, enrollment: Enrollment) -> HttpResponse:
    """Where a learner goes next: the first lesson not done, else the assessment, else the course page."""
    lesson = _first_open_lesson(course, enrollment)
    if lesson is not None:
        return redirect("portal:training_lesson", slug=course.slug, pk=lesson.pk)
    if not enrollment.is_completed and services.assessment_required(course) is not None:
        return redirect("portal:training_assessment", slug=course.slug)
    return redirect("portal:training_course", slug=course.slug)


@partner_required
@require_POST
def course_enroll(request: HttpRequest, slug: str) -> HttpResponse:
    course = selectors.access_course(partner=request.partner, slug=slug)
    try:
        enrollment = services.enrollment_start(user=request.user, partner=request.partner, course=course)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal:training_course", slug=course.slug)
    messages.success(request, f"You started “{course.title}”. Your progress is saved after every lesson.")
    return _continue(course, enrollment)


@partner_required
@require_POST
def course_retake(request: HttpRequest, slug: str) -> HttpResponse:
    course = selectors.access_course(partner=request.partner, slug=slug)
    enrollment = selectors.access_enrollment(user=request.user, course=course)
    if enrollment is None:
        return course_enroll(request, slug)
    try:
        enrollment = services.enrollment_retake(user=request.user, enrollment=enrollment)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
        return redirect("portal:training_course", slug=course.slug)
    messages.success(request, f"You started “{course.title}” again. The time you already spent still counts.")
    return _continue(course, enrollment)


def _lesson_of(request: HttpRequest, slug: str, pk: int) -> tuple[Course, list[Lesson], Lesson]:
    course = selectors.access_course(partner=request.partner, slug=slug)
    lessons = list(course.lessons.all())
    lesson = next((item for item in lessons if item.pk == pk), None)
    if lesson is None:
        raise Http404("Not found")
    return course, lessons, lesson


@partner_required
def lesson_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A lesson. Opening it starts (or picks up) its clock; "Mark as done" is accepted once the lesson's minimum
    time is counted, and moves on."""
    course, lessons, lesson = _lesson_of(request, slug, pk)
    enrollment = selectors.access_enrollment(user=request.user, course=course)
    if enrollment is None:
        messages.info(request, "Start the course to open its lessons: your progress is then saved lesson by lesson.")
        return redirect("portal:training_course", slug=course.slug)
    if request.method == "POST":
        return _complete_lesson(request, course, enrollment, lesson)
    done = selectors.lessons_done(enrollment=enrollment)
    clock = None
    if not enrollment.is_completed and lesson.pk not in done:
        clock = services.lesson_clock(services.lesson_open(enrollment=enrollment, lesson=lesson), lesson)
    index = lessons.index(lesson)
    context = {
        "course": course,
        "lesson": lesson,
        "lessons": lessons,
        "done": done,
        "enrollment": enrollment,
        "number": index + 1,
        "previous": lessons[index - 1] if index > 0 else None,
        "following": lessons[index + 1] if index + 1 < len(lessons) else None,
        "asset_visible": selectors.asset_visible(partner=request.partner, asset_id=lesson.asset_id),
        "clock": clock,
        "beat_seconds": services.BEAT_SECONDS,
        "question_gate": services.assessment_required(course) is not None,
        "tab": "catalogue",
    }
    return render(request, "enablement/portal/lesson.html", context)


@partner_required
@require_POST
def lesson_event(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The open lesson page's heartbeat ("still here") or "reached the end" (htmx). Answers the clock's line."""
    course, _, lesson = _lesson_of(request, slug, pk)
    enrollment = selectors.access_enrollment(user=request.user, course=course)
    if enrollment is None:
        raise Http404("Not found")
    form = LessonEventForm(request.POST)
    if not form.is_valid():
        return HttpResponse(" ".join(form.errors["event"]), status=400, content_type="text/plain; charset=utf-8")
    time = services.lesson_beat(enrollment=enrollment, lesson=lesson, event=form.cleaned_data["event"])
    context = {
        "course": course,
        "lesson": lesson,
        "enrollment": enrollment,
        "clock": services.lesson_clock(time, lesson),
        "beat_seconds": services.BEAT_SECONDS,
    }
    return render(request, "enablement/portal/lesson.html#clock", context)


def _complete_lesson(request: HttpRequest, course: Course, enrollment: Enrollment, lesson: Lesson) -> HttpResponse:
    if enrollment.is_completed:
        messages.info(request, "You completed this course already.")
        return redirect("portal:training_completed", slug=course.slug)
    try:
        enrollment = services.lesson_complete(enrollment=enrollment, lesson=lesson)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
        return redirect("portal:training_lesson", slug=course.slug, pk=lesson.pk)
    if enrollment.is_completed:
        return redirect("portal:training_completed", slug=course.slug)
    return _continue(course, enrollment)
