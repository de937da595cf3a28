"""Bulk import of organisations and alliance members from CSV or XLSX.

Three steps: ``read_upload`` checks the file (size, extension, content) and returns its
rows; ``validate_rows`` checks every row (unknown country, bad date, duplicate in the
file or in the database...) without writing; ``import_rows`` validates again and writes
all rows in one transaction with ``bulk_create``, or nothing.

Between preview and confirmation the parsed rows wait in a signed JSON file under
PRIVATE_MEDIA_ROOT (``stash_rows`` / ``load_rows``), never in a public path.

Validation reads the existing organisations and memberships once, so a 10,000-row file
costs a handful of queries, not one per row.
"""

import csv
import datetime
import io
import json
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_countries import countries
from simple_history.utils import bulk_create_with_history

from organisations.models import Organisation, Region

from .models import AllianceMember

ORGANISATIONS = "organisations"
MEMBERS = "members"
KINDS = {ORGANISATIONS: "Organisations", MEMBERS: "Alliance members"}

COLUMNS = {
    ORGANISATIONS: ["name", "acronym", "kind", "country", "region", "city", "website", "erasmus_oid", "pic",
                    "is_consortium_partner"],
    MEMBERS: ["organisation", "country", "kind", "category", "joined_on", "left_on", "note"],
}
REQUIRED = {ORGANISATIONS: {"name", "country"}, MEMBERS: {"organisation", "country", "category", "joined_on"}}
EXAMPLES = {
    ORGANISATIONS: ["Centro Integrado de FP Easo", "EASO", "vet", "ES", "ES21", "Donostia",
                    "https://www.easo.eus", "", "", "no"],
    MEMBERS: ["Centro Integrado de FP Easo", "ES", "vet", "vet", "2024-05-02", "", "Joined at the Bilbao meeting"],
}
HELP = {
    "name": "Required.", "organisation": "Required: the organisation's name; a new one is registered.",
    "country": "Required: ISO code (ES) or English name (Spain).",
    "kind": "Organisation type: " + ", ".join(Organisation.Kind.values) + " (default other).",
    "category": "Required: " + ", ".join(AllianceMember.Category.values) + ".",
    "joined_on": "Required: YYYY-MM-DD or DD/MM/YYYY.", "left_on": "Optional: YYYY-MM-DD or DD/MM/YYYY.",
    "region": "Optional NUTS code, e.g. ES21.", "website": "Optional: https://…",
    "erasmus_oid": "Optional: E and 8 digits.", "pic": "Optional: 9 digits.",
    "is_consortium_partner": "yes or no (default no).",
}
EXTENSIONS = (".csv", ".xlsx")
MAX_ROWS = 20_000
SIGNING_SALT = "alliance.imports"


class UploadError(ValidationError):
    pass


# --- Reading -------------------------------------------------------------------------------------


def read_upload(upload):
    """The rows of an uploaded CSV or XLSX file as dicts keyed by lower-case column name.

    Raises UploadError for a file too large, of another extension, or whose content is
    not what its extension says.
    """
    name = (upload.name or "").lower()
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise UploadError(f"The file is larger than {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not name.endswith(EXTENSIONS):
        raise UploadError("Upload a .csv or .xlsx file (download the template below).")
    data = upload.read()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(data)
    else:
        rows = _read_csv(data)
    if not rows:
        raise UploadError("The file has no rows under its header line.")
    if len(rows) > MAX_ROWS:
        raise UploadError(f"At most {MAX_ROWS} rows per file; split the file.")
    return rows


def _read_csv(data):
    if b"\x00" in data[:8192]:
        raise UploadError("This is not a CSV text file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError("The CSV file is not UTF-8 text; save it as 'CSV UTF-8'.") from None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return _rows_from(list(reader))


def _read_xlsx(data):
    if not data.startswith(b"PK\x03\x04"):
        raise UploadError("This is not an Excel .xlsx file.")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise UploadError("The Excel file cannot be read; save it again as .xlsx.") from None
    sheet = workbook.worksheets[0]
    rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return _rows_from(rows)


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


def _country(value):
    """An ISO 3166 code from a code (ES) or an English name (Spain); None when unknown."""
    text = str(value or "").strip()
    if not text:
        return None
    if not _COUNTRIES:
        for code, name in countries:
            _COUNTRIES[code.lower()] = code
            _COUNTRIES[str(name).lower()] = code
    return _COUNTRIES.get(text.lower())


def _date(value):
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


def _choice(value, choices):
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


def _bool(value):
    text = str(value or "").strip().lower()
    if text in ("", "no", "false", "0", "n"):
        return False
    if text in ("yes", "true", "1", "y", "x"):
        return True
    raise ValueError(text)


def _text(row, key):
    value = row.get(key, "")
    return "" if value is None else str(value).strip()


# --- Validation ----------------------------------------------------------------------------------------


def validate_rows(kind, rows):
    """Check every row; return ``[{"line", "values", "errors"}]`` (line 2 is the first data line).

    ``values`` are the parsed values, JSON-serialisable, ready for ``import_rows``.
    """
    if kind == ORGANISATIONS:
        return _validate_organisations(rows)
    return _validate_members(rows)


def _existing_organisations():
    return {(name.lower(), country): pk for pk, name, country in
            Organisation.objects.values_list("pk", "name", "country")}


def _organisation_values(row, errors, *, name_key):
    name = _text(row, name_key)
    if not name:
        errors.append(f"{name_key}: required.")
    raw_country = _text(row, "country")
    country = _country(raw_country)
    if not raw_country:
        errors.append("country: required.")
    elif country is None:
        errors.append(f"country: unknown country {raw_country!r}.")
    kind = Organisation.Kind.OTHER
    if _text(row, "kind"):
        kind = _choice(row.get("kind"), Organisation.Kind.choices)
        if kind is None:
            errors.append(f"kind: unknown type {_text(row, 'kind')!r}; use one of {', '.join(Organisation.Kind.values)}.")
    return {"name": name, "country": country, "kind": kind}


def _check_fields(model, values, errors, exclude):
    try:
        model(**values).clean_fields(exclude=exclude)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.append(f"{field}: {' '.join(messages)}")


def _validate_organisations(rows):
    existing = _existing_organisations()
    regions = {code: (pk, country) for pk, code, country in
               Region.objects.order_by("nuts_version").values_list("pk", "code", "country")}
    taken_oid = set(Organisation.objects.exclude(erasmus_oid="").values_list("erasmus_oid", flat=True))
    taken_pic = set(Organisation.objects.exclude(pic="").values_list("pic", flat=True))
    seen, seen_oid, seen_pic = {}, {}, {}
    preview = []
    for line, row in enumerate(rows, start=2):
        errors = []
        values = _organisation_values(row, errors, name_key="name")
        values.update({"acronym": _text(row, "acronym"), "city": _text(row, "city"),
                       "website": _text(row, "website"), "erasmus_oid": _text(row, "erasmus_oid").upper(),
                       "pic": _text(row, "pic"), "region_id": None})
        try:
            values["is_consortium_partner"] = _bool(row.get("is_consortium_partner"))
        except ValueError as bad:
            errors.append(f"is_consortium_partner: {bad} is not yes or no.")
            values["is_consortium_partner"] = False
        code = _text(row, "region").upper()
        if code:
            region = regions.get(code)
            if region is None:
                errors.append(f"region: unknown region {code!r}.")
            elif values["country"] and region[1] != values["country"]:
                errors.append(f"region: {code} is not in {values['country']}.")
            else:
                values["region_id"] = region[0]
        _check_fields(Organisation, {k: v for k, v in values.items() if v not in (None,)}, errors,
                      exclude=["name", "country", "kind", "region"])
        key = (values["name"].lower(), values["country"])
        if values["name"] and values["country"]:
            if key in existing:
                errors.append(f"duplicate: {values['name']} in {values['country']} is already registered.")
            elif key in seen:
                errors.append(f"duplicate: the same organisation as line {seen[key]}.")
            seen.setdefault(key, line)
        for field, taken, seen_values in (("erasmus_oid", taken_oid, seen_oid), ("pic", taken_pic, seen_pic)):
            value = values[field]
            if value:
                if value in taken:
                    errors.append(f"{field}: {value} is already registered.")
                elif value in seen_values:
                    errors.append(f"{field}: {value} also on line {seen_values[value]}.")
                seen_values.setdefault(value, line)
        preview.append({"line": line, "values": values, "errors": errors})
    return preview


def _validate_members(rows):
    existing = _existing_organisations()
    periods = {}
    for organisation_id, joined_on, left_on in AllianceMember.objects.values_list("organisation_id", "joined_on",
                                                                                   "left_on"):
        periods.setdefault(organisation_id, []).append((joined_on, left_on))
    seen = {}
    preview = []
    for line, row in enumerate(rows, start=2):
        errors = []
        values = _organisation_values(row, errors, name_key="organisation")
        category = _choice(row.get("category"), AllianceMember.Category.choices)
        if category is None:
            errors.append(f"category: {'required' if not _text(row, 'category') else repr(_text(row, 'category')) + ' is unknown'}; "
                          f"use one of {', '.join(AllianceMember.Category.values)}.")
        values["category"] = category
        values["note"] = _text(row, "note")
        joined_on = left_on = None
        for field in ("joined_on", "left_on"):
            raw = row.get(field)
            if raw in (None, "") or (isinstance(raw, str) and not raw.strip()):
                if field == "joined_on":
                    errors.append("joined_on: required.")
                continue
            try:
                parsed = _date(raw)
            except ValueError:
                errors.append(f"{field}: {str(raw).strip()!r} is not a date (YYYY-MM-DD).")
                continue
            if field == "joined_on":
                joined_on = parsed
            else:
                left_on = parsed
        if joined_on and left_on and left_on < joined_on:
            errors.append("left_on: the membership cannot end before it began.")
        values["joined_on"] = joined_on.isoformat() if joined_on else None
        values["left_on"] = left_on.isoformat() if left_on else None
        key = (values["name"].lower(), values["country"])
        values["organisation_id"] = existing.get(key)
        if values["name"] and values["country"]:
            if key in seen:
                errors.append(f"duplicate: {values['name']} is also on line {seen[key]}.")
            seen.setdefault(key, line)
            if values["organisation_id"] and joined_on:
                for start, end in periods.get(values["organisation_id"], []):
                    if (end is None or end > joined_on) and (left_on is None or start < left_on):
                        errors.append(f"duplicate: {values['name']} is already a member (since {start}).")
                        break
        preview.append({"line": line, "values": values, "errors": errors})
    return preview


# --- Importing -----------------------------------------------------------------------------------------


class ImportRefused(ValidationError):
    def __init__(self, preview):
        self.preview = preview
        bad = [p for p in preview if p["errors"]]
        super().__init__(f"Nothing was imported: {len(bad)} of {len(preview)} rows have errors.")


def import_rows(*, kind, rows, user=None):
    """Write all rows or none, in one transaction; return the number of records created.

    The rows are validated again (the database may have changed since the preview);
    if any row has an error nothing is written and ``ImportRefused`` lists them. One
    roll-up is requested when the transaction commits.
    """
    from indicators.services import rollups_deferred

    try:
        with rollups_deferred(), transaction.atomic():
            return _import(kind, rows, user)
    except IntegrityError:
        # Somebody registered one of these organisations between validation and insert.
        raise ValidationError("Nothing was imported: the registers changed meanwhile. Upload the file again.") from None


def _import(kind, rows, user):
    preview = validate_rows(kind, rows)
    if any(p["errors"] for p in preview):
        raise ImportRefused(preview)
    if kind == ORGANISATIONS:
        organisations = [Organisation(**p["values"]) for p in preview]
        bulk_create_with_history(organisations, Organisation, batch_size=1000, default_user=user)
        return len(organisations)
    new, ids = {}, {}
    for p in preview:
        v = p["values"]
        if not v["organisation_id"]:
            new[(v["name"].lower(), v["country"])] = Organisation(name=v["name"], country=v["country"],
                                                                  kind=v["kind"])
    if new:
        bulk_create_with_history(list(new.values()), Organisation, batch_size=1000, default_user=user)
        ids = _existing_organisations()
    members = []
    for p in preview:
        v = p["values"]
        organisation_id = v["organisation_id"] or ids[(v["name"].lower(), v["country"])]
        members.append(AllianceMember(
            organisation_id=organisation_id, category=v["category"], note=v["note"],
            joined_on=datetime.date.fromisoformat(v["joined_on"]),
            left_on=datetime.date.fromisoformat(v["left_on"]) if v["left_on"] else None))
    bulk_create_with_history(members, AllianceMember, batch_size=1000, default_user=user)
    return len(members)


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
        raise ValidationError("The preview has expired; upload the file again.") from None
    if data.get("user") != user.pk:
        raise ValidationError("The preview has expired; upload the file again.")
    path = _stash_dir() / f"{data['name']}.json"
    if not path.exists():
        if any(_stash_dir().glob(f"{data['name']}.claimed-*")):
            raise ValidationError("These rows are being imported already.")
        raise ValidationError("The preview has expired or was imported already; upload the file again.")
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
        raise ValidationError("These rows are being imported already.") from None
    return kind, rows, claimed


def release_rows(claimed):
    """Put a claimed stash back, so the user can confirm again after an error."""
    claimed.rename(claimed.with_name(claimed.name.split(".claimed-")[0] + ".json"))


# --- Template ------------------------------------------------------------------------------------------


def template_csv(kind):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS[kind])
    writer.writerow(EXAMPLES[kind])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(kind):
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = KINDS[kind]
    sheet.append(COLUMNS[kind])
    sheet.append(EXAMPLES[kind])
    for cell in sheet[1]:
        if cell.value in HELP:
            cell.comment = Comment(HELP[cell.value], "LCAMP Tracker")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
