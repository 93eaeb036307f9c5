"""Every write in the enablement app; import them from here: `from enablement import services`."""

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
    MAX_LESSON_SECONDS,
    assessment_required,
    course_available_to,
    enrollment_retake,
    enrollment_start,
    lesson_complete,
    lesson_seconds_cap,
)
from enablement.services.library import asset_create, asset_delete, asset_record_view, asset_update

__all__ = [
    "MAX_LESSON_SECONDS",
    "RENEWAL_OPENS_DAYS",
    "AttemptsInfo",
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
    "lesson_complete",
    "lesson_delete",
    "lesson_move",
    "lesson_save",
    "lesson_seconds_cap",
    "question_delete",
    "question_save",
    "score_answers",
    "verify_path",
]
