"""Partner portal enablement pages: my learning, the catalogue, courses, lessons and assessments, the content
library, a learner's certifications and the partner admins' team view. Every read is scoped to the viewer's
partner (content its type or tier may not see is a 404) or to the viewer themselves (their enrollments and
awards)."""

from enablement.views.portal.assessment import assessment_take
from enablement.views.portal.certifications import award_detail, team
from enablement.views.portal.completion import course_completed
from enablement.views.portal.learning import (
    catalogue,
    course_detail,
    course_enroll,
    course_retake,
    lesson_detail,
    lesson_event,
    my_learning,
)
from enablement.views.portal.library import asset_detail, asset_download, library

__all__ = [
    "assessment_take",
    "asset_detail",
    "asset_download",
    "award_detail",
    "catalogue",
    "course_completed",
    "course_detail",
    "course_enroll",
    "course_retake",
    "lesson_detail",
    "lesson_event",
    "library",
    "my_learning",
    "team",
]
