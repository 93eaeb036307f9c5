from django.urls import path

from enablement.views import portal, public

portal_urlpatterns = [
    path("training/", portal.my_learning, name="training"),
    path("training/catalogue/", portal.catalogue, name="training_catalogue"),
    path("training/library/", portal.library, name="training_library"),
    path("training/library/<id:pk>/", portal.asset_detail, name="training_asset"),
    path("training/library/<id:pk>/download/", portal.asset_download, name="training_asset_download"),
    path("training/courses/<slug:slug>/", portal.course_detail, name="training_course"),
    path("training/courses/<slug:slug>/start/", portal.course_enroll, name="training_enroll"),
    path("training/courses/<slug:slug>/again/", portal.course_retake, name="training_retake"),
    path("training/courses/<slug:slug>/completed/", portal.course_completed, name="training_completed"),
    path("training/courses/<slug:slug>/lessons/<id:pk>/", portal.lesson_detail, name="training_lesson"),
    path("training/courses/<slug:slug>/lessons/<id:pk>/time/", portal.lesson_event, name="training_lesson_time"),
    path("training/courses/<slug:slug>/assessment/", portal.assessment_take, name="training_assessment"),
    path("training/certifications/<id:pk>/", portal.award_detail, name="training_award"),
    path("training/team/", portal.team, name="training_team"),
]
# Public: anyone with a certification's code can check it (no sign-in).
public_urlpatterns = [
    path("verify/<str:code>/", public.verify, name="verify"),
    path("verify/<str:code>/badge.svg", public.verify_badge, name="verify_badge"),
]
