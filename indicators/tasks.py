"""Celery tasks of the indicator engine: thin, idempotent, retried on database errors."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=60,
             max_retries=5, soft_time_limit=5 * 60, time_limit=6 * 60)
def rollup_task():
    """Roll up every indicator today (beat, every 15 minutes, and debounced after changes)."""
    services.rollup_pending_clear()
    return len(services.rollup_all())


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=300,
             max_retries=3, soft_time_limit=50 * 60, time_limit=55 * 60)
def backfill_task():
    """Rewrite the month-end history from the project start (nightly); frozen periods are kept."""
    return services.backfill()
