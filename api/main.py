"""The API object: /api/v1/, its auth, its error handlers, its routers and its docs.

The interactive docs (Swagger UI) load nothing from a CDN: ninja ships Swagger UI, and since ninja is not an
installed app (its static files are not collected), `api.urls` serves those few files itself under
/api/v1/docs/assets/ and templates/api/docs.html points at them (the page runs only files from us, so the
Content-Security-Policy holds).
"""

import json
from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from ninja import NinjaAPI, Router
from ninja.openapi.docs import Swagger

from api import errors
from api.auth import TokenAuth
from api.routers import accounts, certifications, deals, earnings, leads, mdf, partners


class LocalSwagger(Swagger):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api}
        return render(request, "api/docs.html", context)


ninja_api = NinjaAPI(
    title="prm API",
    version="1.0.0",
    description=(
        "The partner program's JSON API. Send `Authorization: Bearer <token>`: partner admins make tokens in the "
        "portal (API tokens), channel managers in the manager app. A token acts with exactly its owner's "
        'permissions. Errors are JSON `{"detail": "…"}`.'
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(ninja_api)
ninja_api.add_router("", deals.router)
ninja_api.add_router("", partners.router)
ninja_api.add_router("", certifications.router)
ninja_api.add_router("", mdf.router)
ninja_api.add_router("", leads.router)
ninja_api.add_router("", accounts.router)
ninja_api.add_router("", earnings.router)

# Last, so it only catches what nothing else did.
unknown = Router()


ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@unknown.api_operation(ANY_METHOD, "/", auth=None, include_in_schema=False)
def root(request: HttpRequest):
    raise Http404("Not found")


@unknown.api_operation(ANY_METHOD, "/{anypath:rest}", auth=None, include_in_schema=False)
def not_found(request: HttpRequest, rest: str):
    """Any other address under /api/v1/: a JSON 404 like every other error (not the site's HTML page)."""
    raise Http404("Not found")


ninja_api.add_router("", unknown)


def _json_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a method a path does not have with Django's plain-text 405: make it JSON like every error."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = ", ".join(sorted(m.strip() for m in response["Allow"].split(",")))
            response = JsonResponse(
                {"detail": f"Method {request.method} is not allowed here (only {allowed})."}, status=405
            )
            response["Allow"] = allowed
        return response

    if isinstance(view, partial):  # ninja's openapi views: keep them recognisable as ninja's (the URL sweeps)
        wrapper.__module__ = view.func.__module__
        wrapper.__qualname__ = view.func.__qualname__
    return wrapper


def urls() -> tuple[list, str, str]:
    """`ninja_api.urls`, each view answering 405 in JSON."""
    patterns, app_name, namespace = ninja_api.urls
    for pattern in patterns:
        pattern.callback = _json_not_allowed(pattern.callback)
    return patterns, app_name, namespace
