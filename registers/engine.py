"""Generic machinery of the register pages: list, detail with history, create, edit, status change.

A ``Register`` describes one kind of record (its model, form, filters, columns) and
builds the five short function views and their URL patterns. Every app declares its
registers in its ``urls`` module; the views read and write only through the access
helpers and the services below, so the rules are the same for every register:

- managers (and admins) edit; EARLALL staff read everything and edit nothing (403 on
  forms); partners and users without a role see no register (403); anonymous users
  are sent to the login page;
- a record is never hard-deleted here: records an indicator counts change status
  (withdraw, retire, close, cancel); only an admin deletes, in the admin site;
- edits are optimistically locked on ``TrackedModel.version`` (``record_save``).
"""

import datetime
import functools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.forms.utils import flatatt
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import select_template
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import roles

from . import exports, importing, pagecache, registry
from .counting import EstimatedCountPaginator
from .pickers import use_pickers
from .search import search_condition, search_lookups

PAGE_SIZE = 50
REGISTER_PAGES = registry.REGISTER_PAGES  # URL name prefix with namespace -> Register, in the order declared


def _translated(model, name):
    return search_lookups(model, name) != [name]


def order_terms(model, sort):
    """``order_by`` arguments sorting by ``sort`` (a field name, ``-`` first for descending), then
    the primary key the same way, so one ``(column, id)`` index serves both directions.

    A field translated with django-modeltranslation sorts by its own column (the default
    language's text, indexed): modeltranslation would sort by the reader's language column,
    unindexed and mostly empty, sorting the whole table for each page.
    """
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    term = sort
    if "__" not in name and _translated(model, name):
        term = F(name).desc() if descending else F(name).asc()
    return [term, "-pk" if descending else "pk"]


# --- Access ---------------------------------------------------------------------------


def check_access(request, *, edit=False):
    """Return a redirect to the login page for anonymous users; raise 403 for users without the right."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    allowed = roles.can_edit_registers(request.user) if edit else roles.can_view_registers(request.user)
    if not allowed:
        raise PermissionDenied(gettext("Your role does not allow this."))
    return None


def safe_next(request):
    """The ``next`` URL of the request when it is local to this site, else None."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return None


# --- Optimistic locking and history ----------------------------------------------------


class StaleEdit(ValidationError):
    """The record changed since the form was read. ``changes`` lists what changed since."""

    def __init__(self, instance, changes, current_version):
        self.changes = changes
        self.current_version = current_version
        names = ", ".join(sorted({c["field"] for c in changes})) or "the record"
        super().__init__(
            f"Somebody else saved this {instance._meta.verbose_name} while you were editing it "
            f"(changed: {names}). Your input is kept below: check the changes, then save again to apply yours."
        )


def _save_or_refuse_clash(instance):
    """Save; a unique constraint that a concurrent save won meanwhile becomes a ValidationError.

    ``full_clean`` checked the constraints a moment before, but two requests can pass
    that check together; the database then refuses the second insert, and the user gets
    the same clear message instead of an error page.
    """
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        instance.full_clean()  # names the field when the clash is now visible
        raise ValidationError(
            gettext("This %(kind)s clashes with one saved at the same moment; check the existing records and "
                    "try again.") % {"kind": instance._meta.verbose_name}) from error


@transaction.atomic
def record_create(*, instance, user=None, m2m=None):
    """Validate with ``full_clean`` and save a new record (version 1) with its many-to-many values.

    ``m2m`` maps a many-to-many field name to the objects to set.
    """
    instance.full_clean()
    instance._history_user = user
    _save_or_refuse_clash(instance)
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    return instance


def current_version(instance):
    """The version a form carries: ``version`` of a TrackedModel, else the id of the latest history row."""
    if hasattr(instance, "version"):
        return instance.version
    latest = instance.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return latest or 0


@transaction.atomic
def record_save(*, instance, expected_version, user=None, m2m=None, validate=True):
    """Save an edited record unless somebody saved it after ``expected_version`` was read.

    For a TrackedModel the check and the version bump are one
    ``UPDATE ... WHERE pk = %s AND version = %s``: PostgreSQL locks the row, so of two
    concurrent saves of the same version exactly one updates a row and the other finds
    none and is refused with ``StaleEdit`` (listing what changed since); nothing is
    overwritten silently. A model without ``version`` (Region) is locked with
    SELECT ... FOR UPDATE and compared on its latest history row. ``instance`` carries
    the new values.
    """
    model = type(instance)
    if validate:
        instance.full_clean()
    if hasattr(instance, "version"):
        updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
            version=expected_version + 1)
        current = None
        if not updated:
            current = model._default_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
    else:
        locked = model._default_manager.select_for_update().filter(pk=instance.pk).exists()
        current = current_version(instance) if locked else None
        updated = locked and current == expected_version
    if not updated:
        if current is None:
            raise ValidationError(gettext("This %(kind)s no longer exists.") % {"kind": model._meta.verbose_name})
        raise StaleEdit(instance, changes_since(instance, expected_version), current)
    if hasattr(instance, "version"):
        instance.version = expected_version + 1
    instance._history_user = user
    _save_or_refuse_clash(instance)
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    return instance


def changes_since(instance, version):
    """What changed in ``instance`` after ``version``: a list of history changes (see ``history_entries``)."""
    entries = history_entries(instance)
    if not hasattr(instance, "version"):
        return [c for e in entries if e["history_id"] > version for c in e["changes"]]
    read_at = [e for e in entries if e["version"] is not None and e["version"] <= version]
    if not read_at:
        return [c for e in entries for c in e["changes"]]
    cutoff = read_at[0]["history_id"]
    return [c for e in entries if e["history_id"] > cutoff for c in e["changes"]]


def _label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field removed since
        return name


def _display(model, name, value):
    """A history value as a person reads it: choices by label, related objects by name, dates ISO."""
    if value in (None, ""):
        return "—"
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001
        return str(value)
    if model_field.many_to_many:
        related = model_field.related_model
        key = model_field.m2m_reverse_field_name()
        ids = [getattr(row.get(key), "pk", row.get(key)) for row in value if isinstance(row, dict)]
        names = [str(o) for o in related._default_manager.filter(pk__in=ids)]
        return ", ".join(sorted(names)) or "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return str(value)


def history_entries(instance, limit=None):
    """The change history of ``instance``, newest first.

    Each entry: ``{"history_id", "when", "who", "kind" ("created"/"changed"/"corrected"/"deleted"),
    "version", "changes": [{"field", "label", "old", "new"}], "reason"}`` (the reason of a correction).
    """
    model = type(instance)
    records = list(instance.history.select_related("history_user").order_by("history_id"))
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, foreign_keys_are_objs=True)
            for change in delta.changes:
                changes.append({
                    "field": change.field,
                    "label": _label(model, change.field),
                    "old": _display(model, change.field, change.old),
                    "new": _display(model, change.field, change.new),
                })
        kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
        reason = getattr(record, "history_change_reason", None) or ""
        if reason and kind == "changed":
            kind = "corrected"
        if kind in ("created", "deleted", "corrected") or changes:
            entries.append({
                "history_id": record.history_id,
                "when": record.history_date,
                "who": record.history_user,
                "kind": kind,
                "version": getattr(record, "version", None),
                "changes": changes,
                "reason": reason,
            })
        previous = record
    entries.reverse()
    return entries[:limit] if limit else entries


def add_errors(form, error):
    """Put a service's ValidationError on the form's fields (or on the form when not a field)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _is_many(model, name):
    try:
        return model._meta.get_field(name).many_to_many
    except FieldDoesNotExist:
        return False


def lookup_crosses_to_many(model, lookup):
    """Whether the ORM ``lookup`` (``organisation__memberships__joined_on``) follows a to-many relation."""
    opts = model._meta
    for part in lookup.split("__"):
        try:
            model_field = opts.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup such as icontains: the path ends here
        if not model_field.is_relation:
            return False
        if model_field.many_to_many or model_field.one_to_many:
            return True
        opts = model_field.related_model._meta
    return False


# --- Forms -------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FastSelect(forms.Select):
    """A ``<select>`` whose options are joined in Python.

    Django renders every option through a template (~0.1 ms each): a country filter
    of 250 options cost more than the rest of a register list page. Same markup, same
    attributes; grouped choices fall back to Django's rendering.
    """

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        selected = self.format_value(value)
        selected = {str(v) for v in ([selected] if isinstance(selected, str) else selected or ())}
        chosen = mark_safe(" selected")  # noqa: S308 - a constant

        def text(option):
            return "" if option is None else str(option)

        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (text(option), chosen if text(option) in selected else "", label) for option, label in choices))
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False


_FAST_WIDGETS = {forms.Select: FastSelect, forms.SelectMultiple: FastSelectMultiple}


def decorate_widgets(form, *, filters=False):
    """Date pickers for dates, search pickers for records with a ``Picker`` (organisations,
    observatories…), the searchable select for other related objects and countries."""
    use_pickers(form, search_all=filters)
    for form_field in form.fields.values():
        widget = form_field.widget
        if type(widget) in _FAST_WIDGETS:
            widget.__class__ = _FAST_WIDGETS[type(widget)]
        if isinstance(form_field, forms.DateField) and not isinstance(widget, forms.HiddenInput):
            form_field.widget = DateInput(attrs=widget.attrs)
        elif isinstance(widget, forms.Select) and (
            isinstance(form_field, forms.ModelChoiceField) or len(list(getattr(form_field, "choices", ()))) > 15
        ):
            widget.attrs["data-searchable"] = "1"
        if form_field.required and not isinstance(widget, (forms.CheckboxInput, forms.HiddenInput)):
            widget.attrs.setdefault("required", True)


class RegisterForm(forms.ModelForm):
    """A ModelForm with the hidden version the record was read at (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = current_version(self.instance)
        decorate_widgets(self)

    def expected_version(self):
        value = self.cleaned_data.get("version")
        return current_version(self.instance) if value is None else value

    def m2m_values(self):
        return {f.name: self.cleaned_data[f.name] for f in self._meta.model._meta.many_to_many
                if f.name in self.cleaned_data}


class StatusChangeForm(RegisterForm):
    """A status change with its date in the world: retire, cancel, close.

    ``end_status`` is the status that ends the record's life and ``end_field`` the date field
    that holds when (``retired_on``, ``cancelled_on``, ``closed_on``). The date defaults to
    today and may not be in the future (the field's validators). A record already ended
    keeps its status and date here: reinstating it, or moving the date of its end, rewrites
    history, which is a correction ("Correct this record", with a reason).
    """

    end_status = ""
    end_field = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_status = self.instance.status
        self.saved_end = getattr(self.instance, self.end_field)
        end = self.fields[self.end_field]
        end.required = False
        end.widget.attrs.pop("required", None)
        end.help_text = gettext("The day of the change, today unless it happened earlier; not in the future. "
                                "Used only when the status becomes %(status)s.") % {"status": self._end_label()}
        if not self.is_bound and self.saved_end is None:
            self.initial[self.end_field] = timezone.localdate()

    def _end_label(self):
        return str(dict(self.instance._meta.get_field("status").flatchoices).get(self.end_status,
                                                                                  self.end_status)).lower()

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status is None:
            return cleaned
        correction = gettext("This changes the past: if the record was wrong, use “Correct this record” and give "
                             "the reason.")
        if self.saved_status == self.end_status:
            if status != self.end_status:
                self.add_error("status", gettext("This %(kind)s is %(status)s since %(date)s.")
                               % {"kind": self.instance._meta.verbose_name, "status": self._end_label(),
                                  "date": date_format(self.saved_end)} + " " + correction)
            elif cleaned.get(self.end_field) not in (None, self.saved_end):
                self.add_error(self.end_field, correction)
            cleaned[self.end_field] = self.saved_end
        elif status == self.end_status:
            if cleaned.get(self.end_field) is None and self.end_field not in self.errors:
                cleaned[self.end_field] = timezone.localdate()
        else:
            cleaned[self.end_field] = None
        return cleaned


class CorrectionForm(forms.Form):
    """Mixed into a register's edit form to make it a correction: a required reason, kept in the history."""

    reason = forms.CharField(
        label=_("Reason for the correction"), max_length=100, widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("Why the record was wrong (kept in its history), e.g. “retired by mistake”, "
                  "“the start date was mistyped”."))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(gettext("Give the reason for the correction."))
        return reason


def correction_form_class(form_class, extra_fields=()):
    """``form_class`` (an edit form) with ``extra_fields`` (the end-of-life date) and a required reason."""
    fields = [*form_class._meta.fields, *(f for f in extra_fields if f not in form_class._meta.fields)]
    meta = type("Meta", (form_class.Meta,), {"fields": fields})
    return type(f"Correct{form_class.__name__}", (CorrectionForm, form_class), {"Meta": meta})


def limit_status_choices(form, end_status):
    """Plain edits cannot end a record (that is a status change, with its date) nor reinstate one."""
    status = form.fields.get("status")
    if status is None or not end_status:
        return
    if form.instance.pk and form.instance.status == end_status:
        status.disabled = True
        status.help_text = gettext("Ended records are reinstated by a correction (“Correct this record”).")
    else:
        status.choices = [(value, label) for value, label in status.choices if value != end_status]


# --- Registers -----------------------------------------------------------------------------


def _choice_labels(model, name):
    """``{value: label}`` of a field with choices, in the active language."""
    return _choice_labels_in(model, name, translation.get_language())


@functools.cache
def _choice_labels_in(model, name, language):
    """``{value: label}`` of a field with choices, built once per field and language (Django's
    ``get_FOO_display`` rebuilds it on every call: 250 countries for each cell of a list)."""
    try:
        model_field = model._meta.get_field(name)
    except (FieldDoesNotExist, AttributeError):
        return None
    if not getattr(model_field, "choices", None):
        return None
    return {key: str(label) for key, label in model_field.flatchoices}


@dataclass
class Column:
    label: str
    value: object  # attribute name or callable(obj)
    sort: str = ""
    numeric: bool = False

    def render(self, obj):
        if callable(self.value):
            return self.value(obj)
        value = obj
        for part in self.value.split("__"):
            labels = _choice_labels(type(value), part)
            value = getattr(value, part, None)
            if value is None:
                return "—"
            if labels is not None:
                value = labels.get(getattr(value, "code", value), value)
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if hasattr(value, "name") and hasattr(value, "code") and type(value).__name__ == "Country":
            return value.name
        return value


@dataclass
class Register:
    """One register: the model, its form and filters, and how its pages look.

    ``create``/``update`` are hooks ``(form, user) -> instance`` and
    ``(form, user, expected_version) -> instance`` calling the app's services; by
    default they call ``record_create``/``record_save``.
    """

    model: type
    name: str  # URL name prefix, e.g. "member"
    slug: str  # URL path segment, e.g. "alliance-members"
    namespace: str
    form_class: type
    columns: list
    filterset_class: type = None
    search_fields: tuple = ()
    default_sort: str = ""
    detail_fields: tuple = ()
    edit_form_class: type = None
    status_form_class: type = None
    status_url_name: str = "status"
    status_title: str = "Change status"
    status_help: str = ""
    # The status that ends a record's life and the field with its date ("retired", "retired_on"):
    # plain edits cannot set it; a correction (with a reason) may change it.
    end_status: str = ""
    end_field: str = ""
    select_related: tuple = ()
    title_plural: str = ""
    empty_help: str = ""
    create: object = None
    update: object = None
    status_update: object = None
    create_initial: object = None  # callable(request) -> dict
    extra_links: list = field(default_factory=list)
    template_dir: str = ""  # templates looked up first as <template_dir>/<kind>.html
    export_fields: tuple = ()  # names/paths or (header, path or callable(obj)); default: the model's fields
    # callable() -> bool: whether a record can be added now (e.g. a report needs a reported
    # indicator); when not, the registers index offers the extra links instead of "Add".
    can_create: object = None
    # Managers import the file the export writes (``registers.importing``), each row through
    # ``import_form_class`` (by default the create form) and the ``create`` hook; the template
    # to download holds the export's header line and ``import_example`` ({header: cell}).
    importable: bool = False
    import_form_class: type = None
    import_example: dict = None
    # The status a record holds before it ends, when the model refuses to create one ended (a
    # skill gap is validated before it is retired): an ended row is imported in this status, then
    # ended through ``status_form_class``.
    counted_status: str = ""

    def __post_init__(self):
        REGISTER_PAGES[f"{self.namespace}:{self.name}"] = self

    # Names and URLs.
    @property
    def verbose_name(self):
        return str(self.model._meta.verbose_name)

    @property
    def plural(self):
        return self.title_plural or str(self.model._meta.verbose_name_plural).capitalize()

    def creatable(self):
        return self.can_create() if self.can_create else True

    def url_name(self, action):
        return f"{self.namespace}:{self.name}-{action}"

    def url(self, action, pk=None):
        return reverse(self.url_name(action), args=[pk] if pk is not None else [])

    def urlpatterns(self):
        base = f"registers/{self.slug}/"
        patterns = [
            path(base, self.list_view, name=f"{self.name}-list"),
            path(f"{base}new/", self.create_view, name=f"{self.name}-create"),
            path(f"{base}export.csv", self.export_view, {"extension": "csv"}, name=f"{self.name}-export-csv"),
            path(f"{base}export.xlsx", self.export_view, {"extension": "xlsx"}, name=f"{self.name}-export-xlsx"),
            path(f"{base}<int:pk>/", self.detail_view, name=f"{self.name}-detail"),
            path(f"{base}<int:pk>/edit/", self.edit_view, name=f"{self.name}-edit"),
        ]
        if self.status_form_class:
            patterns.append(path(f"{base}<int:pk>/{self.status_url_name}/", self.status_view,
                                 name=f"{self.name}-{self.status_url_name}"))
        patterns.append(path(f"{base}<int:pk>/correct/", self.correct_view, name=f"{self.name}-correct"))
        if self.importable:
            patterns.append(path(f"{base}import/", self.import_view, name=f"{self.name}-import"))
            patterns.append(path(f"{base}import/template.<str:extension>", self.import_template_view,
                                 name=f"{self.name}-import-template"))
        return patterns

    def import_link(self):
        """The URL of this register's import page, or "" when it has none."""
        return self.url("import") if self.importable else ""

    def import_view(self, request):
        """Import the file the export writes (managers only): preview, then all rows or none."""
        denied = check_access(request, edit=True)
        if denied:
            return denied
        return importing.import_page(self, request)

    def import_template_view(self, request, extension):
        """The file to fill in for an import, CSV or XLSX (managers only)."""
        denied = check_access(request, edit=True)
        if denied:
            return denied
        return importing.template_response(self, extension)

    def saving_hooks(self):
        """``(create, status_update)``: the hooks an import saves through (the defaults when unset)."""
        return self.create or _default_create, self.status_update or _default_update

    def import_job_run(self, job):
        return importing.import_job_run(self, job)

    def templates(self, kind):
        app, model_name = self.model._meta.app_label, self.model._meta.model_name
        names = [f"{app}/{model_name}_{kind}.html", f"registers/{kind}.html"]
        if self.template_dir:
            names.insert(0, f"{self.template_dir}/{kind}.html")
        return select_template(names)

    def render(self, request, kind, context, status=200):
        context = {"register": self, **context}
        return render(request, self.templates(kind).template.name, context, status=status)

    def queryset(self):
        return self.model._default_manager.select_related(*self.select_related)

    # Views.
    def filtered(self, request):
        """The list's rows for ``request``: filters, search and sort of the query string.

        Returns ``(queryset, filterset, query, sort)``; the list page and the exports share it.
        """
        qs = self.queryset()
        filterset = self.filterset_class(request.GET or None, queryset=qs, request=request) \
            if self.filterset_class else None
        if filterset is not None:
            decorate_widgets(filterset.form, filters=True)
            if filterset.is_bound and filterset.is_valid():
                qs = filterset.qs
        query = request.GET.get("q", "").strip()
        if query and self.search_fields:
            qs = qs.filter(search_condition(self.model, self.search_fields, query))
        sort_keys = {c.sort for c in self.columns if c.sort}
        sort = request.GET.get("sort", "")
        if sort.removeprefix("-") not in sort_keys:
            sort = self.default_sort
        if sort:
            qs = qs.order_by(*order_terms(self.model, sort))
        if self.crosses_to_many(filterset, query):
            qs = qs.distinct()
        return qs, filterset, query, sort

    def list_view(self, request):
        denied = check_access(request)
        if denied:
            return denied
        can_edit = roles.can_edit_registers(request.user)
        # The same for every viewer with the same rights: cached until a record changes (pagecache).
        content = pagecache.cached(f"list:{self.namespace}:{self.name}", request, lambda: self._list_content(request, can_edit),
                                   vary=[can_edit])
        return self.render(request, "list", {"content": content})

    def _list_content(self, request, can_edit):
        qs, filterset, query, sort = self.filtered(request)
        page = EstimatedCountPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        sort_params = params.copy()
        sort_params.pop("sort", None)
        headers = []
        for column in self.columns:
            link = ""
            if column.sort:
                new = f"-{column.sort}" if sort == column.sort else column.sort
                link = "?" + urlencode([*sort_params.lists(), ("sort", [new])], doseq=True)
            headers.append({"label": column.label, "link": link, "numeric": column.numeric,
                            "active": sort.lstrip("-") == column.sort and column.sort,
                            "descending": sort.startswith("-")})
        rows = [{"object": obj, "url": self.url("detail", obj.pk),
                 "cells": [{"value": c.render(obj), "numeric": c.numeric} for c in self.columns]}
                for obj in page.object_list]
        filtered = bool(query) or bool(
            filterset is not None and filterset.is_bound and filterset.is_valid()
            and any(v not in (None, "", []) for v in filterset.form.cleaned_data.values()))
        return self.templates("list_content").render({
            "register": self, "page": page, "rows": rows, "headers": headers, "filterset": filterset,
            "query": query, "sort": sort, "page_query": params.urlencode(), "filtered": filtered,
            "can_edit": can_edit, "export_query": request.GET.urlencode(),
        }, request)

    def export_columns(self):
        """``[(header, spec)]``: ``export_fields`` when declared, else the model's own fields."""
        if self.export_fields:
            return [f if isinstance(f, tuple) else (f, f) for f in self.export_fields]
        names = [f.name for f in self.model._meta.get_fields()
                 if f.concrete and not f.auto_created and f.name not in ("version", "is_demo")]
        return [("id", "pk"), *[(n, n) for n in names]]

    def export_rows(self, request):
        """``(headers, rows, count)`` of the export of ``request``'s list: rows are lists of cells, read
        in chunks; ``count()`` counts them (one query, asked only when needed)."""
        qs, _, _, _ = self.filtered(request)
        columns = self.export_columns()
        m2m = [spec for _, spec in columns if isinstance(spec, str) and _is_many(self.model, spec)]
        if m2m:
            qs = qs.prefetch_related(*m2m)
        rows = ([exports.cell(exports.values_of(obj, spec)) for _, spec in columns]
                for obj in qs.iterator(chunk_size=2000))
        return [header for header, _ in columns], rows, qs.count

    def export_filename(self, extension):
        return f"lcamp-{self.slug}-{datetime.date.today().isoformat()}.{extension}"

    def export_view(self, request, extension):
        """The filtered list as CSV or XLSX (``exports.export_response``: a job for a large XLSX)."""
        denied = check_access(request)
        if denied:
            return denied
        headers, rows, count = self.export_rows(request)
        return exports.export_response(
            request, extension=extension, headers=headers, rows=rows, count=count,
            filename=self.export_filename(extension).rsplit(".", 1)[0], title=self.plural,
            subject=f"{self.namespace}:{self.name}", list_url=self.url("list"))

    def export_job_run(self, job):
        """The worker's side of a large XLSX export of this list (``registers.tasks.export_task``)."""
        return exports.export_job_run(job, self.export_rows, title=self.plural,
                                      filename=self.export_filename("xlsx"))

    def crosses_to_many(self, filterset, query):
        """Whether an active filter or the search follows a to-many relation (only then can a
        row repeat, and only then is DISTINCT, a sort of the whole result, worth paying).

        A filter with a ``method`` is its own business: one that crosses a to-many
        relation calls ``distinct()`` itself.
        """
        lookups = list(self.search_fields) if query else []
        if filterset is not None and filterset.is_bound and filterset.is_valid():
            for name, value in filterset.form.cleaned_data.items():
                active = filterset.filters.get(name)
                if value not in (None, "", []) and active is not None and not active.method:
                    lookups.append(active.field_name)
        return any(lookup_crosses_to_many(self.model, lookup) for lookup in lookups)

    def get_object(self, pk):
        return get_object_or_404(self.queryset(), pk=pk)

    def detail_view(self, request, pk):
        denied = check_access(request)
        if denied:
            return denied
        obj = self.get_object(pk)
        facts = [{"label": _label(self.model, name), "value": self.display_field(obj, name)}
                 for name in self.detail_fields]
        return self.render(request, "detail", {
            "object": obj, "facts": facts, "history": history_entries(obj),
            "can_edit": roles.can_edit_registers(request.user),
            "can_delete": roles.can_delete_records(request.user),
            "admin_url": self.admin_url(obj),
        })

    def admin_url(self, obj):
        try:
            return reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_change", args=[obj.pk])
        except Exception:  # noqa: BLE001 - not in the admin
            return ""

    def display_field(self, obj, name):
        model_field = self.model._meta.get_field(name)
        if model_field.many_to_many:
            return ", ".join(str(o) for o in getattr(obj, name).all()) or "—"
        display = getattr(obj, f"get_{name}_display", None)
        value = display() if display else getattr(obj, name)
        if value in (None, ""):
            return "—"
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if type(value).__name__ == "Country":
            return value.name
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    def _form_response(self, request, form, obj=None, status=200, extra=None):
        return self.render(request, "form", {
            "form": form, "object": obj, "next": safe_next(request) or "",
            "cancel_url": safe_next(request) or (self.url("detail", obj.pk) if obj else self.url("list")),
            **(extra or {}),
        }, status=status)

    def create_view(self, request):
        denied = check_access(request, edit=True)
        if denied:
            return denied
        if request.method == "POST":
            form = self.form_class(request.POST, request.FILES, user=request.user)
            limit_status_choices(form, self.end_status)
            if form.is_valid():
                try:
                    obj = (self.create or _default_create)(form, request.user)
                except ValidationError as error:
                    add_errors(form, error)
                else:
                    messages.success(request, gettext("Added %(kind)s: %(record)s.") % {"kind": self.verbose_name, "record": obj})
                    return HttpResponseRedirect(safe_next(request) or self.url("detail", obj.pk))
            return self._form_response(request, form, status=200)
        initial = self.create_initial(request) if self.create_initial else {}
        for key in request.GET:
            if key in self.form_class.base_fields and key not in ("version",):
                initial[key] = request.GET.get(key)
        form = self.form_class(initial=initial, user=request.user)
        limit_status_choices(form, self.end_status)
        return self._form_response(request, form)

    def edit_view(self, request, pk):
        denied = check_access(request, edit=True)
        if denied:
            return denied
        obj = self.get_object(pk)
        form_class = self.edit_form_class or self.form_class
        return self._edit(request, obj, form_class, self.update or _default_update, "form")

    def status_view(self, request, pk):
        denied = check_access(request, edit=True)
        if denied:
            return denied
        obj = self.get_object(pk)
        return self._edit(request, obj, self.status_form_class, self.status_update or _default_update, "status")

    def correct_view(self, request, pk):
        """Correct a record that was wrong (it never happened so): any field, with a reason kept in the history."""
        denied = check_access(request, edit=True)
        if denied:
            return denied
        obj = self.get_object(pk)
        form_class = correction_form_class(self.edit_form_class or self.form_class,
                                           (self.end_field,) if self.end_field else ())
        save = self.update or _default_update

        def correct(form, user, expected_version):
            form.instance._change_reason = form.cleaned_data["reason"]
            return save(form, user, expected_version)
        return self._edit(request, obj, form_class, correct, "correct")

    def _edit(self, request, obj, form_class, save, kind):
        extra = {"is_status": kind == "status", "is_correction": kind == "correct"}
        if request.method == "POST":
            form = form_class(request.POST, request.FILES, instance=obj, user=request.user)
            if kind == "form":
                limit_status_choices(form, self.end_status)
            if form.is_valid():
                try:
                    obj = save(form, request.user, form.expected_version())
                except StaleEdit as stale:
                    form.add_error(None, stale)
                    form.data = form.data.copy()
                    form.data["version"] = stale.current_version
                    extra["stale_changes"] = stale.changes
                except ValidationError as error:
                    add_errors(form, error)
                else:
                    messages.success(request, gettext("Saved %(kind)s: %(record)s.") % {"kind": self.verbose_name, "record": obj})
                    return HttpResponseRedirect(safe_next(request) or self.url("detail", obj.pk))
            # The instance carries the rejected input; show the saved record's name.
            return self._form_response(request, form, self.get_object(obj.pk), extra=extra)
        form = form_class(instance=obj, user=request.user)
        if kind == "form":
            limit_status_choices(form, self.end_status)
        return self._form_response(request, form, obj, extra=extra)


def _default_create(form, user):
    return record_create(instance=form.instance, user=user, m2m=form.m2m_values())


def _default_update(form, user, expected_version):
    return record_save(instance=form.instance, expected_version=expected_version, user=user,
                       m2m=form.m2m_values())
