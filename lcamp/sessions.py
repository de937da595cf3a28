"""Sessions read from the cache (Redis) and written through to the database.

Django's ``cached_db`` backend, with one change: the cache keeps a session for at
most ``CACHE_SECONDS`` instead of its whole life (12 hours). The database stays the
record; the cache only saves the session query on most requests. The bound is for a
Redis outage: the fail-open cache (``lcamp.cache``) then drops writes and deletes, so
a logout during the outage deletes the session from the database only, and a Redis
that comes back with its data would otherwise serve the logged-out session for hours.
"""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)

CACHE_SECONDS = 5 * 60


class _BoundedCache:
    """The session cache, with every timeout capped at ``CACHE_SECONDS``; a failing
    write is logged, never raised (Django's ``cached_db`` raises it when loading)."""

    def __init__(self, cache):
        self._cache = cache

    def set(self, key, value, timeout=None, version=None):
        timeout = CACHE_SECONDS if timeout is None else min(timeout, CACHE_SECONDS)
        try:
            self._cache.set(key, value, timeout, version=version)
        except Exception:  # noqa: BLE001 - the database has the session; the cache copy is optional
            logger.warning("cache unavailable: session kept in the database only", exc_info=True)

    async def aset(self, key, value, timeout=None, version=None):
        timeout = CACHE_SECONDS if timeout is None else min(timeout, CACHE_SECONDS)
        try:
            await self._cache.aset(key, value, timeout, version=version)
        except Exception:  # noqa: BLE001 - the database has the session; the cache copy is optional
            logger.warning("cache unavailable: session kept in the database only", exc_info=True)

    def __contains__(self, key):
        return key in self._cache

    def __getattr__(self, name):
        return getattr(self._cache, name)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _BoundedCache(self._cache)
