"""Export of a register's filtered list as CSV (streamed) or XLSX (openpyxl write-only).

The rows are those of the list page with the same filters, search and sort
(``Register.filtered``), read in chunks with ``iterator()``. Above EXPORT_ASYNC_ROWS rows, either
format is written by a worker as a job: a million-row CSV streamed by the request took 27 s,
near gunicorn's 30 s timeout, and held a web worker all along. Every text cell that a
spreadsheet would take for a formula (starting with = + - @, a tab or a carriage
return) is prefixed with an apostrophe, so an exported name never runs as a formula
on a manager's machine (CSV injection). Control characters are replaced or dropped
(``validators.without_control_characters``) in every cell, whatever is stored: XLSX cannot
hold them, and one old record must not make an export fail. A CSV is written in the variant the
request asks for (``registers.csvformat``: ``?variant=``, by default the reader's language's
separators, with translated headers), a job's too: the variant and the language go with the job.
"""

import datetime
import decimal
import tempfile

from django.conf import settings
from django.core.files import File
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop

from . import csvformat, jobs, l10n, tasks
from .access import allowed
from .models import Job
from .validators import without_control_characters

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 100_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """A cell value safe to open in a spreadsheet: text without control characters, and text that
    starts like a formula gets a leading '."""
    value = without_control_characters(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell(value):
    """A value as a spreadsheet cell: booleans yes/no, related objects by name, None empty; dates stay
    dates (ISO in a CSV, date cells in the reader's format in an XLSX: ``clean_row``, ``xlsx_row``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | decimal.Decimal | datetime.date):
        return value
    if type(value).__name__ == "Country":
        return value.code
    if isinstance(value, list | tuple):  # a list field (languages, ESCO skills): as the import reads it
        return neutralise("; ".join(str(v) for v in value))
    return neutralise(str(value))


def values_of(obj, spec):
    """The value of one export column: a callable(obj) or a ``__`` path of attributes."""
    if callable(spec):
        return spec(obj)
    value = obj
    for part in spec.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    if hasattr(value, "all") and callable(value.all):  # a many-to-many manager
        # Sorted here: two records of the same name (a name in two countries) tie in the model's
        # ordering, and the database may list them either way from one export to the next.
        return "; ".join(sorted(str(o) for o in value.all()))
    return value


def clean_row(row):
    """The row's text cells without control characters, its dates ISO (the other cells as they are)."""
    return [_iso(value) if isinstance(value, datetime.date) else without_control_characters(value) for value in row]


def _iso(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def xlsx_row(sheet, row, *, date_format, datetime_format):
    """The row's cells for a write-only ``sheet``: text without control characters; dates as date cells
    with the number format of the reader's language, times in the local time zone (a cell has none)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in row:
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            cells.append(WriteOnlyCell(sheet, value=value.replace(tzinfo=None)))
            cells[-1].number_format = datetime_format
        elif isinstance(value, datetime.date):
            cells.append(WriteOnlyCell(sheet, value=value))
            cells[-1].number_format = date_format
        else:
            cells.append(without_control_characters(value))
    return cells


def csv_lines(*, headers, rows, dialect=None):
    """The lines of a CSV of ``rows`` (lists of cell values) in ``dialect`` (``registers.csvformat``;
    default: the active language's), control characters replaced in every cell."""
    dialect = dialect or csvformat.dialect()
    headers = [h if isinstance(h, csvformat.Heading) else without_control_characters(h) for h in headers]
    return csvformat.lines(headers=headers, rows=(clean_row(row) for row in rows), dialect=dialect)


def csv_write(file, *, headers, rows, progress=None, dialect=None):
    """Write a CSV of ``rows`` to the binary ``file``; ``progress(done=n)`` hears the rows written."""
    lines = csv_lines(headers=headers, rows=rows, dialect=dialect)
    file.write(next(lines).encode("utf-8"))
    for done, line in enumerate(lines, start=1):
        file.write(line.encode("utf-8"))
        if progress is not None:
            progress(done=done)


def csv_response(*, headers, rows, filename, dialect=None):
    """A streamed CSV of ``rows`` (a small list: a large one is a job)."""
    lines = csv_lines(headers=headers, rows=rows, dialect=dialect)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_write(file, *, headers, rows, title, progress=None):
    """Write an XLSX of ``rows`` to ``file``, in constant memory; ``progress(done=n)`` hears the rows written."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(clean_row([str(h) for h in headers]))
    date_format, datetime_format = l10n.excel_date_format(), l10n.excel_datetime_format()
    for done, row in enumerate(rows, start=1):
        sheet.append(xlsx_row(sheet, row, date_format=date_format, datetime_format=datetime_format))
        if progress is not None:
            progress(done=done)
    workbook.save(file)


def xlsx_response(*, headers, rows, filename, title):
    response = HttpResponse(content_type=XLSX_TYPE)
    xlsx_write(response, headers=headers, rows=rows, title=title)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# --- A list's export, in the request or as a job --------------------------------------------------


class BadQuery(Exception):
    """The list's query string is not valid (its filters' form refused it)."""


def export_response(request, *, extension, headers, rows, count, filename, title, subject, list_url):
    """The list as CSV (any size) or XLSX (at most ``XLSX_MAX_ROWS`` rows).

    ``count()`` counts the rows. An export of more than EXPORT_ASYNC_ROWS rows, in either
    format, is written by a worker: the request starts a job (``subject`` names the list in
    ``registry.loaded()``) and goes to its page, which offers the file. A CSV is in the variant
    ``?variant=`` asks for (``registers.csvformat``; by default the reader's language's): an
    unknown one is a 400, and a job is given the variant and the language of the request.
    """
    dialect = None
    if extension == "csv":
        try:
            dialect = csvformat.from_request(request)
        except csvformat.BadVariant as error:
            return csvformat.bad_variant_response(error)
    total = count()
    if extension == "xlsx" and total > XLSX_MAX_ROWS:
        return HttpResponse(gettext("More than %(rows)s rows: filter the list, or export it as CSV.")
                            % {"rows": number_format(XLSX_MAX_ROWS, force_grouping=True)},
                            status=400, content_type="text/plain; charset=utf-8")
    if total > settings.EXPORT_ASYNC_ROWS:
        params = {"query": request.GET.urlencode(), "list_url": list_url, "format": extension,
                  "language": translation.get_language() or settings.LANGUAGE_CODE}
        if dialect is not None:
            params["variant"] = dialect.name
        job = jobs.job_start(kind=Job.Kind.EXPORT, subject=subject, title=title, user=request.user,
                             task=tasks.export_task, total=total, params=params)
        return HttpResponseRedirect(reverse("registers-job", args=[job.pk]))
    if extension == "csv":
        return csv_response(headers=headers, rows=rows, filename=filename, dialect=dialect)
    return xlsx_response(headers=headers, rows=rows, filename=filename, title=title)


def export_job_run(job, rows_of, *, title, filename, partners=""):
    """The worker's side of a large export: ``rows_of(request)`` (``(headers, rows, count)``) of
    the list as ``job.user`` would ask it now, written as CSV or XLSX (the job's ``format``; XLSX
    for a job queued before CSV exports were jobs) to the job's file in private storage with
    progress. ``filename``: the download's name without its extension. ``partners``: what the
    register lets partners read (``access.allowed``), as its pages do. The file is written in the
    language of the request that started the job (its headers) and, a CSV, in its variant (a job
    queued before variants existed: the machine variant, its column codes)."""
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        return _export_job_run(job, rows_of, title=title, filename=filename, partners=partners)


def _export_job_run(job, rows_of, *, title, filename, partners):
    if not (job.user.is_active and allowed(job.user, partners=partners)):  # the role went meanwhile
        return jobs.job_fail(job=job, message=gettext_noop("Your role no longer allows this export."))
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(job.params.get("query", ""))
    request.user = job.user
    try:
        headers, rows, count = rows_of(request)
    except BadQuery:
        return jobs.job_fail(job=job, message=gettext_noop("The list's filters are no longer valid."))
    progress = jobs.Progress(job)
    progress(total=count())
    extension = "csv" if job.params.get("format") == "csv" else "xlsx"
    with tempfile.TemporaryFile() as file:
        if extension == "csv":
            try:
                dialect = csvformat.dialect(job.params.get("variant") or csvformat.MACHINE)
            except csvformat.BadVariant:
                dialect = csvformat.dialect(csvformat.MACHINE)
            csv_write(file, headers=headers, rows=rows, progress=progress, dialect=dialect)
        else:
            # The dates' format is the language of the request that asked for the export.
            with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
                xlsx_write(file, headers=headers, rows=rows, title=title, progress=progress)
        progress.flush()
        file.seek(0)
        return jobs.job_finish(job=job, file=File(file), filename=f"{filename}.{extension}",
                               message=gettext_noop("The export is ready: %(count)s rows."),
                               message_args={"count": job.done})
