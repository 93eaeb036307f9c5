"""Every write in the enablement app; import them from here: `from enablement import services`."""

from enablement.models import MAX_LESSON_SECONDS, lesson_seconds_cap
from enablement.services.assessments import (
    AttemptsInfo,
    assessment_grant_attempt,
    assessment_submit,
    attempts_info,
    score_answers,
)
from enablement.services.catalogue import (
    assessment_delete,
    assessment_save,
    certification_create,
    certification_update,
    course_create,
    course_delete,
    course_update,
    lesson_delete,
    lesson_move,
    lesson_save,
    question_delete,
    question_save,
)
from enablement.services.certifications import (
    RENEWAL_OPENS_DAYS,
    award_revoke,
    award_set_public,
    certifications_check,
    verify_path,
)
from enablement.services.common import add_months
from enablement.services.learning import (
    assessment_required,
    course_available_to,
    enrollment_retake,
    enrollment_start,
    lesson_complete,
)
from enablement.services.library import asset_create, asset_delete, asset_record_view, asset_update
from enablement.services.progress import (
    BEAT_SECONDS,
    EVENTS,
    LessonClock,
    lesson_beat,
    lesson_clock,
    lesson_open,
    lesson_time,
)

__all__ = [
    "BEAT_SECONDS",
    "EVENTS",
    "MAX_LESSON_SECONDS",
    "RENEWAL_OPENS_DAYS",
    "AttemptsInfo",
    "LessonClock",
    "add_months",
    "assessment_delete",
    "assessment_grant_attempt",
    "assessment_required",
    "assessment_save",
    "assessment_submit",
    "asset_create",
    "asset_delete",
    "asset_record_view",
    "asset_update",
    "attempts_info",
    "award_revoke",
    "award_set_public",
    "certification_create",
    "certification_update",
    "certifications_check",
    "course_available_to",
    "course_create",
    "course_delete",
    "course_update",
    "enrollment_retake",
    "enrollment_start",
    "lesson_beat",
    "lesson_clock",
    "lesson_complete",
    "lesson_delete",
    "lesson_move",
    "lesson_open",
    "lesson_save",
    "lesson_seconds_cap",
    "lesson_time",
    "question_delete",
    "question_save",
    "score_answers",
    "verify_path",
]
