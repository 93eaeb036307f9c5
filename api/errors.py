"""Every error the API answers is JSON `{"detail": "…"}` (with `errors` when there is more to say), with the right
4xx: 401 for a missing or refused token, 403 for the wrong audience, 404 for what the token may not see (or does
not exist), 400 when a service refuses (the message says why), 422 when the request does not match the schema,
429 when the token's rate limit is used up (with Retry-After). A bug is still JSON: a 500 with a `detail` that says
so, logged like any server error (tests/api/test_schema_property.py makes sure none happens)."""

import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from api.services import RateLimited, TokenRefused

SERVER_ERROR = "Something went wrong on our side. Try again later; if it keeps happening, tell us."


def _respond(api: NinjaAPI, request: HttpRequest, status: int, detail: str, **extra) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


def _location(error: dict) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")]
    return ".".join(loc) or "body"


def schema_error(request: HttpRequest, exc: SchemaError, api: NinjaAPI) -> HttpResponse:
    errors = [
        {"field": _location(e), "message": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in exc.errors
    ]
    words = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return _respond(api, request, 422, f"The request does not match the schema. {words}".strip(), errors=errors)


def service_error(request: HttpRequest, exc: DjangoValidationError, api: NinjaAPI) -> HttpResponse:
    extra = {}
    if hasattr(exc, "error_dict"):
        extra["errors"] = {field: list(messages) for field, messages in exc.message_dict.items()}
    return _respond(api, request, 400, " ".join(exc.messages) or "The request was refused.", **extra)


def not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, 404, "Not found.")


def forbidden(request: HttpRequest, exc: PermissionDenied, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, 403, str(exc) or "You do not have access to this.")


def token_refused(request: HttpRequest, exc: TokenRefused, api: NinjaAPI) -> HttpResponse:
    response = _respond(api, request, 401, exc.message)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def authentication_error(request: HttpRequest, exc: AuthenticationError, api: NinjaAPI) -> HttpResponse:
    response = _respond(api, request, 401, "Send your API token in the header “Authorization: Bearer prm_…”.")
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def rate_limited(request: HttpRequest, exc: RateLimited, api: NinjaAPI) -> HttpResponse:
    response = _respond(
        api,
        request,
        429,
        f"Too many requests: this token may make {exc.limit} per {exc.period} seconds. "
        f"Try again in {exc.retry_after} seconds.",
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, exc.status_code, str(exc))


def server_error(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    """Anything unforeseen: reported as Django reports a 500 (the `django.request` log, the admins' mail where set
    up, the signal error trackers listen to), answered in JSON rather than the site's HTML page. With DEBUG on,
    Django's own error page shows the traceback."""
    if settings.DEBUG:
        raise exc
    got_request_exception.send(sender=None, request=request)
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500, "request": request}
    )
    response = _respond(api, request, 500, SERVER_ERROR)
    response._has_been_logged = True  # type: ignore[attr-defined] -- logged above, with the traceback
    return response


def install(api: NinjaAPI) -> None:
    for exc_class, handler in (
        (SchemaError, schema_error),
        (DjangoValidationError, service_error),
        (Http404, not_found),
        (PermissionDenied, forbidden),
        (TokenRefused, token_refused),
        (AuthenticationError, authentication_error),
        (RateLimited, rate_limited),
        (HttpError, http_error),
        (Exception, server_error),
    ):
        api.add_exception_handler(exc_class, partial(handler, api=api))
