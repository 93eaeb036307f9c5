"""Leads: manager pages (/manage/leads/…), the partner's offers (/portal/leads/…)."""

from django.urls import path

from leads.views import manage, portal

manage_urlpatterns: list = [
    path("leads/", manage.lead_list, name="leads"),
    path("leads/export.csv", manage.lead_export, name="lead_export"),
    path("leads/new/", manage.lead_create, name="lead_create"),
    path("leads/settings/", manage.distribution_settings_page, name="lead_settings"),
    path("leads/<id:pk>/", manage.lead_detail, name="lead_detail"),
    path("leads/<id:pk>/edit/", manage.lead_edit, name="lead_edit"),
    path("leads/<id:pk>/offer/", manage.lead_offer, name="lead_offer"),
    path("leads/<id:pk>/close/", manage.lead_close, name="lead_close"),
    path("leads/offers/<id:pk>/withdraw/", manage.offer_withdraw, name="lead_offer_withdraw"),
]
portal_urlpatterns: list = [
    path("leads/", portal.offer_list, name="leads"),
    path("leads/how-leads-are-assigned/", portal.how_assigned, name="leads_how"),
    path("leads/offers/<id:pk>/", portal.offer_detail, name="lead_offer_detail"),
    path("leads/offers/<id:pk>/accept/", portal.offer_accept, name="lead_offer_accept"),
    path("leads/offers/<id:pk>/decline/", portal.offer_decline, name="lead_offer_decline"),
]
public_urlpatterns: list = []
