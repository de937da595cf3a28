"""Long imports and exports as jobs: started by a view, run by a Celery worker, followed on a page.

``job_start`` records the job and queues its task when the transaction commits (with no
broker the task runs there and then, so the page shows the result at once). The task
reports its counts through ``Progress``, which writes them at most every
``EVERY_ROWS`` rows or ``EVERY_SECONDS`` seconds: a 20,000-row import writes the job row
a hundred times, not forty thousand. ``job_finish``/``job_fail`` keep the outcome for the
user; ``jobs_clean`` (beat, daily) deletes old jobs and their files.
"""

import contextlib
import datetime
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop

from . import stash
from .models import Job

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

MAX_KEPT_ROW_ERRORS = 1000  # a refused import keeps the first rows' errors, not 20,000 of them


class JobTask(Protocol):
    """A Celery task that takes a job's id."""

    def delay(self, job_id: str) -> Any: ...


class Progress:
    """The callback an importer or exporter reports to: ``progress(checked=n)`` / ``progress(done=n)``.

    Cheap to call for every row: the counts are published only when ``EVERY_ROWS`` rows went
    by or ``EVERY_SECONDS`` passed since the last write, and at the end of each phase
    (``flush``).
    """

    EVERY_ROWS = 200
    EVERY_SECONDS = 0.5

    def __init__(self, job: Job, *, clock: Callable[[], float] = time.monotonic) -> None:
        job.mark_running()
        self.job = job
        self.clock = clock
        self.counts = {"checked": job.checked, "done": job.done}
        self.written = dict(self.counts)
        self.written_at = clock()

    def __call__(self, *, checked: int | None = None, done: int | None = None, total: int | None = None) -> None:
        if total is not None:
            self.job.record_progress(total=total)
        if checked is not None:
            self.counts["checked"] = checked
        if done is not None:
            self.counts["done"] = done
        rows = max(self.counts[name] - self.written[name] for name in self.counts)
        if rows >= self.EVERY_ROWS or (rows > 0 and self.clock() - self.written_at >= self.EVERY_SECONDS):
            self.flush()

    def flush(self) -> None:
        if self.counts != self.written:
            self.job.record_progress(**self.counts)
            self.written = dict(self.counts)
        self.written_at = self.clock()


def job_start(*, kind: str, subject: str, title: str | Promise, user: "User", task: JobTask, total: int = 0,
              params: Mapping[str, Any] | None = None, file_name: str = "") -> Job:
    """Record a job and queue ``task(job_id)`` on commit; return the job.

    A broker that does not answer fails the job with a message instead of leaving it
    waiting for ever (the web request has nothing else to do about it). An export the
    same user already waits for (same list, same query) is that job, not a second one: a
    link clicked twice, or a page reloaded, writes the file once.
    """
    if kind == Job.Kind.EXPORT:
        waiting = Job.objects.filter(kind=kind, subject=subject, user=user, params=params or {}).exclude(
            status__in=Job.FINISHED).order_by("-pk").first()
        if waiting is not None:
            return waiting
    job = Job.objects.create(kind=kind, subject=subject, title=str(title), user=user, total=total,
                             params=params or {}, file=file_name)

    def queue() -> None:
        from kombu.exceptions import OperationalError

        try:
            task.delay(str(job.pk))
        except OperationalError:
            logger.exception("could not queue job %s", job.pk)
            job_fail(job=job, message=gettext_noop(
                "The job could not be started: the background worker does not answer. Try again in a few minutes."))

    transaction.on_commit(queue)
    return job


def _set_message(job: Job, message: str, message_args: Mapping[str, Any] | None) -> None:
    # Stored untranslated (a gettext_noop message id and its numbers), shown in the reader's language.
    job.message = message
    job.params = {**job.params, "message_args": message_args or {}}


def job_finish(*, job: Job, message: str = "", message_args: Mapping[str, Any] | None = None,
               file: "File[Any] | None" = None, filename: str = "") -> Job:
    """The job went through: keep its message and its file, if any."""
    job.status = Job.Status.DONE
    _set_message(job, message, message_args)
    job.finished_at = timezone.now()
    fields = ["status", "message", "params", "finished_at", "checked", "done", "total"]
    if file is not None:
        job.file.save(f"{job.pk}.{filename.rsplit('.', 1)[-1]}", file, save=False)
        job.filename = filename
        fields += ["file", "filename"]
    job.save(update_fields=fields)
    job.forget_progress()
    return job


def job_fail(*, job: Job, message: str, message_args: Mapping[str, Any] | None = None,
             preview: Sequence[Mapping[str, Any]] | None = None) -> Job:
    """The job stopped: keep why, and for a refused import the rows' errors (the first ones)."""
    job.status = Job.Status.FAILED
    _set_message(job, message, message_args)
    job.finished_at = timezone.now()
    if preview is not None:
        bad = [p for p in preview if p["errors"]]
        job.row_errors = [{"line": p["line"], "name": p["values"].get("name", ""), "errors": p["errors"]}
                          for p in bad[:MAX_KEPT_ROW_ERRORS]]
    job.save(update_fields=["status", "message", "params", "row_errors", "finished_at", "checked", "done",
                            "total"])
    job.forget_progress()
    return job


@contextlib.contextmanager
def failing_on_error(job: Job) -> Iterator[None]:
    """Around a job's work in its task: an unexpected error (or the time limit) fails the job with a
    message, so its page does not wait for ever, and is raised again to be logged."""
    try:
        yield
    except Exception:
        job.refresh_from_db()
        if not job.is_finished:
            job_fail(job=job, message=gettext_noop(
                "The job stopped on an unexpected error; nothing was imported. Try again, or ask an administrator."
                if job.kind == Job.Kind.IMPORT else
                "The job stopped on an unexpected error. Try again, or ask an administrator."))
        raise


def job_message(job: Job) -> str:
    """The job's message in the reader's language (stored untranslated, with its numbers in ``params``)."""
    if not job.message:
        return ""
    args = job.params.get("message_args")
    return gettext(job.message) % args if args else gettext(job.message)


def jobs_clean(*, now: datetime.datetime | None = None, keep_days: int | None = None) -> int:
    """Delete the jobs started more than JOBS_KEEP_DAYS days ago, and their files; return how many.
    Stashed import rows as old go too (previews nobody confirmed).

    Finished or not: no task runs for days (time limits end them within the hour), so an
    old job still marked running was lost with its worker.
    """
    keep_days = settings.JOBS_KEEP_DAYS if keep_days is None else keep_days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days)
    count = 0
    for job in Job.objects.filter(created_at__lt=cutoff).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    stash.stashes_clean(before=cutoff)
    return count
