"""The course catalogue as channel managers build it: courses, their lessons, assessments with questions, and the
certifications that group courses into a path."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from enablement.models import Assessment, Asset, Certification, Choice, Course, Lesson, Question, Role
from prm.audit import audit_record
from prm.models import User

from .common import clean_text, require_manager
from .library import _clean_url, clean_visibility

COURSE_FIELDS = (
    "title",
    "slug",
    "summary",
    "role",
    "product",
    "visibility",
    "partner_types",
    "tiers",
    "is_published",
    "estimated_minutes",
    "is_renewal",
)
CERTIFICATION_FIELDS = (
    "name",
    "slug",
    "description",
    "role",
    "validity_months",
    "courses",
    "renewal_course",
    "is_active",
)
MIN_CHOICES = 2
MAX_CHOICES = 10


def _unique_slug(model: type, value: str, *, source: str, exclude_pk: int | None) -> str:
    """The given slug (checked) or one made from `source`, numbered when taken."""
    given = str(value or "").strip()
    slug = slugify(given or source)[:70]
    if not slug:
        raise ValidationError("Give a short key (letters, digits and hyphens), e.g. “sales-essentials”.")
    if given and slug != given:
        raise ValidationError(f"A key uses only lowercase letters, digits and hyphens, e.g. “{slug}”.")
    taken = model.objects.exclude(pk=exclude_pk)
    if given:
        if taken.filter(slug=slug).exists():
            raise ValidationError(f"The key “{slug}” is already used. Choose another one.")
        return slug
    candidate, n = slug, 2
    while taken.filter(slug=candidate).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def _clean_role(value: Any) -> str:
    value = value or ""
    if value and value not in Role.values:
        raise ValidationError("The role is sales, technical or marketing (or none, for everyone).")
    return value


def _positive_int(value: Any, *, what: str, minimum: int = 0, maximum: int = 10000) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"Give {what} as a whole number.") from None
    if not minimum <= number <= maximum:
        raise ValidationError(f"{what[0].upper()}{what[1:]} is between {minimum} and {maximum}.")
    return number


# --- Courses -------------------------------------------------------------------------------------------------------


def _publish_problem(course: Course) -> str:
    if not course.pk or not course.lessons.exists():
        return "Add at least one lesson before publishing the course."
    assessment = Assessment.objects.filter(course=course).first()
    if assessment is not None and not assessment.questions.exists():
        return "Add questions to the assessment (or remove it) before publishing the course."
    return ""


def _clean_course(fields: dict[str, Any], *, current: Course | None) -> tuple[dict[str, Any], list | None]:
    unknown = sorted(set(fields) - set(COURSE_FIELDS))
    if unknown:
        raise TypeError(f"Unknown course fields: {', '.join(unknown)}")

    def value(name: str, default: Any = "") -> Any:
        return fields[name] if name in fields else getattr(current, name, default)

    title = clean_text(value("title"), what="a title", max_length=200)
    data: dict[str, Any] = {
        "title": title,
        "summary": clean_text(value("summary"), what="a summary", required=False, max_length=2000),
        "role": _clean_role(value("role")),
        "product": clean_text(value("product"), what="the product", required=False, max_length=100),
        "is_published": bool(value("is_published", False)),
        "estimated_minutes": _positive_int(
            value("estimated_minutes", 30), what="the estimated minutes", minimum=1, maximum=6000
        ),
        "is_renewal": bool(value("is_renewal", False)),
    }
    if "slug" in fields or current is None:
        data["slug"] = _unique_slug(
            Course, fields.get("slug", ""), source=title, exclude_pk=current.pk if current else None
        )
    data["visibility"], data["partner_types"], tiers = clean_visibility(fields, current=current)
    return data, tiers


def course_create(*, actor: User, **fields: Any) -> Course:
    """A new course (a draft unless `is_published`; publishing needs lessons, so a new course starts as a draft)."""
    require_manager(actor)
    data, tiers = _clean_course(fields, current=None)
    if data["is_published"]:
        raise ValidationError("Add at least one lesson before publishing the course.")
    with transaction.atomic():
        course = Course.objects.create(created_by=actor, **data)
        if tiers:
            course.tiers.set(tiers)
        audit_record(
            actor=actor,
            verb="enablement.course_created",
            target=course,
            after={"title": course.title, "slug": course.slug},
        )
    return course


def course_update(*, actor: User, course: Course, **fields: Any) -> Course:
    """Change a course. Publishing checks it has lessons and, with an assessment, questions."""
    require_manager(actor)
    data, tiers = _clean_course(fields, current=course)
    if data["is_published"] and not course.is_published:
        problem = _publish_problem(course)
        if problem:
            raise ValidationError(problem)
    before = {"title": course.title, "published": course.is_published, "visibility": course.visibility}
    with transaction.atomic():
        for name, value in data.items():
            setattr(course, name, value)
        course.save()
        if tiers is not None:
            course.tiers.set(tiers)
        audit_record(
            actor=actor,
            verb="enablement.course_updated",
            target=course,
            before=before,
            after={"title": course.title, "published": course.is_published, "visibility": course.visibility},
        )
    return course


def course_delete(*, actor: User, course: Course) -> None:
    """Delete a course nobody has taken and no certification requires; otherwise unpublish it instead (learners
    keep their progress and training hours)."""
    require_manager(actor)
    if course.enrollments.exists():
        raise ValidationError("People have taken this course, so it cannot be deleted: unpublish it instead.")
    if course.certifications.exists() or course.renews.exists():
        raise ValidationError("A certification uses this course: remove it from the certification first.")
    with transaction.atomic():
        audit_record(actor=actor, verb="enablement.course_deleted", target=course, after={"title": course.title})
        course.delete()


# --- Lessons -------------------------------------------------------------------------------------------------------


def lesson_save(
    *,
    actor: User,
    course: Course,
    lesson: Lesson | None = None,
    title: str,
    body: str = "",
    video_url: str = "",
    document_url: str = "",
    asset: Asset | None = None,
    minutes: int = 5,
    min_minutes: int | None = None,
    position: int | None = None,
) -> Lesson:
    """Add a lesson at the end of the course (or at `position`), or change `lesson`. `min_minutes` is the time a
    learner spends before marking it done (None: half the minutes; 0: none); at most the minutes."""
    require_manager(actor)
    if lesson is not None and lesson.course_id != course.pk:
        raise ValidationError("This lesson belongs to another course.")
    data = {
        "title": clean_text(title, what="a title", max_length=200),
        "body": clean_text(body, what="the lesson text", required=False, max_length=100_000),
        "video_url": _clean_url(video_url, what="the video link"),
        "document_url": _clean_url(document_url, what="the document link"),
        "asset": asset,
        "minutes": _positive_int(minutes, what="the minutes", minimum=1, maximum=600),
        "min_minutes": None,
    }
    if min_minutes not in (None, ""):
        data["min_minutes"] = _positive_int(min_minutes, what="the minimum minutes", minimum=0, maximum=600)
        if data["min_minutes"] > data["minutes"]:
            raise ValidationError(f"The minimum is at most the lesson's {data['minutes']} minutes.")
    if not (data["body"] or data["video_url"] or data["document_url"] or asset):
        raise ValidationError("A lesson needs some content: text, a video or document link, or an asset.")
    with transaction.atomic():
        if lesson is None:
            if position is None:
                last = course.lessons.aggregate(last=Max("position"))["last"]
                position = 1 if last is None else last + 1
            lesson = Lesson.objects.create(course=course, position=position, **data)
            verb = "enablement.lesson_added"
        else:
            for name, value in data.items():
                setattr(lesson, name, value)
            if position is not None:
                lesson.position = position
            lesson.save()
            verb = "enablement.lesson_updated"
        audit_record(actor=actor, verb=verb, target=lesson, after={"course": course.title, "lesson": lesson.title})
    return lesson


def lesson_delete(*, actor: User, lesson: Lesson) -> None:
    """Remove a lesson. A published course keeps at least one."""
    require_manager(actor)
    course = lesson.course
    if course.is_published and course.lessons.count() <= 1:
        raise ValidationError("A published course keeps at least one lesson. Unpublish it first.")
    with transaction.atomic():
        audit_record(actor=actor, verb="enablement.lesson_removed", target=course, after={"lesson": lesson.title})
        lesson.delete()
        _renumber(course)


def lesson_move(*, actor: User, lesson: Lesson, direction: str) -> Lesson:
    """Swap a lesson with its neighbour ("up" or "down"); lessons are renumbered 1, 2, 3…"""
    require_manager(actor)
    if direction not in ("up", "down"):
        raise ValidationError("Move a lesson up or down.")
    with transaction.atomic():
        lessons = list(Lesson.objects.select_for_update().filter(course_id=lesson.course_id).order_by("position", "pk"))
        index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(lessons):
            lessons[index], lessons[other] = lessons[other], lessons[index]
        for position, item in enumerate(lessons, start=1):
            if item.position != position:
                Lesson.objects.filter(pk=item.pk).update(position=position)
            item.position = position
    return next(item for item in lessons if item.pk == lesson.pk)


def _renumber(course: Course) -> None:
    for position, pk in enumerate(course.lessons.order_by("position", "pk").values_list("pk", flat=True), start=1):
        Lesson.objects.filter(pk=pk).exclude(position=position).update(position=position)


# --- Assessments ---------------------------------------------------------------------------------------------------


def assessment_save(*, actor: User, course: Course, pass_mark: int = 80, max_attempts: int = 3) -> Assessment:
    """Give the course an assessment, or change its pass mark and attempt limit (0 = unlimited)."""
    require_manager(actor)
    pass_mark = _positive_int(pass_mark, what="the pass mark", minimum=1, maximum=100)
    max_attempts = _positive_int(max_attempts, what="the number of attempts", minimum=0, maximum=100)
    with transaction.atomic():
        assessment, created = Assessment.objects.update_or_create(
            course=course, defaults={"pass_mark": pass_mark, "max_attempts": max_attempts}
        )
        audit_record(
            actor=actor,
            verb="enablement.assessment_saved",
            target=assessment,
            after={"course": course.title, "pass_mark": pass_mark, "max_attempts": max_attempts, "created": created},
        )
    return assessment


def assessment_delete(*, actor: User, course: Course) -> None:
    """Remove the course's assessment (past attempts go with it; completions stay)."""
    require_manager(actor)
    with transaction.atomic():
        deleted, _ = Assessment.objects.filter(course=course).delete()
        if deleted:
            audit_record(
                actor=actor, verb="enablement.assessment_removed", target=course, after={"course": course.title}
            )


def question_save(
    *,
    actor: User,
    assessment: Assessment,
    question: Question | None = None,
    text: str,
    multiple: bool = False,
    choices: list[tuple[str, bool]],
    position: int | None = None,
) -> Question:
    """Add or change a question with its choices [(text, is_correct), …] (blank texts are dropped). A single-answer
    question has exactly one correct choice; a multiple-answer question at least one."""
    require_manager(actor)
    if question is not None and question.assessment_id != assessment.pk:
        raise ValidationError("This question belongs to another assessment.")
    text = clean_text(text, what="the question", max_length=2000)
    cleaned = [(clean_text(t, what="a choice", max_length=500), bool(ok)) for t, ok in choices if str(t or "").strip()]
    if len(cleaned) < MIN_CHOICES:
        raise ValidationError(f"Give at least {MIN_CHOICES} choices.")
    if len(cleaned) > MAX_CHOICES:
        raise ValidationError(f"Keep it to {MAX_CHOICES} choices at most.")
    if len({t.casefold() for t, _ in cleaned}) != len(cleaned):
        raise ValidationError("Two choices have the same text.")
    correct = sum(ok for _, ok in cleaned)
    if correct == 0:
        raise ValidationError("Mark the correct choice.")
    if not multiple and correct > 1:
        raise ValidationError(
            "Only one choice can be correct on a single-answer question (or allow several correct answers)."
        )
    with transaction.atomic():
        if question is None:
            if position is None:
                last = assessment.questions.aggregate(last=Max("position"))["last"]
                position = 1 if last is None else last + 1
            question = Question.objects.create(assessment=assessment, position=position, text=text, multiple=multiple)
        else:
            question.text, question.multiple = text, multiple
            if position is not None:
                question.position = position
            question.save()
            question.choices.all().delete()
        Choice.objects.bulk_create(
            Choice(question=question, position=i, text=t, is_correct=ok) for i, (t, ok) in enumerate(cleaned, start=1)
        )
        audit_record(
            actor=actor,
            verb="enablement.question_saved",
            target=question,
            after={"course": assessment.course.title, "question": text[:120]},
        )
    return question


def question_delete(*, actor: User, question: Question) -> None:
    require_manager(actor)
    assessment = question.assessment
    if assessment.course.is_published and assessment.questions.count() <= 1:
        raise ValidationError("The assessment of a published course keeps at least one question.")
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="enablement.question_removed",
            target=assessment,
            after={"course": assessment.course.title, "question": question.text[:120]},
        )
        question.delete()


# --- Certifications ------------------------------------------------------------------------------------------------


def _clean_certification(
    fields: dict[str, Any], *, current: Certification | None
) -> tuple[dict[str, Any], list[Course] | None]:
    unknown = sorted(set(fields) - set(CERTIFICATION_FIELDS))
    if unknown:
        raise TypeError(f"Unknown certification fields: {', '.join(unknown)}")

    def value(name: str, default: Any = "") -> Any:
        return fields[name] if name in fields else getattr(current, name, default)

    name = clean_text(value("name"), what="a name", max_length=160)
    data: dict[str, Any] = {
        "name": name,
        "description": clean_text(value("description"), what="a description", required=False, max_length=4000),
        "role": _clean_role(value("role")),
        "validity_months": _positive_int(
            value("validity_months", 12), what="the validity in months", minimum=1, maximum=120
        ),
        "is_active": bool(value("is_active", True)),
        "renewal_course": value("renewal_course", None),
    }
    if "slug" in fields or current is None:
        data["slug"] = _unique_slug(
            Certification, fields.get("slug", ""), source=name, exclude_pk=current.pk if current else None
        )
    courses = None
    if "courses" in fields:
        courses = list(fields["courses"] or [])
        if not courses:
            raise ValidationError("Choose the courses that earn this certification (at least one).")
    elif current is None:
        raise ValidationError("Choose the courses that earn this certification (at least one).")
    renewal = data["renewal_course"]
    required = courses if courses is not None else list(current.courses.all())
    if renewal is not None and renewal.pk in {c.pk for c in required}:
        raise ValidationError("The renewal course must be a separate, shorter course, not one of the required ones.")
    return data, courses


def certification_create(*, actor: User, **fields: Any) -> Certification:
    """A certification: earned by completing all `courses`; valid for `validity_months`; renewed with
    `renewal_course` (or the whole path again when there is none)."""
    require_manager(actor)
    data, courses = _clean_certification(fields, current=None)
    with transaction.atomic():
        certification = Certification.objects.create(**data)
        certification.courses.set(courses or [])
        audit_record(
            actor=actor,
            verb="enablement.certification_created",
            target=certification,
            after={"name": certification.name, "courses": [c.slug for c in courses or []]},
        )
    return certification


def certification_update(*, actor: User, certification: Certification, **fields: Any) -> Certification:
    """Change a certification. Existing awards keep their dates; a changed path applies to new awards."""
    require_manager(actor)
    data, courses = _clean_certification(fields, current=certification)
    before = {"name": certification.name, "validity_months": certification.validity_months}
    with transaction.atomic():
        for name, value in data.items():
            setattr(certification, name, value)
        certification.save()
        if courses is not None:
            certification.courses.set(courses)
        audit_record(
            actor=actor,
            verb="enablement.certification_updated",
            target=certification,
            before=before,
            after={"name": certification.name, "validity_months": certification.validity_months},
        )
    return certification
