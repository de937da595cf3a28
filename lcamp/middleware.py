"""Request id + timing log, a clear 503 page when the database does not answer, and private caching
of logged-in users' responses."""

import functools
import logging
import threading
import time
import uuid

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, empty

_local = threading.local()
logger = logging.getLogger("lcamp.request")


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every log record (``-`` outside requests).

    A record that already carries one (the request log line, written after the
    request has ended) keeps it.
    """

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = getattr(_local, "request_id", "-")
        return True


def _username(request):
    """The user's name if the request has already loaded its user, else "".

    Never loads it here: during a database outage that would raise again, and
    a request that did not need its user should not pay a query for the log.
    """
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped
        if user is empty:
            return ""
    if getattr(user, "is_authenticated", False):
        return user.get_username()
    return ""


@functools.cache
def _login_paths():
    """Paths whose POST hashes a password: slow by design, so they get their own threshold."""
    paths = set()
    for name in ("login", "admin:login"):
        try:
            paths.add(reverse(name))
        except NoReverseMatch:
            continue
    return frozenset(paths)


def _slow_threshold(request):
    if request.method == "POST" and request.path in _login_paths():
        return settings.SLOW_LOGIN_SECONDS
    return settings.SLOW_REQUEST_SECONDS


class RequestIdMiddleware:
    """Gives each request an id (or keeps the proxy's X-Request-ID), logs its timing.

    One log line per request, ``GET /path 200 12.3 ms``, with method, path, status,
    duration, user and request id also as fields (JSON fields in production): INFO,
    WARNING when slower than SLOW_REQUEST_SECONDS (SLOW_LOGIN_SECONDS for a login POST,
    where password hashing is slow on purpose), ERROR for a 5xx. Django's own request
    loggers report only server errors (with their traceback), see LOGGING.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        valid = incoming and incoming.isascii() and incoming.replace("-", "").isalnum()
        request.id = incoming[:64] if valid else uuid.uuid4().hex
        _local.request_id = request.id
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            _local.request_id = "-"
        elapsed = time.perf_counter() - started
        response["X-Request-ID"] = request.id
        extra = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1),
            "user": _username(request),
            "request_id": request.id,
        }
        line = "%s %s %s %.1f ms"
        values = (extra["method"], extra["path"], extra["status"], extra["duration_ms"])
        if response.status_code >= 500:
            logger.error(line, *values, extra=extra)
        elif elapsed >= _slow_threshold(request):
            logger.warning("slow request " + line, *values, extra=extra)
        else:
            logger.info(line, *values, extra=extra)
        return response


def is_database_outage(exception):
    return isinstance(exception, OperationalError | InterfaceError) or (
        isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
    )


def database_unavailable_response(exception):
    """The 503 page for a request that met a database outage, rendered without the database."""
    from django.db import connections

    # Drop the broken connections now; with CONN_HEALTH_CHECKS the next request
    # opens a fresh one, so the app reconnects by itself once the database is back.
    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()
    logger.error("database unavailable: %s", str(exception).strip().splitlines()[0] if str(exception) else "")
    response = HttpResponse(render_to_string("503.html", request=None), status=503)
    response["Retry-After"] = "10"
    return response


class DatabaseUnavailableMiddleware:
    """A view that meets a database outage gets a clear 503 page, not a stack trace.

    Outages met outside the view (loading the session in a middleware, saving it
    afterwards) reach the 500 handler, which answers the same page
    (lcamp.views.server_error).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return database_unavailable_response(exception)
        return None


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every response to a logged-in user (HTML and API).

    A page or an API answer for a logged-in user holds what only they may see; no shared
    cache (a proxy) and no browser back-button cache may keep it. The user counts when the
    request loaded it (every page that depends on it does; the API's token authentication
    sets it), so static files and anonymous pages keep their own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _username(request):
            patch_cache_control(response, private=True, no_store=True)
        return response
