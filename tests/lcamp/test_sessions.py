"""Sessions in the cache, written through to the database (``lcamp.sessions``, used with REDIS_URL)."""

import socket

import pytest
from django.contrib.sessions.models import Session

from lcamp import sessions
from lcamp.cache import FailOpenRedisCache


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(monkeypatch):
    down = FailOpenRedisCache(f"redis://127.0.0.1:{_closed_port()}/0",
                              {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}})
    monkeypatch.setattr("lcamp.sessions.cached_db.caches", {"default": down})
    return down


def test_a_session_is_read_from_the_cache_without_a_query(db, django_assert_num_queries):
    session = sessions.SessionStore()
    session["user"] = "alice"
    session.create()
    with django_assert_num_queries(0):
        assert sessions.SessionStore(session.session_key)["user"] == "alice"


def test_the_cache_keeps_a_session_for_minutes_not_its_whole_life(db, monkeypatch):
    timeouts = []
    session = sessions.SessionStore()
    monkeypatch.setattr(session._cache._cache, "set", lambda key, value, timeout, version=None: timeouts.append(timeout))
    session["user"] = "alice"
    session.create()
    assert timeouts and max(timeouts) <= sessions.CACHE_SECONDS


def test_with_redis_down_sessions_are_read_and_written_in_the_database(db, redis_down):
    session = sessions.SessionStore()
    session["user"] = "alice"
    session.create()
    assert Session.objects.filter(session_key=session.session_key).exists()
    assert sessions.SessionStore(session.session_key)["user"] == "alice"
    session.flush()
    assert not Session.objects.filter(session_key=session.session_key).exists()
