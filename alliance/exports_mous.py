"""The MoU list's export: the list a reviewer sees on ``/mous/`` (same search, filters and sort), as
CSV (streamed, any size) or XLSX (a job above EXPORT_ASYNC_ROWS rows), with the registers' cells
(``registers.exports``: dates ISO, choices by their stored value, formulas neutralised).

Staff, managers and admins export; a partner, who sees only their organisation's MoUs, gets no export
(403), like the registers. The PDFs are not exported: each stays behind its MoU's page.
"""

import datetime
import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files import File
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET

from accounts import roles
from registers import exports, jobs, tasks
from registers.engine import check_access
from registers.models import Job
from registers.registry import EXPORTS

from .forms_mous import MoUFilterForm
from .models import MoU

SUBJECT = "alliance:mou"
COLUMNS = [
    ("id", "pk"),
    ("title", "title"),
    ("partner_organisation", "partner_organisation"),
    ("counterpart", "counterpart"),
    ("counterpart_country", "counterpart__country"),
    ("signed_on", "signed_on"),
    ("valid_until", "valid_until"),
    ("areas", "areas"),
    ("scope", "scope"),
    ("signatories", "signatories"),
    ("status", "status"),
    ("submitted_at", "submitted_at"),
    ("reviewed_at", "reviewed_at"),
    ("review_note", "review_note"),
    ("document_name", "document_name"),
]


class BadFilters(Exception):
    """The query string's filters are not valid (an unknown status, a malformed organisation)."""


def rows_of(request):
    """``(headers, rows, count)`` of the MoUs ``request`` lists; rows read in chunks, ``count()`` one query."""
    filters = MoUFilterForm(request.GET or None)
    if filters.is_bound and not filters.is_valid():
        raise BadFilters("; ".join(f"{name}: {' '.join(errors)}" for name, errors in filters.errors.items()))
    mous = filters.filter(MoU.objects.visible_to(request.user).select_related("counterpart", "partner_organisation"))
    rows = ([exports.cell(exports.values_of(mou, spec)) for _, spec in COLUMNS] for mou in mous.iterator(2000))
    return [header for header, _ in COLUMNS], rows, mous.count


def _filename(extension):
    return f"lcamp-mous-{datetime.date.today().isoformat()}.{extension}"


@require_GET
@login_required
def mou_export(request, extension):
    """``/mous/export.csv`` and ``/mous/export.xlsx``: the list with the page's query string."""
    denied = check_access(request)
    if denied:
        return denied
    try:
        headers, rows, count = rows_of(request)
    except BadFilters as error:
        return HttpResponse(gettext("The list's filters are not valid: %(errors)s") % {"errors": error},
                            status=400, content_type="text/plain; charset=utf-8")
    name = _filename(extension).rsplit(".", 1)[0]
    if extension == "csv":
        return exports.csv_response(headers=headers, rows=rows, filename=name)
    total = count()
    if total > exports.XLSX_MAX_ROWS:
        return HttpResponse(gettext("More than %(rows)s rows: filter the list, or export it as CSV.")
                            % {"rows": number_format(exports.XLSX_MAX_ROWS, force_grouping=True)},
                            status=400, content_type="text/plain; charset=utf-8")
    if total > settings.EXPORT_ASYNC_ROWS:
        job = jobs.job_start(kind=Job.Kind.EXPORT, subject=SUBJECT, title=gettext("MoUs"), user=request.user,
                             task=tasks.export_task, total=total,
                             params={"query": request.GET.urlencode(), "list_url": reverse("alliance:mou-list")})
        return HttpResponseRedirect(reverse("registers-job", args=[job.pk]))
    return exports.xlsx_response(headers=headers, rows=rows, filename=name, title=gettext("MoUs"))


class _Export:
    """The worker's side of a large XLSX export of the MoU list (``registers.tasks.export_task``)."""

    def export_job_run(self, job):
        request = HttpRequest()
        request.method = "GET"
        request.GET = QueryDict(job.params.get("query", ""))
        request.user = job.user
        if not (job.user.is_active and roles.can_view_registers(job.user)):  # the role went meanwhile
            return jobs.job_fail(job=job, message=gettext_noop("Your role no longer allows this export."))
        try:
            headers, rows, count = rows_of(request)
        except BadFilters:
            return jobs.job_fail(job=job, message=gettext_noop("The list's filters are no longer valid."))
        progress = jobs.Progress(job)
        progress(total=count())
        with tempfile.TemporaryFile() as file:
            exports.xlsx_write(file, headers=headers, rows=rows, title=gettext("MoUs"), progress=progress)
            progress.flush()
            file.seek(0)
            return jobs.job_finish(job=job, file=File(file), filename=_filename("xlsx"),
                                   message=gettext_noop("The export is ready: %(count)s rows."),
                                   message_args={"count": job.done})


EXPORTS[SUBJECT] = _Export()
