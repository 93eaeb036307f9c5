from django.urls import path

from insights import views

manage_urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("insights/", views.manage_index, name="insights"),
]
portal_urlpatterns: list = []
