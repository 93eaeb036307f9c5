"""The incentives URL map: manager pages under /manage/incentives/, partner pages under /portal/."""

from incentives.views import manage, payouts, portal, questions, recognition

manage_urlpatterns = [
    *payouts.manage_urlpatterns,
    *questions.manage_urlpatterns,
    *recognition.manage_urlpatterns,
    *manage.manage_urlpatterns,
]
portal_urlpatterns = [
    *payouts.portal_urlpatterns,
    *questions.portal_urlpatterns,
    *recognition.portal_urlpatterns,
    *portal.portal_urlpatterns,
]
