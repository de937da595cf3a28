import logging
import threading
import time
import uuid

from django.db import DatabaseError, InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.http import HttpResponse

_local = threading.local()
logger = logging.getLogger("lcamp.request")


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every log record (``-`` outside requests)."""

    def filter(self, record):
        record.request_id = getattr(_local, "request_id", "-")
        return True


class RequestIdMiddleware:
    """Gives each request an id (or keeps the proxy's X-Request-ID), logs its timing.

    Requests slower than SLOW_REQUEST_SECONDS are logged as warnings.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming[:64] if incoming.isascii() and incoming else uuid.uuid4().hex
        _local.request_id = request.id
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            _local.request_id = "-"
        elapsed = time.perf_counter() - started
        response["X-Request-ID"] = request.id
        user = getattr(request, "user", None)
        extra = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1),
            "user": user.get_username() if getattr(user, "is_authenticated", False) else "",
            "request_id": request.id,
        }
        level = logging.WARNING if elapsed >= settings.SLOW_REQUEST_SECONDS else logging.DEBUG
        msg = "slow request" if level == logging.WARNING else "request"
        logger.log(level, msg, extra=extra)
        return response


class DatabaseUnavailableMiddleware:
    """A request that meets a database outage gets a clear 503 page, not a stack trace.

    Django closes the broken connection at the end of the request; with
    CONN_HEALTH_CHECKS the next request reconnects by itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError) or (
            isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
        ):
            from django.db import connections

            for conn in connections.all(initialized_only=True):
                conn.close_if_unusable_or_obsolete()
            logger.error("database unavailable: %s", exception)
            body = render_to_string("503.html", request=None)
            response = HttpResponse(body, status=503)
            response["Retry-After"] = "10"
            return response
        return None
