from django.urls import path

from enablement import views

manage_urlpatterns = [path("enablement/", views.manage_index, name="enablement")]
portal_urlpatterns = [path("training/", views.portal_index, name="training")]
