"""Celery tasks of the indicator engine: thin, idempotent, retried on database errors."""

import contextlib

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from . import rollup

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Set by ``indicators.triggers`` when it queues a drain; while set, changes queue none.
PENDING_KEY = "indicators:drain:pending"


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=60,
             max_retries=5, soft_time_limit=5 * 60, time_limit=6 * 60)
def drain_task():
    """Drain the outbox: recompute the indicators changed since the last drain (after changes, and every minute)."""
    # Cleared before the outbox is read: a change committed from now on queues a new drain.
    with contextlib.suppress(Exception):
        cache.delete(PENDING_KEY)
    return rollup.drain()


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=60,
             max_retries=5, soft_time_limit=5 * 60, time_limit=6 * 60)
def rollup_task():
    """Roll up every indicator today (nightly, as a safety net, and on "Refresh now")."""
    return len(rollup.rollup_all())


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=300,
             max_retries=3, soft_time_limit=50 * 60, time_limit=55 * 60)
def backfill_task():
    """Rewrite the month-end history from the project start (nightly); closed periods are kept."""
    return rollup.backfill()
