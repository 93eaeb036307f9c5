"""The incentives URL map: manager pages under /manage/incentives/, partner pages under /portal/."""

from incentives.views import manage, portal

manage_urlpatterns = manage.manage_urlpatterns
portal_urlpatterns = portal.portal_urlpatterns
