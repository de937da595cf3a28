"""Services of reported values: submit with evidence. Reviewed through ``registers.reviews.review``
(by a manager of another organisation, never by the person who reported).

An approved report moves its indicator: the engine's signals queue a roll-up when the
transaction commits. Keyword-only arguments; the API calls the same functions.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from registers import uploads

from ..models import Report

if TYPE_CHECKING:
    from accounts.models import User


def check_evidence_file(upload: "UploadedFile[bytes]") -> None:
    """Refuse an evidence file too large, of another type, or whose content is not what its name says."""
    uploads.validate_evidence(upload)


@transaction.atomic
def report_submit(*, report: Report, user: "User", evidence_file: "UploadedFile[bytes] | None" = None) -> Report:
    """Record a reported value (status submitted) with its evidence: a file, a URL, or both."""
    if evidence_file is not None:
        check_evidence_file(evidence_file)
        report.evidence_file = evidence_file
    if not report.evidence_file and not report.evidence_url:
        raise ValidationError({"evidence_url": gettext("Give the evidence: upload a file or give its URL.")})
    report.status = Report.Status.SUBMITTED
    report.submitted_by = user
    report.submitted_at = timezone.now()
    report.full_clean()
    report._history_user = user  # type: ignore[attr-defined]  # simple_history reads it: the change's author

    report.save()
    return report
