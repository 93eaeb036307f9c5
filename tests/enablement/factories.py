"""Factories for enablement tests: catalogue rows written straight to the database (the services are what the
tests exercise), and helpers that build a small course with an assessment in one call."""

from datetime import timedelta

import factory
from django.utils import timezone

from enablement.models import (
    Assessment,
    Asset,
    Certification,
    CertificationAward,
    Choice,
    Course,
    Enrollment,
    Lesson,
    Question,
)
from tests.factories import MembershipFactory, PartnerFactory, UserFactory


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    title = factory.Sequence(lambda n: f"Battlecard {n}")
    kind = Asset.Kind.BATTLECARD
    url = factory.Sequence(lambda n: f"https://docs.example.com/assets/{n}")
    is_published = True


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "What you will learn."
    is_published = True
    estimated_minutes = 30


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    body = "## Why it matters\n\nRead this."
    minutes = 10


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    course = factory.SubFactory(CourseFactory)
    pass_mark = 80
    max_attempts = 3


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    assessment = factory.SubFactory(AssessmentFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Question {n}?")
    multiple = False


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Choice {n}")
    is_correct = False


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Certified Specialist {n}")
    slug = factory.Sequence(lambda n: f"certified-{n}")
    validity_months = 12

    @factory.post_generation
    def courses(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.courses.set(extracted)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    course = factory.SubFactory(CourseFactory)
    partner = factory.SubFactory(PartnerFactory)
    user = factory.LazyAttribute(lambda o: MembershipFactory(partner=o.partner).user)


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationAward

    certification = factory.SubFactory(CertificationFactory)
    partner = factory.SubFactory(PartnerFactory)
    user = factory.LazyAttribute(lambda o: MembershipFactory(partner=o.partner).user)
    awarded_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))


def course_with_assessment(*, lessons: int = 2, pass_mark: int = 80, max_attempts: int = 3, **course_fields):
    """A published course with `lessons` lessons and an assessment of three questions:
    q1 single (a correct), q2 multiple (a and c correct), q3 single (b correct).
    Returns (course, questions) where questions = [(question, [choices])]."""
    course = CourseFactory(**course_fields)
    for position in range(1, lessons + 1):
        LessonFactory(course=course, position=position)
    assessment = AssessmentFactory(course=course, pass_mark=pass_mark, max_attempts=max_attempts)
    spec = [(False, [True, False, False]), (True, [True, False, True]), (False, [False, True, False])]
    questions = []
    for position, (multiple, correct) in enumerate(spec, start=1):
        question = QuestionFactory(assessment=assessment, position=position, multiple=multiple)
        choices = [
            ChoiceFactory(question=question, position=i, text=f"Option {'abc'[i]}", is_correct=ok)
            for i, ok in enumerate(correct)
        ]
        questions.append((question, choices))
    return course, questions


def right_answers(questions) -> dict[int, list[int]]:
    return {q.pk: [c.pk for c in choices if c.is_correct] for q, choices in questions}


def finish_lesson(enrollment, lesson, *, seconds: int | None = None, now=None):
    """Complete a lesson the way a learner without JavaScript does: open it, spend `seconds` on it (its minimum by
    default), mark it done at `now`. `now` moves past any time the enrollment already counted, so lessons finished
    one after the other never overlap. Returns the enrollment."""
    from enablement import services

    enrollment.refresh_from_db()
    spent = lesson.required_seconds if seconds is None else seconds
    now = now or timezone.now()
    if enrollment.counted_until is not None:
        now = max(now, enrollment.counted_until + timedelta(seconds=spent))
    services.lesson_open(enrollment=enrollment, lesson=lesson, now=now - timedelta(seconds=spent))
    return services.lesson_complete(enrollment=enrollment, lesson=lesson, now=now)


def rewind_lesson_clock(enrollment, lesson, seconds: int) -> None:
    """As if the lesson page had been opened `seconds` earlier (and nothing counted since)."""
    from django.db.models import F

    from enablement.models import LessonTime

    back = timedelta(seconds=seconds)
    LessonTime.objects.filter(enrollment=enrollment, lesson=lesson).update(
        opened_at=F("opened_at") - back, last_seen_at=F("last_seen_at") - back
    )
    Enrollment.objects.filter(pk=enrollment.pk, counted_until__isnull=False).update(counted_until=None)


def credit_lesson_time(enrollment, lesson, seconds: int) -> None:
    """As if the learner had spent `seconds` more on the open lesson (for browser tests, whose page beats and
    reports the end of the text on its own schedule)."""
    import time

    from django.db import OperationalError, transaction
    from django.db.models import F

    from enablement.models import LessonTime

    # On SQLite the live server's thread may hold the table for the page's own time beat at this very moment
    # ("database table is locked", which SQLite does not wait for): try again shortly.
    for attempt in range(20):
        try:
            with transaction.atomic():
                updated = LessonTime.objects.filter(enrollment=enrollment, lesson=lesson, run=enrollment.run).update(
                    seconds=F("seconds") + seconds
                )
                assert updated == 1, "open the lesson page first"
                Enrollment.objects.filter(pk=enrollment.pk).update(seconds_spent=F("seconds_spent") + seconds)
            return
        except OperationalError:
            if attempt == 19:
                raise
            time.sleep(0.1)


def learner(partner=None, **user_fields):
    """A partner user (sales by default)."""
    return MembershipFactory(partner=partner or PartnerFactory(), user=UserFactory(**user_fields)).user


__all__ = [
    "AssessmentFactory",
    "AssetFactory",
    "AwardFactory",
    "CertificationFactory",
    "ChoiceFactory",
    "CourseFactory",
    "EnrollmentFactory",
    "LessonFactory",
    "QuestionFactory",
    "course_with_assessment",
    "credit_lesson_time",
    "finish_lesson",
    "learner",
    "rewind_lesson_clock",
    "right_answers",
]
