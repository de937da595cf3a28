"""Import of any register from the file its export writes: the same headers, the same cells.

Driven by the ``Register`` alone (registers imports no domain app): each row becomes the
register's ModelForm, so the form's and the model's rules are the one validation, and
is written through the register's ``create`` hook (the app's service: ``full_clean``,
history, many-to-many values, the outbox rows of the roll-up), all rows in one
transaction or none.

Cells are read as the export writes them (``registers.exports.cell``): dates ISO,
booleans yes/no, choices by their stored value, countries by code, a related record
by its name as ``str()`` writes it (an organisation "Name (ES)", a region "ES21 Name"),
many-to-many values and lists joined with ``"; "``. A related record is found by that
text, never by id: ids differ from one database to the next. A name that matches
several records is an error naming it (the model's ``import_candidates`` narrows the
search; see ``Organisation.import_candidates``).

The reading (``imports.read_upload``: size, content, rows counted while reading) and
the stash between preview and confirmation are those of ``registers.imports``.
"""

import contextlib
from collections import defaultdict

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from accounts import roles

from . import generations, imports, jobs, tasks
from .exports import FORMULA_STARTS
from .models import Job

SEPARATOR = ";"
LOOKUP_CHUNK = 500
# Context managers entered around a whole import, registered by the floors above (the
# indicators defer the roll-up to one drain at the end: ``IndicatorsConfig.ready``).
AROUND_IMPORT = []
IGNORED_HEADERS = {"id", "created_at", "updated_at"}


class BadHeaders(imports.UploadError):
    """The file's header line is not the export's."""


# --- Columns ------------------------------------------------------------------------------------


def import_form_class(register):
    """The register's create form, plus the end-of-life date (``cancelled_on``…) when the export
    writes it: an ended record is imported as it was exported, and the model's ``clean`` checks
    the status and its date agree (as a correction does)."""
    form_class = register.form_class
    end_field = register.end_field
    if not end_field or end_field in form_class.base_fields:
        return form_class
    meta = type("Meta", (form_class.Meta,), {"fields": [*form_class._meta.fields, end_field]})
    return type(f"Import{form_class.__name__}", (form_class,), {"Meta": meta})


def columns(register):
    """``{header: form field name}``: the export's columns the register's form takes."""
    form_fields = import_form_class(register).base_fields
    return {header: spec for header, spec in register.export_columns()
            if isinstance(spec, str) and spec in form_fields and spec != "version"}


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


def resolve(model, texts):
    """``{text: [pk, …]}``: the records of ``model`` whose name (``str()``) is each text."""
    found = defaultdict(list)
    texts = sorted(set(texts))
    wanted = set(texts)
    for start in range(0, len(texts), LOOKUP_CHUNK):
        chunk = texts[start:start + LOOKUP_CHUNK]
        for obj in model._default_manager.filter(_candidates(model, chunk)).order_by("pk"):
            label = str(obj)
            if label in wanted and obj.pk not in found[label]:
                found[label].append(obj.pk)
    return found


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
                    text = _unneutralise(imports.text(row, header))
                    parts = _split(text) if isinstance(form_field, forms.ModelMultipleChoiceField) else [text]
                    texts[name].update(p for p in parts if p)
        self.found = {name: resolve(_related_model(fields[name]), values) for name, values in texts.items()}
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
            text = _unneutralise(imports.text(row, header))
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
                    data[name] = imports.boolean(text)
                except ValueError:
                    errors.append(f"{header}: " + gettext("“%(value)s” is not yes or no.") % {"value": text})
            elif isinstance(form_field, forms.MultipleChoiceField):
                data[name] = _split(text)
            elif name in self.list_fields and not isinstance(form_field, forms.JSONField):
                data[name] = "\n".join(_split(text))
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
        form.is_valid()
        for name, field_errors in form.errors.items():
            header = next((h for h, n in self.columns.items() if n == name), name)
            if any(e.startswith(f"{header}: ") for e in errors):
                continue  # the cell's own error says more than "required"
            for message in field_errors:
                errors.append(message if name == "__all__" else f"{header}: {message}")
        return form, errors, ending


def _label(register, row):
    for key in ("name", "title", "code"):
        if row.get(key):
            return str(row[key])
    return ""


def _entry(register, line, row, errors):
    return {"line": line, "values": {"name": _label(register, row)}, "errors": errors}


# --- Preview and import --------------------------------------------------------------------------


def validate_rows(register, rows, *, user, progress=None):
    """Check every row against the register's form without writing; ``[{"line", "values", "errors"}]``."""
    table = Rows(register, rows)
    return [_entry(register, line, row, table.form(row, user)[1]) for line, row in imports.checking(rows, progress)]


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
    table = Rows(register, rows)
    preview = []
    try:
        with contextlib.ExitStack() as stack:
            for around in AROUND_IMPORT:
                stack.enter_context(around())
            stack.enter_context(transaction.atomic())
            failed = False
            for line, row in imports.checking(rows, progress):
                form, errors, ending = table.form(row, user)
                if not errors and not failed:
                    try:
                        with transaction.atomic():  # a savepoint: a refused row leaves the transaction usable
                            obj = create(form, user)
                            if ending:
                                errors = _end(register, obj, ending, user, end_update)
                                if errors:
                                    raise _Refused
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
                raise imports.ImportRefused(preview)
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
    with job.file.open("rb") as stash:
        _kind, rows = imports.read_stash(stash)
    progress = jobs.Progress(job)
    progress(total=len(rows))
    if not (job.user.is_active and _may_import(job.user)):
        jobs.job_fail(job=job, message=gettext_noop("Your role no longer allows this import."))
    else:
        try:
            count = import_rows(register, rows, user=job.user, progress=progress)
        except imports.ImportRefused as refused:
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


def _may_import(user):
    return roles.can_edit_registers(user)


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
                "token": imports.stash_rows(kind=key, rows=rows, user=user)}
    context = _preview_context(validate_rows(register, rows, user=user))
    if not context["bad_rows"]:
        context["token"] = imports.stash_rows(kind=key, rows=rows, user=user)
    return context


def import_page(register, request):
    """Upload, preview every row with its errors, confirm: all rows or none (the view; access checked by
    ``Register.import_view``). A file of more than REGISTER_IMPORT_ASYNC_ROWS rows is checked and written
    by a job."""
    key = f"{register.namespace}:{register.name}"
    form = UploadForm()
    context = {"form": form, "columns": [h for h, _ in register.export_columns()]}
    if request.method == "POST" and request.POST.get("token"):
        try:
            kind, rows, stash = imports.claim_rows(token=request.POST["token"], user=request.user)
            if kind != key:
                imports.release_rows(stash)
                raise ValidationError(gettext("The preview has expired; upload the file again."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return register.render(request, "import", context)
        if len(rows) > settings.REGISTER_IMPORT_ASYNC_ROWS:
            job = jobs.job_start(kind=Job.Kind.IMPORT, subject=key, title=register.plural, user=request.user,
                                 task=tasks.import_task, total=len(rows),
                                 file_name=imports.stash_file_name(stash),
                                 params={"list_url": register.url("list"), "upload_url": register.url("import")})
            return HttpResponseRedirect(reverse("registers-job", args=[job.pk]))
        try:
            count = import_rows(register, rows, user=request.user)
        except imports.ImportRefused as refused:
            imports.release_rows(stash)
            messages.error(request, gettext("Nothing was imported: %(bad)s of %(total)s rows have errors.") % {
                "bad": sum(1 for p in refused.preview if p["errors"]), "total": len(rows)})
            return register.render(request, "import", {**context, **_preview_context(refused.preview)})
        except ValidationError as error:
            imports.release_rows(stash)
            messages.error(request, " ".join(error.messages))
            return register.render(request, "import", context)
        stash.unlink(missing_ok=True)
        messages.success(request, gettext("Imported %(count)s rows into %(register)s.") % {
            "count": count, "register": register.plural.lower()})
        return HttpResponseRedirect(register.url("list"))
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                rows = imports.read_upload(form.cleaned_data["file"])
                check_headers(register, rows)
            except imports.UploadError as error:
                form.add_error("file", error.messages)
            else:
                context.update(_preview_upload(register, rows, user=request.user, key=key))
    return register.render(request, "import", context)
