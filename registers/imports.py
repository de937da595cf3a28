"""The import framework of every register: read a table, parse its cells, keep the rows between
preview and confirmation, refuse all when one row is wrong, offer a template.

An app declares what it imports (columns, validation against its models' rules, the
write) in its own ``imports`` module and calls these functions; ``uploads.read_table``
checks the file itself (size, extension, content, row limit while reading).

Between preview and confirmation the parsed rows wait in a signed JSON file under
PRIVATE_MEDIA_ROOT (``stash_rows`` / ``claim_rows``), never in a public path.
"""

import csv
import datetime
import io
import json
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django_countries import countries

from . import uploads

MAX_ROWS = uploads.MAX_TABLE_ROWS
# Rows between two reports to an import's progress callback while checking, and rows
# written by one INSERT (each batch reported too). ``registers.jobs.Progress`` decides
# how often the job row is actually written.
CHECK_BATCH = 100
WRITE_BATCH = 500
SIGNING_SALT = "registers.imports"
UploadError = uploads.UploadError


# --- Reading -------------------------------------------------------------------------------------


def read_upload(upload):
    """The rows of an uploaded CSV or XLSX file as dicts keyed by lower-case column name.

    ``registers.uploads.read_table`` reads the file (size, extension, content, row limit
    while reading) and raises UploadError naming the problem.
    """
    rows = _rows_from(uploads.read_table(upload, max_rows=MAX_ROWS))
    if not rows:
        raise UploadError(gettext("The file has no rows under its header line."))
    return rows


def _cell(value):
    """A cell as text: Excel dates as ISO dates, whole numbers without their '.0'."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_from(matrix):
    matrix = [[_cell(v) for v in row] for row in matrix]
    matrix = [row for row in matrix if any(row)]
    if not matrix:
        return []
    header = [h.lower().replace(" ", "_") for h in matrix[0]]
    return [{header[i]: row[i] for i in range(min(len(header), len(row))) if header[i]} for row in matrix[1:]]


# --- Parsing values ----------------------------------------------------------------------------------

_COUNTRIES = {}


def country(value):
    """An ISO 3166 code from a code (ES) or an English name (Spain); None when unknown."""
    text = str(value or "").strip()
    if not text:
        return None
    if not _COUNTRIES:
        for code, name in countries:
            _COUNTRIES[code.lower()] = code
            _COUNTRIES[str(name).lower()] = code
    return _COUNTRIES.get(text.lower())


def date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def choice(value, choices):
    text = str(value or "").strip().lower()
    # Keys first: the labels are translated (lazy), and evaluating them for every row of a
    # large file costs more than the rest of the row's checks.
    for key, _label in choices:
        if text == key.lower():
            return key
    for key, label in choices:
        if text == str(label).lower():
            return key
    return None


def boolean(value):
    text = str(value or "").strip().lower()
    if text in ("", "no", "false", "0", "n"):
        return False
    if text in ("yes", "true", "1", "y", "x"):
        return True
    raise ValueError(text)


def text(row, key):
    value = row.get(key, "")
    return "" if value is None else str(value).strip()


# --- Progress ----------------------------------------------------------------------------------------


def checking(rows, progress=None):
    """``(line, row)`` for each row (line 2 is the first under the header), reporting
    ``progress(checked=n)`` every CHECK_BATCH rows and once at the end."""
    for index, row in enumerate(rows):
        if progress is not None and index and index % CHECK_BATCH == 0:
            progress(checked=index)
        yield index + 2, row
    if progress is not None:
        progress(checked=len(rows))


def in_batches(objects, progress=None, *, size=WRITE_BATCH):
    """``objects`` in slices of ``size`` to write one after the other; after each is written
    (when the caller asks for the next) ``progress(done=n)`` reports the rows written so far."""
    done = 0
    for start in range(0, len(objects), size):
        batch = objects[start:start + size]
        yield batch
        done += len(batch)
        if progress is not None:
            progress(done=done)


# --- All or nothing ------------------------------------------------------------------------------------


class ImportRefused(ValidationError):
    def __init__(self, preview):
        self.preview = preview
        bad = [p for p in preview if p["errors"]]
        super().__init__(f"Nothing was imported: {len(bad)} of {len(preview)} rows have errors.")


# --- Waiting between preview and confirmation --------------------------------------------------------


def _stash_dir():
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o750)
    return path


def stash_rows(*, kind, rows, user):
    """Keep the rows until the user confirms; return a signed token naming the file."""
    name = uuid.uuid4().hex
    payload = json.dumps({"kind": kind, "user": user.pk, "rows": rows, "at": timezone.now().isoformat()},
                         default=str)
    (_stash_dir() / f"{name}.json").write_text(payload, encoding="utf-8")
    return signing.dumps({"name": name, "user": user.pk}, salt=SIGNING_SALT)


def load_rows(*, token, user, max_age=3600):
    """The kind and rows stashed under ``token`` by the same user within ``max_age`` seconds."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=max_age)
    except signing.BadSignature:
        raise ValidationError(gettext("The preview has expired; upload the file again.")) from None
    if data.get("user") != user.pk:
        raise ValidationError(gettext("The preview has expired; upload the file again."))
    path = _stash_dir() / f"{data['name']}.json"
    if not path.exists():
        if any(_stash_dir().glob(f"{data['name']}.claimed-*")):
            raise ValidationError(gettext("These rows are being imported already."))
        raise ValidationError(gettext("The preview has expired or was imported already; upload the file again."))
    stored = json.loads(path.read_text(encoding="utf-8"))
    return stored["kind"], stored["rows"], path


def claim_rows(*, token, user):
    """Like ``load_rows``, but takes the stash for this request alone.

    The stash file is renamed (atomic on one file system) before it is read, so a
    double-click that sends the confirmation twice imports the rows once: the second
    request finds nothing to claim. ``release_rows`` gives it back if the import fails.
    """
    kind, rows, path = load_rows(token=token, user=user)
    claimed = path.with_name(f"{path.stem}.claimed-{uuid.uuid4().hex}")
    try:
        path.rename(claimed)
    except FileNotFoundError:
        raise ValidationError(gettext("These rows are being imported already.")) from None
    return kind, rows, claimed


def stash_file_name(claimed):
    """A claimed stash's name in private storage (``registers.storage``), for an import job's file."""
    return os.path.relpath(os.path.abspath(claimed), os.path.abspath(settings.PRIVATE_MEDIA_ROOT))


def read_stash(file):
    """The kind and rows of a stash file (an open binary file)."""
    stored = json.loads(file.read().decode("utf-8"))
    return stored["kind"], stored["rows"]


def stashes_clean(*, before):
    """Delete the stashes written before ``before`` (an aware datetime): previews never confirmed,
    and rows of imports that were lost with their worker. Return how many."""
    count = 0
    for path in _stash_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < before.timestamp():
            path.unlink(missing_ok=True)
            count += 1
    return count


def release_rows(claimed):
    """Put a claimed stash back, so the user can confirm again after an error."""
    claimed.rename(claimed.with_name(claimed.name.split(".claimed-")[0] + ".json"))


# --- Template ------------------------------------------------------------------------------------------


def template_csv(columns, example):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerow(example)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(title, columns, example, help_texts):
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(columns)
    sheet.append(example)
    for cell in sheet[1]:
        if cell.value in help_texts:
            cell.comment = Comment(help_texts[cell.value], "LCAMP Tracker")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
