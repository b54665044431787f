"""A small fixed-window rate limiter on Django's cache.

Used for logins and the public notice form. With several web processes,
configure a shared cache (the default local-memory cache counts per process).
"""

from django.core.cache import cache


def _key(scope: str, ident: str) -> str:
    return f"ratelimit:{scope}:{ident}"


def hits(scope: str, ident: str) -> int:
    return cache.get(_key(scope, ident), 0)


def hit(scope: str, ident: str, window: int) -> int:
    """Count one hit in the current window; returns the count so far."""
    key = _key(scope, ident)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def is_limited(scope: str, ident: str, limit: int) -> bool:
    return hits(scope, ident) >= limit


def reset(scope: str, ident: str) -> None:
    cache.delete(_key(scope, ident))


def client_ip(request) -> str:
    # Behind a reverse proxy, configure it to set REMOTE_ADDR (e.g. uWSGI/gunicorn
    # forwarded-allow-ips); X-Forwarded-For is client-controlled and not trusted here.
    return request.META.get("REMOTE_ADDR", "") or "unknown"
