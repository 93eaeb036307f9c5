"""Courses for the channel team: the list with learners and training time, creating and changing a course, and its
page, where lessons, the assessment and its questions are built, and where learners who used every attempt can be
granted another one. Every change goes through `enablement.services` (audited; learners are told when it concerns
them)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from enablement import selectors, services
from enablement.forms.manage import AssessmentForm, CourseForm, GrantAttemptForm, LessonForm, QuestionForm
from enablement.models import Assessment, Course, Enrollment, Lesson, Question
from prm.access import manager_required
from prm.csv_export import exports_csv

from .common import NAV, PER_PAGE, ValidationError, attach_errors


@exports_csv("manage:enablement_export", kind="courses")
@manager_required
def courses(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.courses_manage())
    for course in rows:
        course.hours = round(course.seconds / 3600, 1)
    context = {"courses": rows, "nav": NAV}
    return render(request, "enablement/manage/courses.html", context)


def _course_form_page(request: HttpRequest, form: CourseForm, course: Course | None, status: int = 200):
    context = {"form": form, "course": course, "nav": NAV}
    return render(request, "enablement/manage/course_form.html", context, status=status)


@manager_required
def course_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _course_form_page(request, CourseForm(), None)
    form = CourseForm(request.POST)
    if form.is_valid():
        try:
            course = services.course_create(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"“{course.title}” is created as a draft. Add its lessons, then publish it.")
            return redirect("manage:enablement_course", pk=course.pk)
    return _course_form_page(request, form, None, status=400)


@manager_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    if request.method != "POST":
        return _course_form_page(request, CourseForm(course=course), course)
    form = CourseForm(request.POST, course=course)
    if form.is_valid():
        try:
            services.course_update(actor=request.user, course=course, **form.service_fields())
        except ValidationError as exc:
            attach_errors(form, exc)
            course.refresh_from_db()
        else:
            messages.success(request, f"“{course.title}” is saved.")
            return redirect("manage:enablement_course", pk=course.pk)
    return _course_form_page(request, form, course, status=400)


@manager_required
@require_POST
def course_delete(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    title = course.title
    try:
        services.course_delete(actor=request.user, course=course)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("manage:enablement_course", pk=pk)
    messages.success(request, f"“{title}” was deleted.")
    return redirect("manage:enablement_courses")


# --- The course page -----------------------------------------------------------------------------------------------


def _enrollment_rows(course: Course, assessment: Assessment | None, page_number) -> tuple:
    """The page of learners, each with its attempts in the current run and whether it may get another one."""
    queryset = selectors.enrollments_manage(course=course).prefetch_related("attempts")
    page = Paginator(queryset, PER_PAGE).get_page(page_number)
    rows = list(page.object_list)
    limited = assessment is not None and assessment.max_attempts
    for enrollment in rows:
        attempts = sorted((a for a in enrollment.attempts.all() if a.run == enrollment.run), key=lambda a: a.number)
        info = services.AttemptsInfo(
            used=len(attempts),
            allowed=assessment.max_attempts + enrollment.extra_attempts if limited else None,
            passed=any(a.passed for a in attempts),
        )
        enrollment.run_attempts = attempts
        enrollment.allowed = info.allowed
        # The rule `services.assessment_grant_attempt` enforces, from the prefetched attempts.
        enrollment.can_grant = info.exhausted and not info.passed and not enrollment.is_completed
    return page, rows


def _course_page(
    request: HttpRequest,
    course: Course,
    *,
    assessment_form: AssessmentForm | None = None,
    grant_form: GrantAttemptForm | None = None,
    grant_for: int | None = None,
    status: int = 200,
) -> HttpResponse:
    lessons = list(course.lessons.select_related("asset").order_by("position", "pk"))
    assessment = Assessment.objects.filter(course=course).first()
    questions = list(assessment.questions.prefetch_related("choices").order_by("position", "pk")) if assessment else []
    page, enrollments = _enrollment_rows(course, assessment, request.GET.get("page"))
    if assessment_form is None:
        initial = {"pass_mark": assessment.pass_mark, "max_attempts": assessment.max_attempts} if assessment else None
        assessment_form = AssessmentForm(initial=initial)
    context = {
        "course": course,
        "lessons": lessons,
        "assessment": assessment,
        "questions": questions,
        "assessment_form": assessment_form,
        "page": page,
        "enrollments": enrollments,
        "grant_form": grant_form or GrantAttemptForm(),
        "grant_for": grant_for,
        "certifications": selectors.course_certifications(course=course),
        "minutes": sum(lesson.minutes for lesson in lessons),
        "nav": NAV,
    }
    return render(request, "enablement/manage/course.html", context, status=status)


@manager_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _course_page(request, get_object_or_404(Course.objects.prefetch_related("tiers"), pk=pk))


# --- Lessons -------------------------------------------------------------------------------------------------------


def _lesson_page(request, course: Course, form: LessonForm, lesson: Lesson | None, status: int = 200):
    context = {"course": course, "form": form, "lesson": lesson, "nav": NAV}
    return render(request, "enablement/manage/lesson_form.html", context, status=status)


def _save_lesson(request: HttpRequest, course: Course, lesson: Lesson | None) -> HttpResponse:
    form = LessonForm(request.POST)
    if form.is_valid():
        try:
            saved = services.lesson_save(actor=request.user, course=course, lesson=lesson, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"Lesson “{saved.title}” is saved.")
            return redirect(f"{_course_url(course)}#lessons")
    return _lesson_page(request, course, form, lesson, status=400)


def _course_url(course: Course) -> str:
    return reverse("manage:enablement_course", args=[course.pk])


@manager_required
def lesson_new(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    if request.method != "POST":
        return _lesson_page(request, course, LessonForm(), None)
    return _save_lesson(request, course, None)


@manager_required
def lesson_edit(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    lesson = get_object_or_404(Lesson, pk=lesson_pk, course=course)
    if request.method != "POST":
        initial = {
            "title": lesson.title,
            "body": lesson.body,
            "video_url": lesson.video_url,
            "document_url": lesson.document_url,
            "asset": lesson.asset_id,
            "minutes": lesson.minutes,
            "min_minutes": lesson.min_minutes,
        }
        return _lesson_page(request, course, LessonForm(initial=initial), lesson)
    return _save_lesson(request, course, lesson)


@manager_required
@require_POST
def lesson_delete(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    lesson = get_object_or_404(Lesson.objects.select_related("course"), pk=lesson_pk, course=course)
    try:
        services.lesson_delete(actor=request.user, lesson=lesson)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Lesson “{lesson.title}” was removed.")
    return redirect(f"{_course_url(course)}#lessons")


@manager_required
@require_POST
def lesson_move(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    lesson = get_object_or_404(Lesson, pk=lesson_pk, course=course)
    try:
        services.lesson_move(actor=request.user, lesson=lesson, direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{_course_url(course)}#lessons")


# --- The assessment and its questions ------------------------------------------------------------------------------


@manager_required
@require_POST
def assessment_save(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_save(actor=request.user, course=course, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, "The assessment is saved." + ("" if _has_questions(course) else " Add its questions.")
            )
            return redirect(f"{_course_url(course)}#assessment")
    return _course_page(request, course, assessment_form=form, status=400)


def _has_questions(course: Course) -> bool:
    return Question.objects.filter(assessment__course=course).exists()


@manager_required
@require_POST
def assessment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    try:
        services.assessment_delete(actor=request.user, course=course)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The assessment was removed. Completing the lessons now completes the course.")
    return redirect(f"{_course_url(course)}#assessment")


def _question_page(request, course: Course, form: QuestionForm, question: Question | None, status: int = 200):
    context = {"course": course, "form": form, "question": question, "nav": NAV}
    return render(request, "enablement/manage/question_form.html", context, status=status)


def _save_question(request: HttpRequest, course: Course, assessment: Assessment, question: Question | None, form):
    if form.is_valid():
        try:
            services.question_save(
                actor=request.user,
                assessment=assessment,
                question=question,
                text=form.cleaned_data["text"],
                multiple=form.cleaned_data["multiple"],
                choices=form.choices(),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "The question is saved.")
            return redirect(f"{_course_url(course)}#assessment")
    return _question_page(request, course, form, question, status=400)


def _slots_posted(request: HttpRequest, default: int) -> int:
    try:
        return int(request.POST.get("slots", default))
    except (TypeError, ValueError):
        return default


@manager_required
def question_new(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    assessment = Assessment.objects.filter(course=course).first()
    if assessment is None:
        messages.error(request, "Add the assessment first (its pass mark and attempts), then its questions.")
        return redirect(f"{_course_url(course)}#assessment")
    if request.method != "POST":
        return _question_page(request, course, QuestionForm(), None)
    form = QuestionForm(request.POST, slots=_slots_posted(request, 4))
    return _save_question(request, course, assessment, None, form)


@manager_required
def question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    question = get_object_or_404(
        Question.objects.select_related("assessment").prefetch_related("choices"),
        pk=question_pk,
        assessment__course=course,
    )
    if request.method != "POST":
        return _question_page(request, course, QuestionForm.for_question(question), question)
    form = QuestionForm(request.POST, slots=_slots_posted(request, question.choices.count() + 1))
    return _save_question(request, course, question.assessment, question, form)


@manager_required
@require_POST
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    question = get_object_or_404(
        Question.objects.select_related("assessment__course"), pk=question_pk, assessment__course=course
    )
    try:
        services.question_delete(actor=request.user, question=question)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The question was removed.")
    return redirect(f"{_course_url(course)}#assessment")


# --- Another attempt -----------------------------------------------------------------------------------------------


@manager_required
@require_POST
def attempt_grant(request: HttpRequest, pk: int) -> HttpResponse:
    """Allow one more attempt to a learner who used them all (`pk`: the enrollment)."""
    enrollment = get_object_or_404(Enrollment.objects.select_related("course", "user"), pk=pk)
    course = enrollment.course
    form = GrantAttemptForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_grant_attempt(
                actor=request.user, enrollment=enrollment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, f"{enrollment.user.display_name} can take the assessment once more; they are told."
            )
            return redirect(f"{_course_url(course)}#learners")
    return _course_page(request, course, grant_form=form, grant_for=enrollment.pk, status=400)
