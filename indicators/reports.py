"""Services of reported values: submit with evidence. Reviewed through ``registers.reviews.review``
(by a manager of another organisation, never by the person who reported).

An approved report moves its indicator: the engine's signals queue a roll-up when the
transaction commits. Keyword-only arguments; the API calls the same functions.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from registers import pdf

from .models import Report

EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".xlsx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".csv": (),
}


def check_evidence_file(upload):
    """Refuse an evidence file too large, of another type, or whose content is not what its name says."""
    suffix = Path(upload.name or "").suffix.lower()
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(f"The file is larger than {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if suffix not in EVIDENCE_SIGNATURES:
        raise ValidationError("Upload a PDF, Excel (.xlsx), Word (.docx), CSV, PNG or JPEG file.")
    head = upload.read(2048)
    upload.seek(0)
    signatures = EVIDENCE_SIGNATURES[suffix]
    if signatures and not head.startswith(signatures):
        raise ValidationError(f"The file's content is not a {suffix[1:].upper()} file.")
    if not signatures and b"\x00" in head:
        raise ValidationError("The CSV file is not text.")
    if suffix == ".pdf":
        pdf.check_active_content(upload.read())
        upload.seek(0)


@transaction.atomic
def report_submit(*, report, user, evidence_file=None):
    """Record a reported value (status submitted) with its evidence: a file, a URL, or both."""
    if evidence_file is not None:
        check_evidence_file(evidence_file)
        report.evidence_file = evidence_file
    if not report.evidence_file and not report.evidence_url:
        raise ValidationError({"evidence_url": "Give the evidence: upload a file or give its URL."})
    report.status = Report.Status.SUBMITTED
    report.submitted_by = user
    report.submitted_at = timezone.now()
    report.full_clean()
    report._history_user = user
    report.save()
    return report
