"""The MDF URL map: each audience's patterns live next to its views (urls_manage, urls_portal)."""

from mdf.urls_manage import manage_urlpatterns
from mdf.urls_portal import portal_urlpatterns

__all__ = ["manage_urlpatterns", "portal_urlpatterns"]
