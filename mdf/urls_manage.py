from django.urls import path

from mdf.views import manage

manage_urlpatterns = [path("mdf/", manage.index, name="mdf")]
