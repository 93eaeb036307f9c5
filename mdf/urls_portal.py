from django.urls import path

from mdf.views import portal

portal_urlpatterns = [path("mdf/", portal.index, name="mdf")]
