"""Celery tasks of the reporting cycle: period reports and reminders."""

from celery import shared_task

from indicators.tasks import DATABASE_ERRORS


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=3,
             soft_time_limit=20 * 60, time_limit=25 * 60)
def period_report_task(period_id, fmt, language=None):
    """Build a period's report (PDF or XLSX) in ``language`` (the reader's) into the cache, writing its progress
    for the waiting page."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    from . import report
    from .models import ReportingPeriod

    language = language or settings.LANGUAGE_CODE
    key = f"reporting:period-report:progress:{fmt}:{language}:{period_id}"
    period = ReportingPeriod.objects.select_related("project").get(pk=period_id)

    def progress(done, total):
        cache.set(key, {"done": done, "total": total}, 15 * 60)

    try:
        with translation.override(language):
            report.build(period, fmt, progress=progress)
    finally:
        cache.delete(key)


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=3,
             soft_time_limit=10 * 60, time_limit=12 * 60)
def reminders_task():
    """Send the reminders due today (beat, daily); each is sent once."""
    from . import reminders

    return len(reminders.send_due())
