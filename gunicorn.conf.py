"""Gunicorn settings for LCAMP Tracker (read by `gunicorn -c gunicorn.conf.py lcamp.wsgi`).

Every value can be changed from the environment. Scale a server up with more
workers (WEB_CONCURRENCY) or out with more web containers behind the proxy.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers, (2 x cores) + 1 by default, at most 8 on a small server.
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows for months.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Load the application once in the master: a configuration error (DEBUG=0 without
# SECRET_KEY...) stops gunicorn with its one-line message instead of a worker
# boot loop, and workers share the imported code's memory.
preload_app = True
# Heartbeat files in memory, not on a container's overlay file system.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn heartbeat files
# The reverse proxy in front terminates TLS and sets X-Forwarded-Proto and X-Forwarded-For.
# Its headers are believed only from TRUSTED_PROXY_IPS (addresses or networks, comma-separated),
# the same list Django's login throttling reads (accounts.client_ip): the two always agree.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXY_IPS", "127.0.0.1")
# Requests are logged by lcamp.middleware.RequestIdMiddleware (JSON with request id,
# user, path, status, duration); gunicorn's own access log would only repeat them.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

if os.environ.get("LOG_FORMAT", "json" if os.environ.get("DEBUG", "1") in ("0", "false", "False") else "text") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            }
        },
        "handlers": {
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


def pre_fork(server, worker):
    """With preload_app the master imported Django: never hand it a database
    connection to share with the workers it forks (each opens its own)."""
    from django.db import connections

    connections.close_all()
