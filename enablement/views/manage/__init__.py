"""The channel team's enablement pages (namespace `manage`): overview.py (the numbers and what expires soon),
library.py (assets, their view counts and private files), courses.py (courses, lessons, assessments, questions,
another attempt for a learner), certifications.py (certifications, the partner × certification grid, expiring
awards, an award and its revocation, one partner's competency), export.py (CSV)."""

from .certifications import (
    award_detail,
    award_revoke,
    certification_edit,
    certification_new,
    certifications,
    expiring,
    grid,
    partner,
)
from .courses import (
    assessment_delete,
    assessment_save,
    attempt_grant,
    course_delete,
    course_detail,
    course_edit,
    course_new,
    courses,
    lesson_delete,
    lesson_edit,
    lesson_move,
    lesson_new,
    question_delete,
    question_edit,
    question_new,
)
from .export import export
from .library import asset_delete, asset_edit, asset_file, asset_new, assets
from .overview import index

__all__ = [
    "assessment_delete",
    "assessment_save",
    "asset_delete",
    "asset_edit",
    "asset_file",
    "asset_new",
    "assets",
    "attempt_grant",
    "award_detail",
    "award_revoke",
    "certification_edit",
    "certification_new",
    "certifications",
    "course_delete",
    "course_detail",
    "course_edit",
    "course_new",
    "courses",
    "expiring",
    "export",
    "grid",
    "index",
    "lesson_delete",
    "lesson_edit",
    "lesson_move",
    "lesson_new",
    "partner",
    "question_delete",
    "question_edit",
    "question_new",
]
