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


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=3,
             soft_time_limit=20 * 60, time_limit=25 * 60)
def period_report_task(period_id, fmt):
    """Build a period's report (PDF or XLSX) into the cache, writing its progress for the waiting page."""
    from django.core.cache import cache

    from . import period_report
    from .models import ReportingPeriod

    key = f"indicators:period-report:progress:{fmt}:{period_id}"
    period = ReportingPeriod.objects.select_related("project").get(pk=period_id)

    def progress(done, total):
        cache.set(key, {"done": done, "total": total}, 15 * 60)

    try:
        period_report.build(period, fmt, progress=progress)
    finally:
        cache.delete(key)


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=3,
             soft_time_limit=10 * 60, time_limit=12 * 60)
def reminders_task():
    """Send the reminders due today (beat, daily); each is sent once."""
    from . import reminders

    return len(reminders.send_due())
