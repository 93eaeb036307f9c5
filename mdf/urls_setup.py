"""Program setup, MDF: settings and periods (/manage/program/...). The settings page itself stays at
/manage/mdf/settings/ (`manage:mdf_settings`, behind the program-setup door); the program setup links to it."""

from django.urls import path

from mdf.views.manage import setup

manage_patterns: list = [
    path("program/mdf-periods/", setup.period_list, name="setup_mdf_period_list"),
    path("program/mdf-periods/export.csv", setup.period_export, name="setup_mdf_period_export"),
    path("program/mdf-periods/new/", setup.period_create, name="setup_mdf_period_create"),
    path("program/mdf-periods/<id:pk>/", setup.period_edit, name="setup_mdf_period_edit"),
]
