"""Partner health in the manager app: the at-risk list and a partner's health history."""

from django.urls import path

from insights.views import health

manage_urlpatterns: list = [
    path("health/at-risk/", health.at_risk, name="health_at_risk"),
    path("health/at-risk/export.csv", health.at_risk_export, name="health_at_risk_export"),
    path("partners/<id:pk>/health/recalculate/", health.recalculate, name="partner_health_recalculate"),
]
