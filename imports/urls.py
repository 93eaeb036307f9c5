from django.urls import path

from imports import views

manage_urlpatterns = [
    path("imports/", views.import_index, name="imports"),
    path("imports/export.csv", views.imports_export, name="imports_export"),
    path("imports/<id:pk>/", views.import_detail, name="import_detail"),
    path("imports/<id:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("imports/<id:pk>/preview/", views.import_preview, name="import_preview"),
    path("imports/<id:pk>/report.csv", views.import_report, name="import_report"),
    path("imports/<id:pk>/delete/", views.import_delete, name="import_delete"),
]
