"""The Redis cache, failing open: a Redis outage must not turn pages and saves into 500s.

The cache only speeds things up and debounces (API throttling, the roll-up's
pending key). When Redis does not answer, reads miss, writes are dropped and
``add`` reports success, so that a caller using it to claim work (the roll-up
debounce) goes on and does the work instead of assuming someone else will; the
broker publish that follows then fails fast and the roll-up runs in the web
process (indicators.triggers.drain_request). After a failure the cache is
skipped for a couple of seconds, so a Redis host that does not even refuse
connections costs one connect timeout per process, not one per call.
"""

import functools
import logging
import time

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
SKIP_SECONDS = 2.0


def _fail_open(fallback):
    """Run the cache method; during an outage answer ``fallback(*args)`` instead of raising."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._skip_until:
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except OUTAGE_ERRORS as exc:
                if not self._down:
                    logger.warning("Cache unavailable, carrying on without it: %s", exc)
                self._down = True
                self._skip_until = time.monotonic() + SKIP_SECONDS
                return fallback(*args, **kwargs)
            if self._down:
                logger.warning("Cache available again.")
                self._down = False
            return result

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool.

    Django makes a new ``redis.Redis`` for every cache call, and each one builds its
    table of some 200 response callbacks: about a tenth of a millisecond per call,
    more than the round trip to a local Redis. A ``redis.Redis`` on a pool is
    thread-safe, so one serves every call.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._down = False
        self._skip_until = 0.0

    add = _fail_open(lambda *a, **k: True)(RedisCache.add)
    get = _fail_open(_default)(RedisCache.get)
    set = _fail_open(lambda *a, **k: None)(RedisCache.set)
    touch = _fail_open(lambda *a, **k: False)(RedisCache.touch)
    delete = _fail_open(lambda *a, **k: False)(RedisCache.delete)
    get_many = _fail_open(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _fail_open(lambda *a, **k: False)(RedisCache.has_key)
    set_many = _fail_open(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _fail_open(lambda *a, **k: None)(RedisCache.delete_many)
    # incr/decr have no sensible answer without the value: they raise as before.
