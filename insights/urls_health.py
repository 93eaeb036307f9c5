"""Partner health in the manager app: the at-risk list and a partner's health history."""

manage_urlpatterns: list = []
