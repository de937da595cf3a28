"""The MoU list's export: the list a reviewer sees on ``/mous/`` (same search, filters and sort), as
CSV (streamed, any size) or XLSX (a job above EXPORT_ASYNC_ROWS rows), with the registers' cells
(``registers.exports``: dates ISO, choices by their stored value, formulas neutralised).

Staff, managers and admins export; a partner, who sees only their organisation's MoUs, gets no export
(403), like the registers. The PDFs are not exported: each stays behind its MoU's page.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from registers import exports
from registers.access import check_access
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


def rows_of(request):
    """``(headers, rows, count)`` of the MoUs ``request`` lists; rows read in chunks, ``count()`` one query.

    Raises ``exports.BadQuery`` naming the errors when the list's filters refuse the query string.
    """
    filters = MoUFilterForm(request.GET or None)
    if filters.is_bound and not filters.is_valid():
        raise exports.BadQuery("; ".join(f"{name}: {' '.join(errors)}" for name, errors in filters.errors.items()))
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
    except exports.BadQuery as error:
        return HttpResponse(gettext("The list's filters are not valid: %(errors)s") % {"errors": error},
                            status=400, content_type="text/plain; charset=utf-8")
    return exports.export_response(
        request, extension=extension, headers=headers, rows=rows, count=count,
        filename=_filename(extension).rsplit(".", 1)[0], title=gettext("MoUs"), subject=SUBJECT,
        list_url=reverse("alliance:mou-list"))


class _Export:
    """The worker's side of a large XLSX export of the MoU list (``registers.tasks.export_task``)."""

    def export_job_run(self, job):
        return exports.export_job_run(job, rows_of, title=gettext("MoUs"), filename=_filename("xlsx"))


EXPORTS[SUBJECT] = _Export()
