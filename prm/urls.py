from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

import api.urls
import dealreg.urls
import enablement.urls
import imports.urls
import incentives.urls
import insights.urls
import insights.urls_health
import leads.urls
import mdf.urls
import partners.urls
import partners.urls_locator
import partners.urls_prospects
import webhooks.urls
from prm import views, views_search

handler400 = "prm.views.bad_request"

# The admin signs in through allauth, so its rate limits and MFA apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "prm administration"
admin.site.site_title = "prm admin"

manage_patterns = [
    *insights.urls.manage_urlpatterns,
    *partners.urls.manage_urlpatterns,
    *dealreg.urls.manage_urlpatterns,
    *enablement.urls.manage_urlpatterns,
    *mdf.urls.manage_urlpatterns,
    *incentives.urls.manage_urlpatterns,
    *api.urls.manage_urlpatterns,
    *webhooks.urls.manage_urlpatterns,
    *imports.urls.manage_urlpatterns,
    *leads.urls.manage_urlpatterns,
    *insights.urls_health.manage_urlpatterns,
    *partners.urls_prospects.manage_urlpatterns,
    path("search/", views_search.search, name="search"),
]
portal_patterns = [
    *partners.urls.portal_urlpatterns,
    *dealreg.urls.portal_urlpatterns,
    *enablement.urls.portal_urlpatterns,
    *mdf.urls.portal_urlpatterns,
    *insights.urls.portal_urlpatterns,
    *incentives.urls.portal_urlpatterns,
    *api.urls.portal_urlpatterns,
    *leads.urls.portal_urlpatterns,
    *partners.urls_locator.portal_urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<id:pk>/", views.inbox_open, name="inbox_open"),
    path("inbox/<id:pk>/read/", views.inbox_read, name="inbox_read"),
    path("inbox/<id:pk>/message/", views.inbox_message, name="inbox_message"),
    path("notifications/settings/", views.notification_preferences_page, name="notification_preferences"),
    path("notifications/unsubscribe/<str:token>/", views.notification_unsubscribe, name="notification_unsubscribe"),
    path("manage/", include((manage_patterns, "manage"))),
    path("portal/", include((portal_patterns, "portal"))),
    *partners.urls.public_urlpatterns,
    *enablement.urls.public_urlpatterns,
    *api.urls.public_urlpatterns,
    *leads.urls.public_urlpatterns,
    *partners.urls_locator.public_urlpatterns,
    path("accounts/unlock/<str:token>/", views.login_unlock, name="login_unlock"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
