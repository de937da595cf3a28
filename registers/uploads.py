"""Checks on uploaded documents, done before anything reaches the disk.

A file is accepted as a PDF by its content, never by its name or the content type
the browser claims: it must start with the ``%PDF-1.x``/``%PDF-2.x`` header and end
with the ``%%EOF`` marker (a file cut short in transfer has none). Its cross-reference
table is not checked: PDF readers repair a damaged one, and a hand-made PDF often
has none, so refusing those would turn away documents people can open.

Tables for imports (CSV, XLSX) and evidence files are checked here too: one module
for every upload (size, extension, content).
"""

import codecs
import csv
import re
import unicodedata
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import pdf

PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
# The last 1024 bytes must hold the end-of-file marker (ISO 32000-1, 7.5.5); a little more for safety.
TRAILER_WINDOW = 2048

NOT_A_PDF = _("This file is not a PDF document. Upload the signed MoU as a PDF file.")


def _megabytes(size):
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"


def _size(size):
    """A size for a message: KB under a megabyte, else MB."""
    size = size or 0
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else _megabytes(size)


def _read(uploaded, offset, size):
    uploaded.seek(offset)
    return uploaded.read(size)


def validate_pdf(uploaded):
    """Raise ValidationError with a message for the person uploading unless ``uploaded`` is a PDF."""
    if uploaded is None:
        raise ValidationError(_("Attach the signed MoU as a PDF file."), code="required")
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty. Attach the signed MoU as a PDF file."), code="empty")
    limit = settings.MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; a document may be at most %(limit)s.") % {
                "size": _megabytes(size), "limit": _megabytes(limit)},
            code="too_large",
        )
    try:
        head = _read(uploaded, 0, 16)
        if not PDF_HEADER.match(head):
            raise ValidationError(NOT_A_PDF, code="not_pdf")
        tail = _read(uploaded, max(0, size - TRAILER_WINDOW), TRAILER_WINDOW)
        if b"%%EOF" not in tail:
            raise ValidationError(_("This PDF is incomplete or damaged: its end (%%EOF trailer) is missing. "
                                    "Export or scan it again and upload the new file."), code="pdf_trailer")
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


# --- Tables (imports) ---------------------------------------------------------------------
#
# An uploaded table is read in streaming mode and refused as soon as it breaks a bound,
# never after loading it: a hostile file must cost little. XLSX is a zip: its central
# directory (read without decompressing anything) must list few members and a bounded
# uncompressed size; before any parse, its shared strings and sheets are streamed and
# their tags counted at the byte level (``prescan_xlsx``: shared strings, rows, the
# longest text); the sheet is then parsed row by row (openpyxl read-only, with
# defusedxml installed so entity tricks are refused) ignoring the <dimension> the file
# claims, and reading stops at the first row over the limit. CSV is decoded and split
# incrementally with a bounded field size.

TABLE_EXTENSIONS = (".csv", ".xlsx")
MAX_TABLE_ROWS = 20_000
MAX_TABLE_COLUMNS = 60
MAX_EMPTY_ROWS = 10_000  # empty rows tolerated in between (Excel keeps formatted empty rows)
MAX_ZIP_MEMBERS = 200
MAX_CSV_FIELD = 32_768


class UploadError(ValidationError):
    """A file refused before or while reading it; the message names the problem for the person uploading."""


def check_size(uploaded, limit=None):
    limit = limit or settings.MAX_UPLOAD_BYTES
    if (uploaded.size or 0) > limit:
        raise UploadError(gettext("The file is larger than %(limit)s (it is %(size)s).")
                          % {"limit": _size(limit), "size": _size(uploaded.size)},
                          code="too_large")


def check_zip(uploaded, *, what="Excel .xlsx"):
    """Refuse a zip-based file (XLSX, DOCX) whose central directory promises too much.

    Only the central directory is read: the member count and the sum of the declared
    uncompressed sizes. A member that decompresses to more than it declared fails its
    CRC check when read (zipfile stops at the declared size), so the declared sizes bound
    what parsing can cost.
    """
    declared = _declared_member_count(uploaded)
    if declared is not None and declared > MAX_ZIP_MEMBERS:
        raise UploadError(gettext("This %(kind)s file holds %(parts)s parts; at most %(max)s are accepted.")
                          % {"kind": what, "parts": declared, "max": MAX_ZIP_MEMBERS},
                          code="zip_members")
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UploadError(gettext("This is not an %(kind)s file (its zip structure is damaged).") % {"kind": what},
                          code="bad_zip") from None
    finally:
        uploaded.seek(0)
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadError(gettext("This %(kind)s file holds %(parts)s parts; at most %(max)s are accepted.")
                          % {"kind": what, "parts": len(members), "max": MAX_ZIP_MEMBERS},
                          code="zip_members")
    total = sum(m.file_size for m in members)
    limit = settings.MAX_UNCOMPRESSED_BYTES
    if total > limit:
        raise UploadError(gettext("This %(kind)s file unpacks to %(size)s; at most %(limit)s are accepted (is it a "
                                  "zip bomb?). Split the file.")
                          % {"kind": what, "size": _size(total), "limit": _size(limit)}, code="zip_size")


def _declared_member_count(uploaded):
    """The member count of the zip's end-of-central-directory record (its last 22 bytes plus a
    comment of at most 64 KB), read before the directory itself: a zip of a million empty
    members is refused without building a million entries. None when not found (zipfile decides)."""
    size = uploaded.size or 0
    window = min(size, 22 + 65_535)
    uploaded.seek(size - window)
    tail = uploaded.read(window)
    uploaded.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 12:
        return None
    count = int.from_bytes(tail[at + 10:at + 12], "little")
    return None if count == 0xFFFF else count  # 0xFFFF: a zip64 count, read by zipfile


def _too_many_rows(limit):
    return UploadError(gettext("The file has more rows than accepted: at most %(max)s rows per file; split the file.")
                       % {"max": f"{limit:,}"},
                       code="too_many_rows")


def read_table(uploaded, *, max_rows=MAX_TABLE_ROWS):
    """The rows of an uploaded CSV or XLSX table as lists of cell values (the header first).

    Raises ``UploadError`` naming the problem for a file too large, of another extension,
    whose content is not what its name says, damaged, or with more than ``max_rows`` data
    rows (checked while reading). Empty rows are dropped.
    """
    name = (uploaded.name or "").lower()
    check_size(uploaded)
    if not name.endswith(TABLE_EXTENSIONS):
        raise UploadError(gettext("Upload a .csv or .xlsx file (download the template below)."), code="extension")
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    if name.endswith(".xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            raise UploadError(gettext("This is not an Excel .xlsx file."), code="not_xlsx")
        check_zip(uploaded)
        prescan_xlsx(uploaded, max_rows=max_rows)
        rows = _xlsx_rows(uploaded, max_rows)
    else:
        if b"\x00" in head:
            raise UploadError(gettext("This is not a CSV text file."), code="not_csv")
        rows = _csv_rows(uploaded, head)
    table = []
    empty = 0
    for row in rows:
        if not any(v not in (None, "") and str(v).strip() for v in row):
            empty += 1
            if empty > MAX_EMPTY_ROWS:
                raise UploadError(gettext("The file has more than %(max)s empty rows; remove them.")
                                  % {"max": f"{MAX_EMPTY_ROWS:,}"},
                                  code="empty_rows")
            continue
        if len(table) > max_rows:  # the header plus max_rows data rows are in already
            raise _too_many_rows(max_rows)
        table.append(["" if v is None else v for v in row])
    return table


def _csv_rows(uploaded, head):
    try:
        sample = head.decode("utf-8-sig", errors="ignore")[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    uploaded.seek(0)
    # field_size_limit is process-wide; every caller sets the same bound.
    csv.field_size_limit(MAX_CSV_FIELD)
    reader = csv.reader(codecs.iterdecode(uploaded, "utf-8-sig"), dialect)
    try:
        yield from reader
    except UnicodeDecodeError:
        raise UploadError(gettext("The CSV file is not UTF-8 text; save it as 'CSV UTF-8'."), code="encoding") from None
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise UploadError(gettext("Line %(line)s of the CSV file has a field longer than %(max)s characters.")
                              % {"line": reader.line_num, "max": f"{MAX_CSV_FIELD:,}"}, code="csv_field") from None
        raise UploadError(gettext("The CSV file cannot be read near line %(line)s: %(error)s.")
                          % {"line": reader.line_num, "error": error},
                          code="csv_error") from None


def _xlsx_rows(uploaded, max_rows):
    from openpyxl import load_workbook

    # Any exception from the parser means a damaged or hostile file (XML parse errors,
    # missing parts, bad values); none may become a 500. The message names the problem.
    try:
        workbook = load_workbook(uploaded, read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # noqa: BLE001 - see above
        raise UploadError(gettext("The Excel file cannot be read (%(problem)s); save it again as .xlsx.")
                          % {"problem": _problem(error)},
                          code="bad_xlsx") from None
    try:
        if not workbook.worksheets:
            raise UploadError(gettext("The Excel file has no sheet."), code="bad_xlsx")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # never trust the <dimension> the file claims
        # Only the rows that may be taken are parsed (prescan_xlsx counted them already).
        rows = sheet.iter_rows(min_row=1, max_row=max_rows + 2 + MAX_EMPTY_ROWS, max_col=MAX_TABLE_COLUMNS,
                               values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except UploadError:
                raise
            except Exception as error:  # noqa: BLE001 - see above
                raise UploadError(gettext("The Excel sheet cannot be read (%(problem)s); save it again as .xlsx.")
                                  % {"problem": _problem(error)},
                                  code="bad_xlsx") from None
            yield row
    finally:
        workbook.close()


MAX_SHARED_STRINGS = 100_000  # openpyxl reads them all when it opens the file: some 2 s at this bound
MAX_CELL_BYTES = 32_767 * 4 + 1024  # Excel's 32,767 characters in a cell, in UTF-8, with their markup
SCAN_CHUNK = 1024 * 1024
SHARED_STRINGS_MEMBER = re.compile(r"(?i)(^|/)sharedStrings[^/]*\.xml$")
SHEET_MEMBER = re.compile(r"(?i)^xl/worksheets/[^/]+\.xml$")
# An opening tag with an optional namespace prefix (<x:row>): of a shared string, of a row.
STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?si[\s>/]")
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?row[\s>/]")


def prescan_xlsx(uploaded, *, max_rows=MAX_TABLE_ROWS):
    """Refuse an XLSX whose shared strings or sheets hold more than an import may, before any parse.

    The parts are streamed from the zip a megabyte at a time and read at the byte level (nothing is
    built): at most ``MAX_SHARED_STRINGS`` shared strings, no sheet over ``max_rows`` rows (and the
    empty rows tolerated), and no text over ``MAX_CELL_BYTES`` between two tags (XML escapes every
    ``<`` in text, so that is the longest cell). A file of two million shared strings, one string of
    60 MB or 200,000 rows without a <dimension> is refused in a fraction of a second, where openpyxl
    would read them whole first.
    """
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            for info in archive.infolist():
                if SHARED_STRINGS_MEMBER.search(info.filename):
                    with archive.open(info) as stream:
                        if _count_tags(stream, STRING_TAG, MAX_SHARED_STRINGS):
                            raise UploadError(
                                gettext("The Excel file holds more than %(max)s different texts; an import takes at "
                                        "most that many. Split the file.") % {"max": f"{MAX_SHARED_STRINGS:,}"},
                                code="too_many_strings")
                elif SHEET_MEMBER.search(info.filename):
                    with archive.open(info) as stream:
                        if _count_tags(stream, ROW_TAG, max_rows + 1 + MAX_EMPTY_ROWS):
                            raise _too_many_rows(max_rows)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise UploadError(gettext("This is not an Excel .xlsx file (its zip structure is damaged)."),
                          code="bad_zip") from None
    finally:
        uploaded.seek(0)


def _count_tags(stream, pattern, limit):
    """Whether the XML ``stream`` holds more than ``limit`` tags of ``pattern``; raises ``UploadError``
    for a text longer than a cell may be. Each chunk is cut at its last ``<``, so that no tag is split
    between two chunks (the rest is read with the next)."""
    count, carry = 0, b""
    while chunk := stream.read(SCAN_CHUNK):
        data = carry + chunk
        cut = data.rfind(b"<")
        if cut <= 0:
            cut = len(data) if len(data) > MAX_CELL_BYTES else 0
        whole, carry = data[:cut], data[cut:]
        if len(carry) > MAX_CELL_BYTES or (whole and max(map(len, whole.split(b"<"))) > MAX_CELL_BYTES):
            raise UploadError(gettext("The Excel file holds a text longer than a cell may hold (%(max)s "
                                      "characters); save it again as .xlsx.") % {"max": "32,767"},
                              code="cell_too_long")
        count += len(pattern.findall(whole))
        if count > limit:
            return True
    return count + len(pattern.findall(carry)) > limit


def _problem(error):
    text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    name = type(error).__name__
    return f"{name}: {text}" if text else name


# --- Evidence of reported values -------------------------------------------------------------

EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".xlsx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".csv": (),
}


def validate_evidence(uploaded):
    """Refuse an evidence file too large, of another type, or whose content is not what its name says.

    Office files (zip) must also pass ``check_zip``: managers open them, so a zip bomb
    is refused here rather than on their machines.
    """
    suffix = PurePosixPath((uploaded.name or "").lower()).suffix
    check_size(uploaded)
    if suffix not in EVIDENCE_SIGNATURES:
        raise UploadError(gettext("Upload a PDF, Excel (.xlsx), Word (.docx), CSV, PNG or JPEG file."), code="extension")
    uploaded.seek(0)
    head = uploaded.read(2048)
    uploaded.seek(0)
    signatures = EVIDENCE_SIGNATURES[suffix]
    if signatures and not head.startswith(signatures):
        raise UploadError(gettext("The file's content is not a %(type)s file.") % {"type": suffix[1:].upper()},
                          code="content")
    if not signatures and b"\x00" in head:
        raise UploadError(gettext("The CSV file is not text."), code="content")
    if suffix in (".xlsx", ".docx"):
        check_zip(uploaded, what="Excel .xlsx" if suffix == ".xlsx" else "Word .docx")
    if suffix == ".pdf":
        # Reviewers open evidence too: a PDF with active content is refused as an MoU's is.
        pdf.check_active_content(_read(uploaded, 0, uploaded.size))
        uploaded.seek(0)
