from django.urls import path

from mdf import views

manage_urlpatterns = [path("mdf/", views.manage_index, name="mdf")]
portal_urlpatterns = [path("mdf/", views.portal_index, name="mdf")]
