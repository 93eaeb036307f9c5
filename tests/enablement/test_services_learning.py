from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enablement import services
from enablement.models import Enrollment, LessonProgress, Visibility
from partners.models import Checklist, ChecklistStep, Partner, PartnerStep
from prm.models import AuditEvent, Notification
from tests.enablement.factories import CourseFactory, LessonFactory, finish_lesson, learner
from tests.factories import PartnerFactory


@pytest.fixture
def course(db):
    course = CourseFactory(title="Platform essentials", slug="platform-essentials")
    for position in (1, 2, 3):
        LessonFactory(course=course, position=position, minutes=10)
    return course


def test_enrollment_start_is_idempotent_and_audited(course, partner_a, partner_a_seller):
    first = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    again = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    assert first.pk == again.pk
    assert first.status == Enrollment.Status.IN_PROGRESS
    assert Enrollment.objects.count() == 1
    assert AuditEvent.objects.filter(verb="enablement.enrolled", partner=partner_a).count() == 1


def test_enrollment_refuses_hidden_unpublished_and_other_partners_courses(course, partner_a, partner_a_seller):
    draft = CourseFactory(is_published=False)
    with pytest.raises(ValidationError, match="not available"):
        services.enrollment_start(user=partner_a_seller, partner=partner_a, course=draft)
    only_msps = CourseFactory(visibility=Visibility.TYPES, partner_types=[Partner.Type.MSP])
    with pytest.raises(ValidationError, match="not available"):
        services.enrollment_start(user=partner_a_seller, partner=partner_a, course=only_msps)
    other = PartnerFactory()
    with pytest.raises(ValidationError, match="Only people of this partner"):
        services.enrollment_start(user=partner_a_seller, partner=other, course=course)
    assert not Enrollment.objects.exists()


def test_lessons_complete_one_by_one_and_the_course_completes_with_its_time(course, partner_a, partner_a_seller):
    enrollment = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    lessons = list(course.lessons.all())
    finish_lesson(enrollment, lessons[0], seconds=600)
    enrollment.refresh_from_db()
    assert enrollment.progress_percent == 33
    assert enrollment.seconds_spent == 600
    # Completing the same lesson again changes nothing (no double time).
    finish_lesson(enrollment, lessons[0], seconds=600)
    enrollment.refresh_from_db()
    assert enrollment.seconds_spent == 600
    finish_lesson(enrollment, lessons[1], seconds=420)
    result = finish_lesson(enrollment, lessons[2], seconds=300)
    assert result.status == Enrollment.Status.COMPLETED
    assert result.completed_at is not None
    assert result.seconds_spent == 1320
    assert result.progress_percent == 100
    assert AuditEvent.objects.filter(verb="enablement.course_completed", partner=partner_a).count() == 1
    assert Notification.objects.filter(recipient=partner_a_seller, template="enablement_course_completed").count() == 1


def test_time_per_lesson_is_capped(course, partner_a, partner_a_seller):
    enrollment = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    lesson = course.lessons.first()  # 10 minutes: at most 30 minutes count
    finish_lesson(enrollment, lesson, seconds=8 * 3600)
    enrollment.refresh_from_db()
    assert enrollment.seconds_spent == 30 * 60
    long_lesson = LessonFactory(course=course, minutes=300)
    finish_lesson(enrollment, long_lesson, seconds=10 * 3600)
    enrollment.refresh_from_db()
    assert enrollment.seconds_spent == 30 * 60 + services.MAX_LESSON_SECONDS
    assert services.lesson_seconds_cap(LessonFactory(course=course, minutes=1)) == 15 * 60


def test_a_lesson_of_another_course_is_refused(course, partner_a, partner_a_seller):
    enrollment = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    with pytest.raises(ValidationError, match="not part of the course"):
        services.lesson_complete(enrollment=enrollment, lesson=LessonFactory())


def test_completing_a_course_completes_the_onboarding_step_by_itself(course, channel_manager):
    from partners import services as partner_services

    partner = PartnerFactory(status=Partner.Status.ONBOARDING, type=Partner.Type.SI)
    checklist = Checklist.objects.create(name="SI onboarding", partner_type=Partner.Type.SI)
    ChecklistStep.objects.create(
        checklist=checklist, order=1, kind=ChecklistStep.Kind.COURSE, title="Take essentials", course_key=course.slug
    )
    ChecklistStep.objects.create(checklist=checklist, order=2, kind=ChecklistStep.Kind.MANUAL, title="Kick-off call")
    partner_services.onboarding_start(partner=partner)
    step = PartnerStep.objects.get(partner=partner, step__kind=ChecklistStep.Kind.COURSE)
    assert step.completed_at is None
    seller = learner(partner)
    other_course = CourseFactory()
    LessonFactory(course=other_course)
    enrollment = services.enrollment_start(user=seller, partner=partner, course=other_course)
    finish_lesson(enrollment, other_course.lessons.get())
    step.refresh_from_db()
    assert step.completed_at is None  # the step names another course

    enrollment = services.enrollment_start(user=seller, partner=partner, course=course)
    for lesson in course.lessons.all():
        finish_lesson(enrollment, lesson)
    step.refresh_from_db()
    assert step.completed_at is not None
    assert step.detected is True


def test_retake_starts_over_and_keeps_the_hours(course, partner_a, partner_a_seller):
    enrollment = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    with pytest.raises(ValidationError, match="still taking"):
        services.enrollment_retake(user=partner_a_seller, enrollment=enrollment)
    for lesson in course.lessons.all():
        finish_lesson(enrollment, lesson, seconds=300)
    enrollment.refresh_from_db()
    with pytest.raises(ValidationError, match="Only the learner"):
        services.enrollment_retake(user=learner(partner_a), enrollment=enrollment)
    again = services.enrollment_retake(user=partner_a_seller, enrollment=enrollment)
    assert again.status == Enrollment.Status.IN_PROGRESS
    assert again.completed_at is None
    assert again.run == 2
    assert again.seconds_spent == 900
    assert not LessonProgress.objects.filter(enrollment=enrollment).exists()
    assert again.progress_percent == 0


def test_start_with_explicit_time(course, partner_a, partner_a_seller):
    when = timezone.now() - timedelta(days=20)
    enrollment = services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course, now=when)
    assert enrollment.started_at == when
    assert enrollment.last_activity_at == when
