from django.urls import path  # noqa: F401

manage_urlpatterns: list = []
portal_urlpatterns: list = []
