"""The enablement URL map: each audience's patterns live next to its views (urls_manage, urls_portal)."""

from enablement.urls_manage import manage_urlpatterns
from enablement.urls_portal import portal_urlpatterns, public_urlpatterns

__all__ = ["manage_urlpatterns", "portal_urlpatterns", "public_urlpatterns"]
