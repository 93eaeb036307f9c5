"""Recruitment prospects and ideal-partner fit in the manager app (/manage/prospects/…)."""

manage_urlpatterns: list = []
