"""Insights pages. Each area keeps its own URL list in its views module; this file only joins them."""

from insights.views import customers, dashboard, home, money, reviews, scorecard

manage_urlpatterns = [
    *dashboard.manage_urlpatterns,
    *money.manage_urlpatterns,
    *scorecard.manage_urlpatterns,
    *customers.manage_urlpatterns,
    *reviews.manage_urlpatterns,
]
portal_urlpatterns = [
    *home.portal_urlpatterns,
    *scorecard.portal_urlpatterns,
    *reviews.portal_urlpatterns,
]
