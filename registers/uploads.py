"""Checks on uploaded documents, done before anything reaches the disk.

A file is accepted as a PDF by its content, never by its name or the content type
the browser claims: it must start with the ``%PDF-1.x``/``%PDF-2.x`` header and end
with the ``%%EOF`` marker (a file cut short in transfer has none). Its cross-reference
table is not checked: PDF readers repair a damaged one, and a hand-made PDF often
has none, so refusing those would turn away documents people can open.
"""

import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError

from . import pdf

PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
# The last 1024 bytes must hold the end-of-file marker (ISO 32000-1, 7.5.5); a little more for safety.
TRAILER_WINDOW = 2048

NOT_A_PDF = "This file is not a PDF document. Upload the signed MoU as a PDF file."


def _megabytes(size):
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"


def _read(uploaded, offset, size):
    uploaded.seek(offset)
    return uploaded.read(size)


def validate_pdf(uploaded):
    """Raise ValidationError with a message for the person uploading unless ``uploaded`` is a PDF."""
    if uploaded is None:
        raise ValidationError("Attach the signed MoU as a PDF file.", code="required")
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError("The file is empty. Attach the signed MoU as a PDF file.", code="empty")
    limit = settings.MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            f"The file is {_megabytes(size)}; a document may be at most {_megabytes(limit)}.",
            code="too_large",
        )
    try:
        head = _read(uploaded, 0, 16)
        if not PDF_HEADER.match(head):
            raise ValidationError(NOT_A_PDF, code="not_pdf")
        tail = _read(uploaded, max(0, size - TRAILER_WINDOW), TRAILER_WINDOW)
        if b"%%EOF" not in tail:
            raise ValidationError("This PDF is incomplete or damaged: its end (%%EOF trailer) is missing. "
                                  "Export or scan it again and upload the new file.", code="pdf_trailer")
        pdf.check_active_content(_read(uploaded, 0, size))
    finally:
        uploaded.seek(0)


def display_filename(name, default="document.pdf"):
    """The uploaded file's name, reduced to something safe to show and to offer on download.

    Keeps the last path component whatever the separator (``../../etc/passwd.pdf`` is
    ``passwd.pdf``), drops control characters, and is never used to name a file on disk.
    """
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if not name:
        return default
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name[-200:]
