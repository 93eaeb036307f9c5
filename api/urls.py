"""The API's URL map: /api/v1/ (public_urlpatterns), token pages in the manager app and the portal."""

from pathlib import Path

import ninja
from django.urls import path, re_path
from django.views.static import serve

from api import main
from api.views import manage, portal

# Swagger UI as ninja ships it, served from its package (ninja is not an installed app, so collectstatic does not
# know these files): the docs page loads nothing from a CDN.
NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"

manage_urlpatterns: list = [
    path("api-tokens/", manage.token_list, name="api_tokens"),
    path("api-tokens/<id:pk>/revoke/", manage.token_revoke, name="api_token_revoke"),
]
portal_urlpatterns: list = [
    path("api-tokens/", portal.token_list, name="api_tokens"),
    path("api-tokens/<id:pk>/revoke/", portal.token_revoke, name="api_token_revoke"),
]
public_urlpatterns: list = [
    re_path(
        r"^api/v1/docs/assets/(?P<path>swagger-ui(?:-bundle\.js|-init\.js|\.css))$",
        serve,
        {"document_root": NINJA_STATIC},
        name="api_docs_asset",
    ),
    path("api/v1/", main.urls()),
]
