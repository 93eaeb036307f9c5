"""(being built)"""

manage_urlpatterns: list = []
portal_urlpatterns: list = []
