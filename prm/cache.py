"""A Redis cache that degrades instead of failing: when Redis is unreachable, reads miss, writes are dropped and a
warning is logged (once a minute), so signing in, pages and forms keep working. What the cache holds here (rate
limit counters, short-lived values) can be lost; the rate limits are then not enforced until Redis is back, which
is better than locking everyone out."""

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("prm.cache")
_last_warning = 0.0


def _degraded(operation: str, exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        logger.warning("Redis cache unavailable (%s: %s): working without the cache", operation, exc)


def _safe(name: str, fallback: Any):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
        except (RedisError, OSError) as exc:
            _degraded(name, exc)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = name
    return method


class ResilientRedisCache(RedisCache):
    get = _safe("get", lambda key, default=None, version=None: default)
    get_many = _safe("get_many", {})
    has_key = _safe("has_key", False)
    set = _safe("set", None)
    set_many = _safe("set_many", lambda data, *a, **k: list(data))
    add = _safe("add", True)
    touch = _safe("touch", False)
    delete = _safe("delete", False)
    delete_many = _safe("delete_many", None)
    incr = _safe("incr", lambda key, delta=1, version=None: delta)
    clear = _safe("clear", None)
