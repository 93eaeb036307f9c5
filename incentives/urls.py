"""The incentives URL map: manager pages under /manage/incentives/, partner pages under /portal/."""

manage_urlpatterns: list = []
portal_urlpatterns: list = []
