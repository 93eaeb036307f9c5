"""Learning: a partner user enrolls in a course, completes its lessons one by one (each once its minimum time is
counted: see `progress`; the counted time is the training hours), and completes the course once every lesson is
done and its assessment, if any, passed. A completion may complete an onboarding step and earn a certification."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from enablement.models import Assessment, Course, Enrollment, Lesson, LessonProgress
from partners import hooks
from partners.models import Partner
from prm.access import user_membership
from prm.audit import audit_record
from prm.models import User
from prm.notifications import notify_each

from .progress import count_for_completion, not_ready_message

# A completion recorded with a time older than this does not count as the partner's fresh activity.
FRESH_ACTIVITY = timedelta(hours=1)


def course_available_to(course: Course, partner: Partner) -> bool:
    return course.is_published and course.is_visible_to(partner)


def assessment_required(course: Course) -> Assessment | None:
    """The assessment that must be passed to complete the course: one with questions (an empty one, still being
    written, never blocks learners)."""
    assessment = Assessment.objects.filter(course=course).first()
    if assessment is None or not assessment.questions.exists():
        return None
    return assessment


def _require_member(user: User, partner: Partner) -> None:
    membership = user_membership(user)
    if membership is None or membership.partner_id != partner.pk:
        raise ValidationError("Only people of this partner can take its training.")


def enrollment_start(*, user: User, partner: Partner, course: Course, now: datetime | None = None) -> Enrollment:
    """Enroll `user` (a member of `partner`) in a published course visible to the partner. Starting again returns
    the existing enrollment."""
    existing = Enrollment.objects.filter(user=user, course=course).select_related("course").first()
    if existing is not None:
        return existing
    _require_member(user, partner)
    if not course_available_to(course, partner):
        raise ValidationError("This course is not available to your company.")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                user=user, partner=partner, course=course, started_at=now, last_activity_at=now
            )
            audit_record(
                actor=user,
                verb="enablement.enrolled",
                target=enrollment,
                partner=partner,
                after={"user": user.display_name, "course": course.title},
            )
    except IntegrityError:  # a double click: the other request enrolled first
        return Enrollment.objects.select_related("course").get(user=user, course=course)
    return enrollment


def _lessons_done(enrollment: Enrollment) -> bool:
    total = Lesson.objects.filter(course_id=enrollment.course_id).count()
    done = LessonProgress.objects.filter(enrollment=enrollment, lesson__course_id=enrollment.course_id).count()
    return total > 0 and done >= total


def lesson_complete(*, enrollment: Enrollment, lesson: Lesson, now: datetime | None = None) -> Enrollment:
    """Record a lesson as done, with the time the server counted on it (see `progress`). Refused, with a message
    saying how long is left, until the lesson's minimum time is counted (or the learner reached its end after a
    fair share of it). Completing it again changes nothing. When it was the last lesson and the course has no
    assessment, the course is complete."""
    if lesson.course_id != enrollment.course_id:
        raise ValidationError("This lesson is not part of the course.")
    now = now or timezone.now()
    refusal = ""
    with transaction.atomic():
        locked = (
            Enrollment.objects.select_for_update().select_related("course", "partner", "user").get(pk=enrollment.pk)
        )
        if locked.status == Enrollment.Status.COMPLETED:
            return locked
        if LessonProgress.objects.filter(enrollment=locked, lesson=lesson).exists():
            return locked
        time, clock = count_for_completion(locked, lesson, now=now)
        # A refused click still shows the learner was there: the time up to it stays counted.
        refusal = "" if clock.ready else not_ready_message(clock, lesson)
        completed = False
        if not refusal:
            LessonProgress.objects.create(
                enrollment=locked, lesson=lesson, completed_at=now, seconds_spent=time.seconds
            )
            locked.last_activity_at = now
            locked.save(update_fields=["last_activity_at"])
            completed = _lessons_done(locked) and assessment_required(locked.course) is None
            if completed:
                course_complete_locked(locked, now=now)
    if refusal:
        raise ValidationError(refusal, code="too_soon")
    if completed:
        after_completion(locked, now=now)
    return locked


def course_complete_locked(enrollment: Enrollment, *, now: datetime) -> None:
    """Mark a locked, in-progress enrollment complete (inside the caller's transaction), audited."""
    enrollment.status = Enrollment.Status.COMPLETED
    enrollment.completed_at = now
    enrollment.last_activity_at = now
    enrollment.save(update_fields=["status", "completed_at", "last_activity_at"])
    audit_record(
        actor=enrollment.user,
        verb="enablement.course_completed",
        target=enrollment,
        partner=enrollment.partner,
        after={
            "user": enrollment.user.display_name,
            "course": enrollment.course.title,
            "hours": enrollment.hours_spent,
            "run": enrollment.run,
        },
    )


def after_completion(enrollment: Enrollment, *, now: datetime) -> None:
    """What a completed course sets off, once its transaction committed: the learner is told, the partner's
    onboarding checklist looks again ("complete a course"), certifications are checked, activity is recorded."""
    from partners.services import partner_record_activity

    from .certifications import certifications_check

    awards = certifications_check(user=enrollment.user, partner=enrollment.partner, now=now)
    notify_each(
        key=f"enablement-course-completed:{enrollment.pk}:{enrollment.run}",
        template="enablement_course_completed",
        users=[enrollment.user],
        partner=enrollment.partner,
        url=reverse("portal:training_completed", args=[enrollment.course.slug]),
        label="See what you earned",
        context={"enrollment": enrollment, "course": enrollment.course, "awards": awards},
    )
    hooks.notify_step_event(partner=enrollment.partner, actor=enrollment.user)
    if now >= timezone.now() - FRESH_ACTIVITY:  # a backdated completion (an import, demo data) is not news
        partner_record_activity(partner=enrollment.partner, when=now)


def enrollment_retake(*, user: User, enrollment: Enrollment, now: datetime | None = None) -> Enrollment:
    """Start a completed course again (to renew a certification, or as a refresher): lessons and the attempt limit
    start over; the time already spent stays in the training hours. Only the learner retakes their own course."""
    if enrollment.user_id != user.pk:
        raise ValidationError("Only the learner can start this course again.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().select_related("course", "partner").get(pk=enrollment.pk)
        if locked.status != Enrollment.Status.COMPLETED:
            raise ValidationError("You are still taking this course: carry on where you left off.")
        if not course_available_to(locked.course, locked.partner):
            raise ValidationError("This course is no longer available to your company.")
        LessonProgress.objects.filter(enrollment=locked).delete()
        before = {"completed_at": locked.completed_at.isoformat(), "run": locked.run}
        locked.status = Enrollment.Status.IN_PROGRESS
        locked.completed_at = None
        locked.run += 1
        locked.extra_attempts = 0
        locked.started_at = now
        locked.last_activity_at = now
        locked.save(update_fields=["status", "completed_at", "run", "extra_attempts", "started_at", "last_activity_at"])
        audit_record(
            actor=user,
            verb="enablement.course_retaken",
            target=locked,
            partner=locked.partner,
            before=before,
            after={"user": user.display_name, "course": locked.course.title, "run": locked.run},
        )
    return locked
