"""The public partner locator (/partners/find/…) and the partner admin's public profile page in the portal."""

portal_urlpatterns: list = []
public_urlpatterns: list = []
