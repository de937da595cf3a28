"""Readiness: is the database answering, is the broker reachable."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

_redis_clients = {}


def database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means the database does not answer
        connection.close_if_unusable_or_obsolete()
        return "down"


def broker_state():
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
        return "eager"
    client = _redis_clients.get(settings.REDIS_URL)
    if client is None:
        # One client per process: the check is polled every few seconds.
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        _redis_clients[settings.REDIS_URL] = client
    try:
        client.ping()
        return "ok"
    except Exception:  # noqa: BLE001
        return "down"


@never_cache
@require_GET
def health(request):
    database = database_state()
    broker = broker_state()
    status = "ok" if database == "ok" and broker in ("ok", "eager") else "degraded"
    return JsonResponse(
        {"status": status, "database": database, "broker": broker},
        status=200 if database == "ok" else 503,
    )
