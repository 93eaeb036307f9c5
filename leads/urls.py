"""Leads: manager pages (/manage/leads/…), the partner's offers (/portal/leads/…)."""

manage_urlpatterns: list = []
portal_urlpatterns: list = []
public_urlpatterns: list = []
