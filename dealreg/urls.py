from django.urls import path

from dealreg import views

manage_urlpatterns = [path("deals/", views.manage_index, name="deals")]
portal_urlpatterns = [path("deals/", views.portal_index, name="deals")]
