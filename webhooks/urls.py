"""The webhooks URL map: endpoint pages in the manager app."""

manage_urlpatterns: list = []
