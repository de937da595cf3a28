"""The Redis cache fails open: with Redis down, reads miss and writes are dropped, nothing raises."""

import socket

import pytest
import redis

from lcamp.cache import FailOpenRedisCache


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cache(url):
    return FailOpenRedisCache(url, {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}})


def test_with_redis_down_reads_miss_writes_are_dropped_and_add_lets_the_caller_go_on():
    cache = _cache(f"redis://127.0.0.1:{_closed_port()}/0")
    assert cache.get("k", "fallback") == "fallback"
    cache.set("k", 1)
    assert cache.add("pending", 1) is True  # the roll-up debounce then publishes (and falls back)
    assert cache.delete("k") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    cache.delete_many(["a"])
    with pytest.raises(redis.exceptions.ConnectionError):
        cache.incr("counter")


def test_after_a_failure_redis_is_skipped_for_a_moment(monkeypatch):
    cache = _cache(f"redis://127.0.0.1:{_closed_port()}/0")
    calls = []
    original = redis.Redis.get

    def counting_get(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "get", counting_get)
    cache.get("k")
    for _ in range(50):
        cache.get("k")
    assert len(calls) == 1  # the 50 reads after the failure never reached Redis


def _redis_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs the local Redis on port 6379")
def test_with_redis_up_it_is_a_normal_cache():
    cache = _cache("redis://127.0.0.1:6379/7")
    cache.delete("lcamp-test-key")
    assert cache.add("lcamp-test-key", "a") is True
    assert cache.add("lcamp-test-key", "b") is False
    assert cache.get("lcamp-test-key") == "a"
    cache.delete("lcamp-test-key")
    assert cache.get("lcamp-test-key") is None


def test_one_redis_client_serves_every_call():
    cache = _cache("redis://127.0.0.1:6379/7")
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
