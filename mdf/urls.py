"""The MDF URL map: each audience's patterns live next to its views (urls_manage, urls_portal)."""

from mdf import urls_setup
from mdf.urls_manage import manage_urlpatterns as _manage
from mdf.urls_portal import portal_urlpatterns

manage_urlpatterns = [*_manage, *urls_setup.manage_patterns]

__all__ = ["manage_urlpatterns", "portal_urlpatterns"]
