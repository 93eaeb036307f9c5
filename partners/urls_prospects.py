"""Recruitment prospects and ideal-partner fit in the manager app (/manage/prospects/…)."""

from django.urls import path

from partners.views import prospects

manage_urlpatterns: list = [
    path("prospects/", prospects.prospect_list, name="prospect_list"),
    path("prospects/export.csv", prospects.prospect_export, name="prospect_export"),
    path("prospects/new/", prospects.prospect_create, name="prospect_create"),
    path("prospects/<id:pk>/", prospects.prospect_detail, name="prospect_detail"),
    path("prospects/<id:pk>/edit/", prospects.prospect_edit, name="prospect_edit"),
    path("prospects/<id:pk>/status/", prospects.prospect_status, name="prospect_status"),
    path("prospects/<id:pk>/customers/", prospects.prospect_customers, name="prospect_customers"),
]
