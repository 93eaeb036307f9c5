"""Program setup, onboarding: checklists and agreement versions (/manage/program/...). partners/urls.py includes
`manage_patterns` into its manager patterns."""

from django.urls import path

from partners.views import setup_onboarding as views

manage_patterns = [
    path("program/checklists/", views.checklist_list, name="setup_checklist_list"),
    path("program/checklists/new/", views.checklist_create, name="setup_checklist_create"),
    path("program/checklists/<id:pk>/", views.checklist_detail, name="setup_checklist_detail"),
    path("program/checklists/<id:pk>/steps/", views.step_add, name="setup_step_add"),
    path("program/checklists/<id:pk>/steps/<id:step_pk>/", views.step_edit, name="setup_step_edit"),
    path("program/checklists/<id:pk>/steps/<id:step_pk>/move/", views.step_move, name="setup_step_move"),
    path("program/checklists/<id:pk>/steps/<id:step_pk>/retire/", views.step_retire, name="setup_step_retire"),
    path("program/agreements/", views.agreement_list, name="setup_agreement_list"),
    path("program/agreements/export.csv", views.agreement_export, name="setup_agreement_export"),
    path("program/agreements/new/", views.agreement_create, name="setup_agreement_create"),
    path("program/agreements/<id:pk>/", views.agreement_detail, name="setup_agreement_detail"),
]
