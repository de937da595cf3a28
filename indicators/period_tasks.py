"""Celery tasks of the reporting cycle: period reports and reminders.

Apart from ``indicators.tasks`` (the engine's tasks, which the triggers queue) so that
the reporting modules, which use the engine's services, are not imported back by them.
Loaded by the worker through ``CELERY_IMPORTS``.
"""

from celery import shared_task

from .tasks import DATABASE_ERRORS


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=3,
             soft_time_limit=20 * 60, time_limit=25 * 60)
def period_report_task(period_id, fmt, language=None):
    """Build a period's report (PDF or XLSX) in ``language`` (the reader's) into the cache, writing its progress
    for the waiting page."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    from . import period_report
    from .models import ReportingPeriod

    language = language or settings.LANGUAGE_CODE
    key = f"indicators:period-report:progress:{fmt}:{language}:{period_id}"
    period = ReportingPeriod.objects.select_related("project").get(pk=period_id)

    def progress(done, total):
        cache.set(key, {"done": done, "total": total}, 15 * 60)

    try:
        with translation.override(language):
            period_report.build(period, fmt, progress=progress)
    finally:
        cache.delete(key)


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=3,
             soft_time_limit=10 * 60, time_limit=12 * 60)
def reminders_task():
    """Send the reminders due today (beat, daily); each is sent once."""
    from . import reminders

    return len(reminders.send_due())
