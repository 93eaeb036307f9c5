from django.urls import path

from enablement.views import portal

portal_urlpatterns = [path("training/", portal.index, name="training")]
public_urlpatterns: list = []
