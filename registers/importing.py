"""Import of any register from the file its export writes: the same headers, the same cells.

The one import pipeline of the registers. Driven by the ``Register`` alone (registers imports
no domain app): each row becomes the register's import form (``Register.import_form_class``,
by default its create form), so the form's and the model's rules are the one validation, and
is written through the register's ``create`` hook (the app's service: ``full_clean``, history,
many-to-many values, the outbox rows of the roll-up), all rows in one transaction or none.

The header line is the export's column codes, or its labels in any language (the CSV written for
people, ``registers.csvformat``); a decimal is read with a point or a comma ("1234,5").
Cells are read as the export writes them (``registers.exports.cell``): dates ISO (an XLSX's date cells as dates),
booleans yes/no, choices by their stored value or their label (a country by code or name), a related record
by its name as ``str()`` writes it (an organisation "Name (ES)", a region "ES21 Name"),
or by the attribute the export writes (``("region", "region__code")``: by its code),
many-to-many values and lists joined with ``"; "``. A related record is found by that
text, never by id: ids differ from one database to the next. A name that matches
several records is an error naming it (the model's ``import_candidates`` narrows the
search; see ``Organisation.import_candidates``).

The file is read by ``uploads.read_table`` (size, extension, content, zip bounds, rows
counted while reading: a hostile file costs little); the rows wait between preview and
confirmation in ``registers.stash``. A template (the export's header line and the
register's ``import_example``) is offered for download.
"""

import contextlib
import csv
import datetime
import io
import re
from collections import defaultdict

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext

from . import generations, jobs, stash, submissions, tasks, uploads
from .exports import FORMULA_STARTS
from .models import Job

MAX_ROWS = uploads.MAX_TABLE_ROWS
# Rows between two reports to an import's progress callback while checking
# (``registers.jobs.Progress`` decides how often the job row is actually written).
CHECK_BATCH = 100
SEPARATOR = ";"
LOOKUP_CHUNK = 500
# Context managers entered around a whole import, registered by the floors above (the
# indicators defer the roll-up to one drain at the end: ``IndicatorsConfig.ready``).
AROUND_IMPORT = []
IGNORED_HEADERS = {"id", "created_at", "updated_at"}
# A number written with a decimal comma and no grouping, as the CSV's semicolon variant writes it.
DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")


UploadError = uploads.UploadError


class BadHeaders(UploadError):
    """The file's header line is not the export's."""


class ImportRefused(ValidationError):
    """Nothing was imported: ``preview`` lists every row with its errors."""

    def __init__(self, preview):
        self.preview = preview
        bad = [p for p in preview if p["errors"]]
        super().__init__(ngettext("Nothing was imported: %(bad)s of %(count)s row has errors.",
                                  "Nothing was imported: %(bad)s of %(count)s rows have errors.", len(preview))
                         % {"bad": len(bad), "count": len(preview)})


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


def cell_text(row, key):
    value = row.get(key, "")
    return "" if value is None else str(value).strip()


def boolean(value):
    text = str(value or "").strip().lower()
    if text in ("", "no", "false", "0", "n"):
        return False
    if text in ("yes", "true", "1", "y", "x"):
        return True
    raise ValueError(text)


def checking(rows, progress=None):
    """``(line, row)`` for each row (line 2 is the first under the header), reporting
    ``progress(checked=n)`` every CHECK_BATCH rows and once at the end."""
    for index, row in enumerate(rows):
        if progress is not None and index and index % CHECK_BATCH == 0:
            progress(checked=index)
        yield index + 2, row
    if progress is not None:
        progress(checked=len(rows))


# --- Columns ------------------------------------------------------------------------------------


def import_form_class(register):
    """The form a row is checked with: the register's ``import_form_class`` when it declares one (the
    alliance members name their organisation by name and country), else its create form plus the
    end-of-life date (``cancelled_on``…) when the export writes it: an ended record is imported as it
    was exported, and the model's ``clean`` checks the status and its date agree (as a correction does)."""
    if register.import_form_class:
        return register.import_form_class
    form_class = register.form_class
    end_field = register.end_field
    if not end_field or end_field in form_class.base_fields:
        return form_class
    meta = type("Meta", (form_class.Meta,), {"fields": [*form_class._meta.fields, end_field]})
    return type(f"Import{form_class.__name__}", (form_class,), {"Meta": meta})


def _column_field(spec, header, form_fields):
    """``(form field name, attribute)`` of an export column the import form takes, else None.

    A column is taken when its path names a form field, or when its header does and its path
    goes through that field: ``("region", "region__code")`` sets the form's ``region``, found by
    ``code`` (the attribute is None when the record is found by its ``str()``)."""
    if not isinstance(spec, str) or spec == "version":
        return None
    if spec in form_fields:
        return spec, None
    if header in form_fields:
        prefix = f"{header}__"
        attribute = spec[len(prefix):] if spec.startswith(prefix) else None
        return header, attribute if attribute and "__" not in attribute else None
    return None


def columns(register):
    """``{header: form field name}``: the export's columns the register's import form takes."""
    form_fields = import_form_class(register).base_fields
    taken = ((header, _column_field(spec, header, form_fields)) for header, spec in register.export_columns())
    return {header: found[0] for header, found in taken if found}


def _lookups(register):
    """``{form field name: attribute}``: the relations found by an attribute rather than by ``str()``."""
    form_fields = import_form_class(register).base_fields
    taken = (_column_field(spec, header, form_fields) for header, spec in register.export_columns())
    return {found[0]: found[1] for found in taken if found and found[1]}


def _header_key(text):
    """A header as ``_rows_from`` keys it: lower case, spaces as underscores."""
    return str(text).lower().replace(" ", "_")


def header_codes(register):
    """``{header as read: column code}``: the export's column labels (its CSV's human variants,
    ``Register.export_labels``) in the reader's language, in English and in the other languages."""
    codes = [header for header, _ in register.export_columns()]
    found = {_header_key(code): code for code in codes}
    languages = [translation.get_language() or settings.LANGUAGE_CODE, "en",
                 *(code for code, _ in settings.LANGUAGES)]
    for language in dict.fromkeys(languages):
        with translation.override(language):
            for code, label in register.export_labels().items():
                found.setdefault(_header_key(label), code)
    return found


def with_codes(register, rows):
    """``rows`` keyed by the export's column codes: a file whose header line has the export's labels
    (a CSV exported for people, in any language) reads as one with its codes. Other headers stay as
    they are (``check_headers`` names them)."""
    keys = set().union(*(row.keys() for row in rows)) if rows else set()
    codes = header_codes(register)
    renamed = {key: codes[key] for key in keys if key in codes and codes[key] != key}
    if not renamed:
        return rows
    return [{renamed.get(key, key): value for key, value in row.items()} for row in rows]


def check_headers(register, rows):
    """Refuse a file whose headers are not the export's (another register's file, a typo)."""
    expected = [header for header, _ in register.export_columns()]
    known = {h.lower().replace(" ", "_") for h in expected}
    found = set().union(*(row.keys() for row in rows))
    unknown = sorted(found - known)
    form_fields = import_form_class(register).base_fields
    missing = sorted(header for header, name in columns(register).items()
                     if form_fields[name].required and header not in found)
    problems = []
    if unknown:
        problems.append(gettext("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
    if missing:
        problems.append(gettext("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if problems:
        raise BadHeaders(gettext("The header line is not that of the %(register)s export (%(problems)s). "
                                 "Expected: %(expected)s.") % {
            "register": register.plural.lower(), "problems": "; ".join(problems), "expected": ", ".join(expected)},
            code="headers")


# --- Cells ----------------------------------------------------------------------------------------


def _unneutralise(text):
    """The text the export neutralised (``'=…`` → ``=…``; see ``exports.neutralise``)."""
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def _split(text):
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


def _related_model(form_field):
    return form_field.queryset.model


def _candidates(model, texts):
    """A condition finding the records whose ``str()`` may be one of ``texts``."""
    hook = getattr(model, "import_candidates", None)
    if hook is not None:
        return hook(texts)
    for name in ("name", "title", "code"):
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return models.Q(**{f"{name}__in": texts})
    return models.Q(pk__in=[])


def resolve(model, texts, attribute=None):
    """``{text: [pk, …]}``: the records of ``model`` whose name (``str()``), or whose ``attribute``
    when given, is each text."""
    found = defaultdict(list)
    texts = sorted(set(texts))
    wanted = set(texts)
    for start in range(0, len(texts), LOOKUP_CHUNK):
        chunk = texts[start:start + LOOKUP_CHUNK]
        condition = models.Q(**{f"{attribute}__in": chunk}) if attribute else _candidates(model, chunk)
        for obj in model._default_manager.filter(condition).order_by("pk"):
            label = str(getattr(obj, attribute) if attribute else obj)
            if label in wanted and obj.pk not in found[label]:
                found[label].append(obj.pk)
    return found


def _takes_one_choice(form_field):
    return isinstance(form_field, forms.ChoiceField) and not isinstance(
        form_field, forms.ModelChoiceField | forms.MultipleChoiceField)


def choice_values(form_field):
    """``{label: stored value}`` of a choice field's options, by their labels in English and in the
    reader's language (casefolded): a cell may name a country or a kind as people write it ("Italy",
    "VET provider") as well as by the value the export writes ("IT", "vet"), which the form checks."""
    labels = {}
    for language in dict.fromkeys(["en", translation.get_language() or "en"]):
        with translation.override(language):
            for value, label in form_field.choices:
                if isinstance(label, list | tuple):  # a group of options
                    labels.update((str(inner).casefold(), key) for key, inner in label)
                elif value not in ("", None):
                    labels[str(label).casefold()] = value
    # A stored value is itself, whatever label it might resemble.
    for value, label in form_field.choices:
        if value not in ("", None) and not isinstance(label, list | tuple):
            labels[str(value).casefold()] = labels[str(value)] = value
    return labels


class Rows:
    """The file's rows turned into form data, with the relations found once for the whole file."""

    def __init__(self, register, rows):
        self.register = register
        self.rows = rows
        self.form_class = import_form_class(register)
        self.columns = columns(register)
        fields = self.form_class.base_fields
        texts = defaultdict(set)
        for row in rows:
            for header, name in self.columns.items():
                form_field = fields[name]
                if isinstance(form_field, forms.ModelChoiceField):
                    text = _unneutralise(cell_text(row, header))
                    parts = _split(text) if isinstance(form_field, forms.ModelMultipleChoiceField) else [text]
                    texts[name].update(p for p in parts if p)
        lookups = _lookups(register)
        self.found = {name: resolve(_related_model(fields[name]), values, lookups.get(name))
                      for name, values in texts.items()}
        self.choice_values = {name: choice_values(fields[name]) for name in self.columns.values()
                              if _takes_one_choice(fields[name])}
        # Model fields holding a list (ESCO skills) that the form edits as text, one value a line.
        self.list_fields = set()
        for name in self.columns.values():
            try:
                if isinstance(register.model._meta.get_field(name), models.JSONField):
                    self.list_fields.add(name)
            except FieldDoesNotExist:
                continue

    def data(self, row):
        """``(data, errors)``: the form's data of ``row`` and the errors of cells it cannot take."""
        fields = self.form_class.base_fields
        data, errors = {}, []
        for header, name in self.columns.items():
            if header not in row:
                continue
            form_field = fields[name]
            text = _unneutralise(cell_text(row, header))
            if isinstance(form_field, forms.ModelChoiceField):
                many = isinstance(form_field, forms.ModelMultipleChoiceField)
                pks = []
                for part in (_split(text) if many else [text] if text else []):
                    matches = self.found[name].get(part, [])
                    label = _related_model(form_field)._meta.verbose_name
                    if not matches:
                        errors.append(f"{header}: " + gettext("no %(kind)s named “%(name)s”.") % {
                            "kind": label, "name": part})
                    elif len(matches) > 1:
                        errors.append(f"{header}: " + gettext("%(count)s records are named “%(name)s”; "
                                                              "rename one first.") % {
                            "count": len(matches), "name": part})
                    else:
                        pks.append(matches[0])
                data[name] = pks if many else (pks[0] if pks else "")
            elif isinstance(form_field, forms.BooleanField):
                try:
                    data[name] = boolean(text)
                except ValueError:
                    errors.append(f"{header}: " + gettext("“%(value)s” is not yes or no.") % {"value": text})
            elif isinstance(form_field, forms.MultipleChoiceField):
                data[name] = _split(text)
            elif name in self.choice_values:
                values = self.choice_values[name]
                data[name] = values[text] if text in values else values.get(text.casefold(), text)
            elif name in self.list_fields and not isinstance(form_field, forms.JSONField):
                data[name] = "\n".join(_split(text))
            elif isinstance(form_field, forms.DecimalField | forms.FloatField) and DECIMAL_COMMA.fullmatch(text):
                data[name] = text.replace(",", ".")  # a CSV written with decimal commas (``registers.csvformat``)
            else:
                data[name] = text
        return data, errors

    def ending(self, data):
        """The end of life a row asks for, ``(status, date text)``, or None; taken out of ``data``.

        A model may refuse to create a record in its end status (a retired skill gap must have
        been validated: ``end_of_life_errors``): such a row is created in ``counted_status`` and
        then ended through the register's status form, as a manager would.
        """
        register = self.register
        if not (register.counted_status and register.status_form_class and data.get("status") == register.end_status):
            return None
        data["status"] = register.counted_status
        return register.end_status, data.pop(register.end_field, "")

    def form(self, row, user):
        """``(form, errors, ending)``: the row's bound and validated form, every error of the row, and
        the end of life to apply after the record is created (see ``ending``)."""
        data, errors = self.data(row)
        ending = self.ending(data)
        form = self.form_class(data, user=user)
        if form.is_valid() and submits(self.register, user):
            owner = submissions.owner_error(form.instance, user, form.m2m_values())
            if owner:
                errors.append(owner)
        for name, field_errors in form.errors.items():
            header = next((h for h, n in self.columns.items() if n == name), name)
            if any(e.startswith(f"{header}: ") for e in errors):
                continue  # the cell's own error says more than "required"
            for message in field_errors:
                errors.append(message if name == "__all__" else f"{header}: {message}")
        return form, errors, ending


def submits(register, user):
    """Whether ``user``'s import is a partner editor's: every row must be its organisation's record, and
    each record is submitted for a coordinator's validation (``registers.submissions``)."""
    return submissions.submits(user) and submissions.is_validated(register.model)


def _label(register, row):
    """The row's name in the preview: its name, title or code, else its first column (a member's organisation)."""
    for key in ("name", "title", "code"):
        if row.get(key):
            return str(row[key])
    columns = register.export_columns()
    return str(row.get(columns[0][0]) or "") if columns else ""


def _entry(register, line, row, errors):
    return {"line": line, "values": {"name": _label(register, row)}, "errors": errors}


# --- Preview and import --------------------------------------------------------------------------


def validate_rows(register, rows, *, user, progress=None):
    """Check every row against the register's form without writing; ``[{"line", "values", "errors"}]``."""
    rows = with_codes(register, rows)
    table = Rows(register, rows)
    return [_entry(register, line, row, table.form(row, user)[1]) for line, row in checking(rows, progress)]


def _messages(error):
    if hasattr(error, "error_dict"):
        return [message if name == "__all__" else f"{name}: {message}"
                for name, field_errors in error.message_dict.items() for message in field_errors]
    return list(error.messages)


def import_rows(register, rows, *, user, progress=None):
    """Write every row through the register's ``create`` hook in one transaction, or none; return how many.

    Each row is validated again (the database may have changed since the preview) and
    saved in turn, so a row that clashes with an earlier row of the same file is refused
    too. When a row fails the others are still checked, then everything is rolled back
    and ``ImportRefused`` lists the rows' errors.
    """
    create, end_update = register.saving_hooks()
    submitted = submits(register, user)
    rows = with_codes(register, rows)
    table = Rows(register, rows)
    preview = []
    try:
        with contextlib.ExitStack() as stack:
            for around in AROUND_IMPORT:
                stack.enter_context(around())
            stack.enter_context(transaction.atomic())
            failed = False
            for line, row in checking(rows):
                form, errors, ending = table.form(row, user)
                if progress is not None:  # each row is checked, then saved: "checked" never trails "done"
                    progress(checked=len(preview) + 1)
                if not errors and not failed:
                    try:
                        with transaction.atomic():  # a savepoint: a refused row leaves the transaction usable
                            if submitted:  # its organisation's record, waiting for validation
                                submissions.prepare_write(form.instance, user, form.m2m_values())
                            obj = create(form, user)
                            if ending:
                                errors = _end(register, obj, ending, user, end_update)
                                if errors:
                                    raise _Refused
                            if submitted:
                                submissions.submit_new(obj, register.key, user)
                    except _Refused:
                        pass
                    except ValidationError as error:
                        errors = _messages(error)
                    except IntegrityError:
                        errors = [gettext("This row clashes with a record saved meanwhile.")]
                    if progress is not None:
                        progress(done=len(preview) + 1)
                failed = failed or bool(errors)
                preview.append(_entry(register, line, row, errors))
            if failed:
                raise ImportRefused(preview)
            generations.bump_on_commit(register.model)
    except IntegrityError:
        raise ValidationError(gettext("Nothing was imported: the registers changed meanwhile. "
                                      "Upload the file again.")) from None
    return len(preview)


class _Refused(Exception):
    """Roll back the row's savepoint: its errors are listed already."""


def _end(register, obj, ending, user, update):
    """End ``obj`` (just created) through the register's status form and ``update`` hook; return the
    form's errors."""
    status, end_date = ending
    form_class = register.status_form_class
    data = {name: value for name, value in forms.model_to_dict(obj, fields=form_class._meta.fields).items()
            if value is not None}  # the status form's other fields (``published_on``…) keep their values
    data.update({"status": status, register.end_field: end_date})
    form = form_class(data, instance=obj, user=user)
    if not form.is_valid():
        return [message if name == "__all__" else f"{name}: {message}"
                for name, field_errors in form.errors.items() for message in field_errors]
    update(form, user, form.expected_version())
    return []


# --- As a job (large files) ----------------------------------------------------------------------


def import_job_run(register, job):
    """The worker's side of a large import: all rows or none, with progress; the outcome on the job."""
    with job.file.open("rb") as file:
        _kind, rows = stash.read_stash(file)
    progress = jobs.Progress(job)
    progress(total=len(rows))
    if not (job.user.is_active and register.may_write(job.user)):
        jobs.job_fail(job=job, message=gettext_noop("Your role no longer allows this import."))
    else:
        try:
            count = import_rows(register, rows, user=job.user, progress=progress)
        except ImportRefused as refused:
            progress.flush()
            bad = sum(1 for p in refused.preview if p["errors"])
            jobs.job_fail(job=job, preview=refused.preview, message_args={"bad": bad, "total": len(rows)},
                          message=gettext_noop("Nothing was imported: %(bad)s of %(total)s rows have errors."))
        except ValidationError as error:
            jobs.job_fail(job=job, message=" ".join(error.messages))
        else:
            progress.flush()
            jobs.job_finish(job=job, message=gettext_noop("Imported %(count)s rows."), message_args={"count": count})
    job.file.delete(save=True)
    return job.status


# --- The page --------------------------------------------------------------------------------------

PREVIEW_GOOD_ROWS = 50


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_noop("File"),
        help_text=gettext_noop("A .csv (UTF-8) or .xlsx file with the header line of this register's export."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = gettext(self.fields["file"].label)
        self.fields["file"].help_text = gettext(self.fields["file"].help_text)


def _preview_context(preview):
    bad = [p for p in preview if p["errors"]]
    good = [p for p in preview if not p["errors"]]
    return {"previewed": True, "total": len(preview), "bad_rows": bad, "good_rows": good[:PREVIEW_GOOD_ROWS],
            "more_good": max(len(good) - PREVIEW_GOOD_ROWS, 0)}


def _preview_upload(register, rows, *, user, key):
    """The preview of an uploaded file's rows, with the token to confirm them when none is wrong."""
    if len(rows) > settings.REGISTER_IMPORT_ASYNC_ROWS:
        # Checking each row through the form costs a few queries: a larger file is checked by the
        # job that imports it (its page shows the rows checked, then the errors or the result).
        return {"previewed": True, "deferred": True, "total": len(rows),
                "token": stash.stash_rows(kind=key, rows=rows, user=user)}
    context = _preview_context(validate_rows(register, rows, user=user))
    if not context["bad_rows"]:
        context["token"] = stash.stash_rows(kind=key, rows=rows, user=user)
    return context


def import_page(register, request):
    """Upload, preview every row with its errors, confirm: all rows or none (the view; access checked by
    ``Register.import_view``). A file of more than REGISTER_IMPORT_ASYNC_ROWS rows is checked and written
    by a job."""
    key = f"{register.namespace}:{register.name}"
    form = UploadForm()
    # The columns as the reader's CSV names them (the import reads these labels, or the codes).
    labels = register.export_labels()
    context = {"form": form, "columns": [labels[h] for h, _ in register.export_columns()]}
    if request.method == "POST" and request.POST.get("token"):
        try:
            kind, rows, claimed = stash.claim_rows(token=request.POST["token"], user=request.user)
            if kind != key:
                stash.release_rows(claimed)
                raise ValidationError(gettext("The preview has expired; upload the file again."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return register.render(request, "import", context)
        if len(rows) > settings.REGISTER_IMPORT_ASYNC_ROWS:
            job = jobs.job_start(kind=Job.Kind.IMPORT, subject=key, title=register.plural, user=request.user,
                                 task=tasks.import_task, total=len(rows),
                                 file_name=stash.stash_file_name(claimed),
                                 params={"list_url": register.url("list"), "upload_url": register.url("import")})
            return HttpResponseRedirect(reverse("registers-job", args=[job.pk]))
        try:
            count = import_rows(register, rows, user=request.user)
        except ImportRefused as refused:
            stash.release_rows(claimed)
            messages.error(request, gettext("Nothing was imported: %(bad)s of %(total)s rows have errors.") % {
                "bad": sum(1 for p in refused.preview if p["errors"]), "total": len(rows)})
            return register.render(request, "import", {**context, **_preview_context(refused.preview)})
        except ValidationError as error:
            stash.release_rows(claimed)
            messages.error(request, " ".join(error.messages))
            return register.render(request, "import", context)
        claimed.unlink(missing_ok=True)
        messages.success(request, gettext("Imported %(count)s rows into %(register)s.") % {
            "count": count, "register": register.plural.lower()})
        return HttpResponseRedirect(register.url("list"))
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                rows = with_codes(register, read_upload(form.cleaned_data["file"]))
                check_headers(register, rows)
            except UploadError as error:
                form.add_error("file", error.messages)
            else:
                context.update(_preview_upload(register, rows, user=request.user, key=key))
    return register.render(request, "import", context)


# --- Template ------------------------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_rows(register):
    """``(header, example)``: the export's header line and the register's ``import_example`` under it."""
    header = [h for h, _ in register.export_columns() if h not in IGNORED_HEADERS]
    example = register.import_example or {}
    return header, [example.get(h, "") for h in header]


def _help_texts(register):
    form_fields = import_form_class(register).base_fields
    return {header: str(form_fields[name].help_text) for header, name in columns(register).items()
            if form_fields[name].help_text}


def template_response(register, extension):
    """The file to fill in, CSV or XLSX (the view; access checked by ``Register.import_template_view``)."""
    header, example = template_rows(register)
    if extension == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([header, example] if any(example) else [header])
        content, content_type = out.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    elif extension == "xlsx":
        from openpyxl import Workbook
        from openpyxl.comments import Comment

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = register.plural[:31]
        sheet.append(header)
        if any(example):
            sheet.append(example)
        help_texts = _help_texts(register)
        for cell in sheet[1]:
            if cell.value in help_texts:
                cell.comment = Comment(help_texts[cell.value], "LCAMP Tracker")
        out = io.BytesIO()
        workbook.save(out)
        content, content_type = out.getvalue(), XLSX_TYPE
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="lcamp-{register.slug}-template.{extension}"'
    return response
