from django.urls import path

from enablement.views import manage

manage_urlpatterns = [path("enablement/", manage.index, name="enablement")]
