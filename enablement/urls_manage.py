from django.urls import path

from enablement.views import manage

manage_urlpatterns = [
    path("enablement/", manage.index, name="enablement"),
    path("enablement/library/", manage.assets, name="enablement_assets"),
    path("enablement/library/new/", manage.asset_new, name="enablement_asset_new"),
    path("enablement/library/<id:pk>/", manage.asset_edit, name="enablement_asset_edit"),
    path("enablement/library/<id:pk>/delete/", manage.asset_delete, name="enablement_asset_delete"),
    path("enablement/library/<id:pk>/file/", manage.asset_file, name="enablement_asset_file"),
    path("enablement/courses/", manage.courses, name="enablement_courses"),
    path("enablement/courses/new/", manage.course_new, name="enablement_course_new"),
    path("enablement/courses/<id:pk>/", manage.course_detail, name="enablement_course"),
    path("enablement/courses/<id:pk>/edit/", manage.course_edit, name="enablement_course_edit"),
    path("enablement/courses/<id:pk>/delete/", manage.course_delete, name="enablement_course_delete"),
    path("enablement/courses/<id:pk>/lessons/new/", manage.lesson_new, name="enablement_lesson_new"),
    path("enablement/courses/<id:pk>/lessons/<id:lesson_pk>/", manage.lesson_edit, name="enablement_lesson_edit"),
    path(
        "enablement/courses/<id:pk>/lessons/<id:lesson_pk>/delete/",
        manage.lesson_delete,
        name="enablement_lesson_delete",
    ),
    path(
        "enablement/courses/<id:pk>/lessons/<id:lesson_pk>/move/", manage.lesson_move, name="enablement_lesson_move"
    ),
    path("enablement/courses/<id:pk>/assessment/", manage.assessment_save, name="enablement_assessment_save"),
    path(
        "enablement/courses/<id:pk>/assessment/delete/",
        manage.assessment_delete,
        name="enablement_assessment_delete",
    ),
    path("enablement/courses/<id:pk>/questions/new/", manage.question_new, name="enablement_question_new"),
    path(
        "enablement/courses/<id:pk>/questions/<id:question_pk>/",
        manage.question_edit,
        name="enablement_question_edit",
    ),
    path(
        "enablement/courses/<id:pk>/questions/<id:question_pk>/delete/",
        manage.question_delete,
        name="enablement_question_delete",
    ),
    path("enablement/enrollments/<id:pk>/grant/", manage.attempt_grant, name="enablement_attempt_grant"),
    path("enablement/certifications/", manage.certifications, name="enablement_certifications"),
    path("enablement/certifications/new/", manage.certification_new, name="enablement_certification_new"),
    path("enablement/certifications/<id:pk>/", manage.certification_edit, name="enablement_certification_edit"),
    path("enablement/grid/", manage.grid, name="enablement_grid"),
    path("enablement/expiring/", manage.expiring, name="enablement_expiring"),
    path("enablement/awards/<id:pk>/", manage.award_detail, name="enablement_award"),
    path("enablement/awards/<id:pk>/revoke/", manage.award_revoke, name="enablement_award_revoke"),
    path("enablement/partners/<id:pk>/", manage.partner, name="enablement_partner"),
    path("enablement/export/<slug:kind>.csv", manage.export, name="enablement_export"),
]
