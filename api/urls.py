"""The API's URL map: /api/v1/ (public_urlpatterns), token pages in the manager app and the portal."""

manage_urlpatterns: list = []
portal_urlpatterns: list = []
public_urlpatterns: list = []
