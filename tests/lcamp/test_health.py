"""/health/: database and broker state, 200 while the database answers, cheap to poll."""

import socket

import pytest
from django.db import OperationalError, connection

from lcamp import health


def _redis_reachable(host="127.0.0.1", port=6379):
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _fresh_clients():
    health._redis_clients.clear()
    yield
    health._redis_clients.clear()


@pytest.mark.django_db
def test_it_is_ok_with_the_database_and_an_eager_broker(client, settings):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


@pytest.mark.django_db
@pytest.mark.skipif(not _redis_reachable(), reason="needs the local Redis on port 6379")
def test_it_reports_a_reachable_broker_as_ok(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/7"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_broker_down_is_degraded_but_still_200_and_waits_at_most_half_a_second(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/7"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "down"}
    # An unreachable broker costs a bounded wait, never a hang.
    options = health._redis_clients[settings.REDIS_URL].connection_pool.connection_kwargs
    assert (options["socket_connect_timeout"], options["socket_timeout"]) == (0.5, 0.5)


@pytest.mark.django_db
def test_database_down_answers_503_degraded(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def broken_cursor(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "down", "broker": "eager"}


@pytest.mark.django_db
def test_it_costs_one_query_and_is_never_cached(client, settings, django_assert_max_num_queries):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_assert_max_num_queries(1):
        response = client.get("/health/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_is_public_for_anonymous_pollers_and_get_only(client):
    assert client.get("/health/").status_code == 200
    assert client.post("/health/").status_code == 405


@pytest.mark.django_db
@pytest.mark.skipif(not _redis_reachable(), reason="needs the local Redis on port 6379")
def test_polling_reuses_one_redis_client_per_process(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/7"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    for _ in range(3):
        client.get("/health/")
    assert list(health._redis_clients) == ["redis://127.0.0.1:6379/7"]
