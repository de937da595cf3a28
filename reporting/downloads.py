"""A period's report as a download, for its page and the API: the cached or built file, or, for a large
one, a worker building it while the reader waits (the progress kept in the cache)."""

import contextlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from . import report
from .models import ReportingPeriod

EMPTY_PROGRESS = {"done": 0, "total": 0}


def progress_key(period: ReportingPeriod, fmt: str) -> str:
    return f"reporting:period-report:progress:{fmt}:{get_language()}:{period.pk}"


def is_large(period: ReportingPeriod) -> bool:
    """More records in the report's annex than REPORT_ASYNC_RECORDS: built by a Celery task."""
    return report.annex_exceeds(period, settings.REPORT_ASYNC_RECORDS)


def report_or_progress(period: ReportingPeriod, fmt: str) -> tuple[bytes | None, dict[str, int]]:
    """``(content, progress)``: the report's bytes when cached or small enough to build now;
    else ``(None, progress)``, a worker building it (queued once: a second reader waits for the same)."""
    content = report.cached_report(period, fmt)
    if content is None and (settings.CELERY_TASK_ALWAYS_EAGER or fmt in report.SMALL_FORMATS
                            or not is_large(period)):
        content = report.build(period, fmt)
    if content is not None:
        return content, EMPTY_PROGRESS
    from .tasks import period_report_task

    progress = None
    with contextlib.suppress(Exception):
        progress = cache.get(progress_key(period, fmt))
        if progress is None and cache.add(progress_key(period, fmt), EMPTY_PROGRESS, 15 * 60):
            period_report_task.delay(period.pk, fmt, get_language())
            progress = EMPTY_PROGRESS
    return None, progress or EMPTY_PROGRESS
