"""Values computed once per request: a page that asks the same question several times (is the roll-up fresh? what
is the reporting currency?) asks the database once. Outside a request (tasks, shell, tests calling services
directly) nothing is cached, so a value is never older than the call that reads it.

    from prm.request_cache import memo
    currency = memo("reporting_currency", lambda: Program.objects...)
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")
_store: ContextVar[dict | None] = ContextVar("prm_request_cache", default=None)


def memo(key: Hashable, func: Callable[[], T]) -> T:
    store = _store.get()
    if store is None:
        return func()
    if key not in store:
        store[key] = func()
    return store[key]


def forget(key: Hashable) -> None:
    """After a write the value depends on (e.g. the roll-ups were refreshed)."""
    store = _store.get()
    if store is not None:
        store.pop(key, None)


class RequestCacheMiddleware:
    """Gives every request its own empty cache, dropped when the response is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        token = _store.set({})
        try:
            return self.get_response(request)
        finally:
            _store.reset(token)
