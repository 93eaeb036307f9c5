"""A per-address limit for public forms (the partner application, the locator's contact form): at most `limit`
submissions per visitor address in a fixed window, counted in the cache.

    APPLY_LIMIT = AddressLimit("apply-rate", per_hour=lambda: settings.PRM_APPLICATIONS_PER_IP_PER_HOUR)

    ip = client_ip(request)
    if APPLY_LIMIT.exceeded(ip): ...            # before validating: answer 429, keep what was typed
    if APPLY_LIMIT.count(ip) > APPLY_LIMIT.limit(): ...   # just before storing: a burst raced past the check
"""

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address as allauth sees it (so ALLAUTH_TRUSTED_PROXY_COUNT applies here too)."""
    try:
        ip = get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        ip = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


@dataclass(frozen=True)
class AddressLimit:
    prefix: str  # the cache key is "<prefix>:<address>"
    per_hour: Callable[[], int]
    window_seconds: int = 3600

    def limit(self) -> int:
        return self.per_hour()

    def _key(self, ip: str | None) -> str:
        return f"{self.prefix}:{ip or 'unknown'}"

    def exceeded(self, ip: str | None) -> bool:
        return (cache.get(self._key(ip)) or 0) >= self.limit()

    def count(self, ip: str | None) -> int:
        """One more submission from this address in the current window; returns the new count."""
        key = self._key(ip)
        cache.add(key, 0, timeout=self.window_seconds)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.window_seconds)
            return 1
