"""The register pages: list, detail with history, create, edit, status change, correction, export, import.

A ``Register`` describes one kind of record (its model, form, filters, columns) and, as
Wagtail's ``ModelViewSet`` does, names the view class of each of its pages
(``list_view_class``, ``detail_view_class``…) and builds their URL patterns. A register
that needs one page done differently subclasses ``Register`` and swaps that one class::

    class MemberRegister(Register):
        detail_view_class = MemberDetailView  # a DetailView subclass; the other pages stay

A list that is not one of the registers (its own URLs, its own templates, readers who see
only some records) is a ``Register`` too: it overrides ``queryset_for``, may filter with a
plain form (``filter_form_class``) and page by its own ``page_size``, swaps its list view
and stays off the registers index (``in_index=False``).

Every app declares its registers in its ``views`` module; the pages read and write only
through ``access.check_access`` and the write path (``records``, or the app's services
given as hooks), so the rules are the same for every register:

- coordinators (and admins) edit, applied at once; EARLALL staff read everything and edit
  nothing (403 on forms); partners open the registers that let them (``partner_access``) and find
  there only their own organisation's records (404 for another's); a partner editor's new record
  or change is a submission a coordinator validates (``submissions``); users without a role see
  no register (403); anonymous users are sent to the login page;
- a record is never hard-deleted here: records an indicator counts change status
  (withdraw, retire, close, cancel); only an admin deletes, in the admin site;
- edits are optimistically locked on ``TrackedModel.version`` (``records.record_save``).
"""

import contextlib
import datetime
import decimal
import functools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import select_template
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_countries.fields import CountryField

from accounts import roles

from . import csvformat, display, exports, generations, importing, l10n, pagecache, registry, submissions
from .access import OWN, READ, check_access, safe_next
from .after_closing import CONFIRM_FIELD, REASON_FIELD, recorded_after_closing
from .counting import EstimatedCountPaginator
from .forms import add_errors, correction_form_class, limit_status_choices
from .records import StaleEdit, field_label, history_entries, record_create, record_save
from .search import lookup_crosses_to_many, order_terms, search_condition
from .widgets import decorate_widgets

PAGE_SIZE = 50


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
    if isinstance(model_field, CountryField):  # CLDR's names, as everywhere else
        return dict(l10n.country_choices(language))
    if not getattr(model_field, "choices", None):
        return None
    return {key: str(label) for key, label in model_field.flatchoices}


def _is_many(model, name):
    try:
        return model._meta.get_field(name).many_to_many
    except FieldDoesNotExist:
        return False


@dataclass
class Column:
    label: str
    value: object  # attribute name or callable(obj)
    sort: str = ""
    numeric: bool = False

    def render(self, obj):
        if callable(self.value):
            return _dated(self.value(obj))
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
        if isinstance(value, decimal.Decimal):
            return display.number_text(value)  # ECTS 3, not 3.0
        return _dated(value)


def _dated(value):
    """A date or a time in a list's cell as CLDR's medium date in the reader's language ("31 ago 2025")."""
    if isinstance(value, datetime.datetime):
        return l10n.short_datetime(value)
    if isinstance(value, datetime.date):
        return l10n.short_date(value)
    return value


def _default_create(form, user):
    return record_create(instance=form.instance, user=user, m2m=form.m2m_values())


def _default_update(form, user, expected_version):
    return record_save(instance=form.instance, expected_version=expected_version, user=user,
                       m2m=form.m2m_values())


def _is_closed_period(error):
    """Whether the engine refused the save because it would alter a closed reporting period."""
    errors = error.error_list if hasattr(error, "error_list") else [
        item for items in error.error_dict.values() for item in items]
    return any(getattr(item, "code", None) == "closed_period" for item in errors)


@dataclass
class AfterClosing:
    """A coordinator's confirmation, on a register's form, that a change dated inside a closed reporting
    period is *recorded after closing*: the period's reported figures stay, the change counts from today
    and is listed beside them with its reason (kept in the record's history too). Never a partner's:
    their writes are submissions a coordinator decides on."""

    allowed: bool
    confirmed: bool = False
    reason: str = ""
    offered: bool = False

    @classmethod
    def of(cls, request, submits=False):
        allowed = not submits and roles.is_coordinator(request.user)
        if not allowed or request.method != "POST":
            return cls(allowed)
        return cls(allowed, confirmed=request.POST.get(CONFIRM_FIELD) in ("on", "1", "true", "yes"),
                   reason=request.POST.get(REASON_FIELD, "").strip()[:2000])

    def check(self, form):
        """False, with a form error, when confirmed without a reason: nothing is saved."""
        if self.confirmed and not self.reason:
            form.add_error(None, gettext("Say why the record is recorded after closing: the reason is kept in "
                                         "its history and shown beside the period's figures."))
            self.offered = True
            return False
        return True

    def block(self, user):
        """The save's context: ``recorded_after_closing`` when confirmed (the engine puts the reason in the
        history of the records saved in it)."""
        if not self.confirmed:
            return contextlib.nullcontext()
        return recorded_after_closing(self.reason, user)

    def refused(self, error):
        """The save was refused: offer the confirmation when a closed period refused it."""
        self.offered = self.offered or (self.allowed and _is_closed_period(error))

    def context(self):
        return {"after_closing": self.offered, "after_closing_confirmed": self.confirmed,
                "after_closing_reason": self.reason,
                "after_closing_field": CONFIRM_FIELD, "after_closing_reason_field": REASON_FIELD}


# --- The pages ---------------------------------------------------------------------------------


class RegisterView(View):
    """A page of one register (``as_view(register=...)``), open to whoever may read registers,
    or, when ``edit``, to whoever may edit them."""

    register = None
    edit = False

    # Whether a partner editor may use this page on its own records (the correction, which rewrites
    # history, is the coordinators').
    partners_write = True

    def dispatch(self, request, *args, **kwargs):
        partners = self.register.partner_access
        if self.edit and not self.partners_write and partners == OWN:
            partners = READ
        denied = check_access(request, edit=self.edit, partners=partners)
        if denied:
            return denied
        return super().dispatch(request, *args, **kwargs)


class ListView(RegisterView):
    """The list: filters, search, sort and pages of ``Register.filtered``.

    A list that shows more swaps this class and extends ``context``: its page and the part of it
    that is cached are the templates ``template_kind`` and ``content_template_kind``
    (``Register.templates``); ``viewer`` names what the viewer may do (the cache varies by it).
    """

    template_kind = "list"
    content_template_kind = "list_content"

    def get(self, request):
        register = self.register
        viewer = self.viewer(request)
        # The same for every viewer with the same rights: cached until a record it shows changes (pagecache).
        content = pagecache.cached(f"list:{register.namespace}:{register.name}", request,
                                   lambda: self.content(request, viewer),
                                   models=generations.shown_with(register.model), vary=list(viewer.values()))
        return register.render(request, self.template_kind, {"content": content})

    def viewer(self, request):
        """What the viewer may do, by name, as the page's template reads it (and whose records a partner
        sees: the cached page varies by it)."""
        user = request.user
        return {"can_edit": self.register.may_write(user),
                "partner_organisation": roles.partner_organisation_id(user) or ""}

    def paginate(self, request, queryset, parameter="page"):
        """The page of ``queryset`` that the query string's ``parameter`` asks, ``Register.page_size`` rows."""
        return EstimatedCountPaginator(queryset, self.register.page_size).get_page(request.GET.get(parameter))

    def list_queryset(self, queryset):
        """The filtered records as the page lists them: a subclass annotates what only the page shows."""
        return queryset

    def content(self, request, viewer):
        return self.register.templates(self.content_template_kind).render(self.context(request, viewer), request)

    def context(self, request, viewer):
        register = self.register
        qs, filterset, query, sort = register.filtered(request)
        page = self.paginate(request, self.list_queryset(qs))
        params = request.GET.copy()
        params.pop("page", None)
        sort_params = params.copy()
        sort_params.pop("sort", None)
        headers = []
        for column in register.columns:
            link = ""
            if column.sort:
                new = f"-{column.sort}" if sort == column.sort else column.sort
                link = "?" + urlencode([*sort_params.lists(), ("sort", [new])], doseq=True)
            headers.append({"label": column.label, "link": link, "numeric": column.numeric,
                            "active": sort.lstrip("-") == column.sort and column.sort,
                            "descending": sort.startswith("-")})
        rows = [{"object": obj, "url": register.url("detail", obj.pk),
                 "cells": [{"value": c.render(obj), "numeric": c.numeric} for c in register.columns]}
                for obj in page.object_list]
        form = getattr(filterset, "form", filterset)  # a FilterSet's form, or the register's filter form
        filtered = bool(query) or bool(
            form is not None and form.is_bound and form.is_valid()
            and any(v not in (None, "", []) for v in form.cleaned_data.values()))
        return {
            "register": register, "page": page, "rows": rows, "headers": headers, "filterset": filterset,
            "query": query, "sort": sort, "page_query": params.urlencode(), "filtered": filtered,
            "export_query": request.GET.urlencode(), **viewer,
        }


def _path_fields(model, path):
    """The model fields along a ``__`` path (as far as it goes)."""
    found = []
    for part in path.split("__"):
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        found.append(model_field)
        model = model_field.related_model
        if model is None:
            break
    return found


def _capital(text):
    text = str(text)
    return text[:1].upper() + text[1:]


def _export_label(model, header, spec):
    """An export column's label in the active language (see ``Register.export_labels``)."""
    if header == "id":
        return "ID"
    own = _path_fields(model, header)
    if len(own) == 1 and not own[0].auto_created:
        return _capital(own[0].verbose_name)
    path = _path_fields(model, spec) if isinstance(spec, str) else []
    if path and all(hasattr(f, "verbose_name") for f in path):
        if len(path) == 1 or path[-1].name == header:
            return _capital(path[-1].verbose_name)
        return f"{_capital(path[0].verbose_name)} ({path[-1].verbose_name})"
    return _capital(header.replace("_", " "))


class ExportView(RegisterView):
    """The filtered list as CSV or XLSX (``exports.export_response``: a job for a large one); a query
    string that the register's filter form refuses is a 400 naming the errors."""

    def get(self, request, extension):
        register = self.register
        try:
            headers, rows, count = register.export_rows(request)
        except exports.BadQuery as error:
            return HttpResponse(gettext("The list's filters are not valid: %(errors)s") % {"errors": error},
                                status=400, content_type="text/plain; charset=utf-8")
        return exports.export_response(
            request, extension=extension, headers=headers, rows=rows, count=count,
            filename=register.export_filename(extension).rsplit(".", 1)[0], title=register.plural,
            subject=register.key, list_url=register.url("list"))


class DetailView(RegisterView):
    """One record: its facts and its history."""

    def get(self, request, pk):
        register = self.register
        obj = register.get_object_for(request, pk)
        facts = [{"label": field_label(register.model, name), "value": register.display_field(obj, name)}
                 for name in register.detail_fields]
        validated = submissions.is_validated(register.model)
        return register.render(request, "detail", {
            "object": obj, "facts": facts, "history": history_entries(obj),
            "can_edit": register.may_write(request.user),
            "can_correct": roles.can_edit_registers(request.user),
            "can_delete": roles.can_delete_records(request.user),
            "admin_url": register.admin_url(obj),
            "validated": validated,
            "waiting": submissions.waiting_for(obj) if validated else [],
            "latest_submission": submissions.latest_for(obj) if validated else None,
        })


class FormView(RegisterView):
    """The base of the pages that write: the form page, back to ``next`` or the record when saved."""

    edit = True

    def form_response(self, request, form, obj=None, status=200, extra=None):
        register = self.register
        return register.render(request, "form", {
            "form": form, "object": obj, "next": safe_next(request) or "",
            "cancel_url": safe_next(request) or (register.url("detail", obj.pk) if obj else register.url("list")),
            **(extra or {}),
        }, status=status)

    def saved(self, request, obj, message):
        messages.success(request, message % {"kind": self.register.verbose_name, "record": obj})
        return HttpResponseRedirect(safe_next(request) or self.register.url("detail", obj.pk))

    def submits(self, request):
        """Whether this user's write is a submission for a coordinator (a partner editor's, on a register
        of records with a responsible organisation)."""
        return submissions.submits(request.user) and submissions.is_validated(self.register.model)


class CreateView(FormView):
    """A new record, through the register's ``create`` hook (``records.record_create`` by default)."""

    def get(self, request):
        register = self.register
        initial = register.create_initial(request) if register.create_initial else {}
        for key in request.GET:
            if key in register.form_class.base_fields and key not in ("version",):
                initial[key] = request.GET.get(key)
        form = register.form_class(initial=initial, user=request.user)
        limit_status_choices(form, register.end_status)
        return self.form_response(request, form)

    def post(self, request):
        register = self.register
        form = register.form_class(request.POST, request.FILES, user=request.user)
        limit_status_choices(form, register.end_status)
        submits = self.submits(request)
        late = AfterClosing.of(request, submits)
        if form.is_valid() and late.check(form):
            try:
                with transaction.atomic(), late.block(request.user):
                    if submits:
                        submissions.prepare_write(form.instance, request.user, form.m2m_values())
                    obj = (register.create or _default_create)(form, request.user)
                    if submits:
                        submissions.submit_new(obj, register.key, request.user)
            except ValidationError as error:
                add_errors(form, error)
                late.refused(error)
            else:
                if submits:
                    return self.saved(request, obj, gettext(
                        "Submitted %(kind)s for validation: %(record)s. It counts once a coordinator approves it."))
                return self.saved(request, obj, gettext("Added %(kind)s: %(record)s."))
        return self.form_response(request, form, status=200, extra=late.context())


class EditView(FormView):
    """A record's edit, through the register's ``update`` hook, refused when somebody saved it since
    the form was read (``StaleEdit``: the form comes back with what changed)."""

    kind = "form"  # "form", "status" or "correct": what the form template shows

    def form_class(self):
        return self.register.edit_form_class or self.register.form_class

    def save(self, form, user, expected_version):
        return (self.register.update or _default_update)(form, user, expected_version)

    def make_form(self, *args, **kwargs):
        form = self.form_class()(*args, **kwargs)
        if self.kind == "form":
            limit_status_choices(form, self.register.end_status)
        return form

    def extra(self):
        return {"is_status": self.kind == "status", "is_correction": self.kind == "correct"}

    def get(self, request, pk):
        obj = self.register.get_object_for(request, pk)
        form = self.make_form(instance=obj, user=request.user)
        return self.form_response(request, form, obj, extra=self.extra())

    def post(self, request, pk):
        obj = self.register.get_object_for(request, pk)
        extra = self.extra()
        form = self.make_form(request.POST, request.FILES, instance=obj, user=request.user)
        submits = self.submits(request)
        late = AfterClosing.of(request, submits)
        if form.is_valid() and late.check(form):
            try:
                if submits:
                    return self.submit(request, form, obj)
                with transaction.atomic(), late.block(request.user):
                    obj = self.save(form, request.user, form.expected_version())
            except StaleEdit as stale:
                form.add_error(None, stale)
                form.data = form.data.copy()
                form.data["version"] = stale.current_version
                extra["stale_changes"] = stale.changes
            except ValidationError as error:
                add_errors(form, error)
                late.refused(error)
            else:
                return self.saved(request, obj, gettext("Saved %(kind)s: %(record)s."))
        # The instance carries the rejected input; show the saved record's name.
        return self.form_response(request, form, self.register.get_object(obj.pk), extra={**extra, **late.context()})

    def submit(self, request, form, obj):
        """A partner editor's edit: a proposed change of an approved record (the approved version keeps
        counting), else the record saved and submitted again. Raises ValidationError (form errors)."""
        register, user = self.register, request.user
        with transaction.atomic():
            submissions.check_owner(form.instance, user, form.m2m_values())
            if obj.approval == submissions.Approval.APPROVED:
                submissions.propose_change(obj, register.key, form, user,
                                           form_kind="status" if self.kind == "status" else "form")
                message = gettext("Your change to %(kind)s %(record)s was submitted for validation; the approved "
                                  "version counts until a coordinator approves it.")
            else:
                form.instance.approval = submissions.Approval.SUBMITTED
                obj = self.save(form, user, form.expected_version())
                submissions.submit_new(obj, register.key, user)
                message = gettext("Submitted %(kind)s for validation: %(record)s. It counts once a coordinator "
                                  "approves it.")
        return self.saved(request, obj, message)


class StatusView(EditView):
    """A status change with its date (``status_form_class``), through the ``status_update`` hook."""

    kind = "status"

    def form_class(self):
        return self.register.status_form_class

    def save(self, form, user, expected_version):
        return (self.register.status_update or _default_update)(form, user, expected_version)


class CorrectView(EditView):
    """Correct a record that was wrong (it never happened so): any field, with a reason kept in the history."""

    kind = "correct"
    partners_write = False  # a correction rewrites history: the coordinators'

    def form_class(self):
        register = self.register
        return correction_form_class(register.edit_form_class or register.form_class,
                                     (register.end_field,) if register.end_field else ())

    def save(self, form, user, expected_version):
        form.instance._change_reason = form.cleaned_data["reason"]
        return super().save(form, user, expected_version)


class ImportView(RegisterView):
    """Import the file the export writes: preview, then all rows or none. Coordinators; partner editors
    into a register of their own records, every row their organisation's, each record submitted."""

    edit = True

    def dispatch(self, request, *args, **kwargs):
        # A partner editor without an organisation keeps no records: nothing to import.
        if roles.is_partner(request.user) and not self.register.may_write(request.user):
            raise PermissionDenied(gettext("Your role does not allow this."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return importing.import_page(self.register, request)

    post = get


class ImportTemplateView(RegisterView):
    """The file to fill in for an import, CSV or XLSX (whoever may import)."""

    edit = True

    def get(self, request, extension):
        return importing.template_response(self.register, extension)


# --- The register ------------------------------------------------------------------------------


@dataclass
class Register:
    """One register: the model, its form and filters, how its pages look, and their view classes.

    ``create``/``update`` are hooks ``(form, user) -> instance`` and
    ``(form, user, expected_version) -> instance`` calling the app's services; by
    default they call ``records.record_create``/``records.record_save``.
    """

    model: type
    name: str  # URL name prefix, e.g. "member"
    slug: str  # URL path segment, e.g. "alliance-members"
    namespace: str
    form_class: type
    columns: list
    filterset_class: type = None
    # Instead of a FilterSet: a plain form of the query string whose ``filter(queryset)`` returns the
    # rows it selects, searched and sorted; the export refuses a query string it does not accept.
    filter_form_class: type = None
    search_fields: tuple = ()
    default_sort: str = ""
    detail_fields: tuple = ()
    edit_form_class: type = None
    status_form_class: type = None
    status_url_name: str = "status"
    status_title: str = "Change status"
    status_help: str = ""
    # The status that ends a record's life and the field with its date ("retired", "retired_on"), the
    # model's ``end_of_life`` (filled in): plain edits cannot set it; a correction (with a reason) may.
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
    page_size: int = PAGE_SIZE
    # Whether the registers index lists it; a list with pages of its own is found by its export jobs only.
    in_index: bool = True
    # What partners may do here (``access``): "own" (their organisation's records: a model with a
    # responsible organisation, ``models.Validated``, by default), "read" (reference data: read all),
    # "" (nothing: 403).
    partner_access: str = None

    # The view class of each page: a subclass swaps one, the others stay.
    list_view_class = ListView
    detail_view_class = DetailView
    create_view_class = CreateView
    edit_view_class = EditView
    status_view_class = StatusView
    correct_view_class = CorrectView
    export_view_class = ExportView
    import_view_class = ImportView
    import_template_view_class = ImportTemplateView

    def __post_init__(self):
        if self.partner_access is None:
            self.partner_access = OWN if submissions.is_validated(self.model) else ""
        if submissions.is_validated(self.model) and not any(c.value == "approval" for c in self.columns):
            # Whether each record counts yet: a partner's waits for a coordinator.
            self.columns = [*self.columns, Column(_("Validation"), "approval", sort="approval")]
        if getattr(self.model, "end_of_life", None) and not self.end_field:
            self.end_status, self.end_field = self.model.end_of_life
        (registry.REGISTER_PAGES if self.in_index else registry.EXPORTS)[self.key] = self

    # The views, as the URL patterns (and an app's own views) call them.
    def construct_view(self, view_class):
        return view_class.as_view(register=self)

    @property
    def list_view(self):
        return self.construct_view(self.list_view_class)

    @property
    def detail_view(self):
        return self.construct_view(self.detail_view_class)

    @property
    def create_view(self):
        return self.construct_view(self.create_view_class)

    @property
    def edit_view(self):
        return self.construct_view(self.edit_view_class)

    @property
    def status_view(self):
        return self.construct_view(self.status_view_class)

    @property
    def correct_view(self):
        return self.construct_view(self.correct_view_class)

    @property
    def export_view(self):
        return self.construct_view(self.export_view_class)

    @property
    def import_view(self):
        return self.construct_view(self.import_view_class)

    @property
    def import_template_view(self):
        return self.construct_view(self.import_template_view_class)

    # Names and URLs.
    @property
    def key(self):
        """``namespace:name``: the register in ``registry`` and its export jobs' subject."""
        return f"{self.namespace}:{self.name}"

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

    # Records.
    def queryset(self):
        return self.model._default_manager.select_related(*self.select_related)

    def get_object(self, pk):
        return get_object_or_404(self.queryset(), pk=pk)

    def get_object_for(self, request, pk):
        """The record ``pk`` if ``request``'s user may see it, else 404."""
        return get_object_or_404(self.queryset_for(request), pk=pk)

    def queryset_for(self, request):
        """The records that ``request``'s user finds in the list, its export and the record pages: every
        record, but a partner's own organisation's only in a register of records with a responsible
        organisation (a subclass may narrow it further)."""
        queryset = self.queryset()
        user = request.user
        if roles.is_partner(user) and self.partner_access == OWN:
            return self.model.owned_by(queryset, user.organisation_id)
        return queryset

    def may_write(self, user):
        """Whether ``user`` may add and change records here: coordinators (at once) and, in a register of
        their own records, partner editors (as submissions)."""
        if roles.is_partner(user):
            return self.partner_access == OWN and roles.is_partner_editor(user) and user.organisation_id is not None
        return roles.can_edit_registers(user)

    def filtered(self, request):
        """The list's rows for ``request``: filters, search and sort of the query string.

        Returns ``(queryset, filterset, query, sort)``, ``filterset`` being the bound
        ``filter_form_class`` when the register has one; the list page and the exports share it.
        """
        qs = self.queryset_for(request)
        if self.filter_form_class:
            form = self.filter_form_class(request.GET or None)
            cleaned = form.cleaned_data if form.is_valid() else {}
            return form.filter(qs), form, cleaned.get("q", ""), cleaned.get("sort", "")
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

    def admin_url(self, obj):
        try:
            return reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_change", args=[obj.pk])
        except Exception:  # noqa: BLE001 - not in the admin
            return ""

    def display_field(self, obj, name):
        """A field of ``obj`` as its page shows it (``registers.display``: the history's rule too)."""
        model_field = self.model._meta.get_field(name)
        value = getattr(obj, name).all() if model_field.many_to_many else getattr(obj, name)
        return display.value_text(self.model, name, value)

    # Exports.
    def export_columns(self):
        """``[(header, spec)]``: ``export_fields`` when declared, else the model's own fields."""
        if self.export_fields:
            return [f if isinstance(f, tuple) else (f, f) for f in self.export_fields]
        names = [f.name for f in self.model._meta.get_fields()
                 if f.concrete and not f.auto_created and f.name not in ("version", "is_demo")]
        return [("id", "pk"), *[(n, n) for n in names]]

    def export_labels(self):
        """``{header: label}``: each export column named for people, in the active language (the CSV's
        human variants; ``registers.csvformat``): the model field's verbose name ("Acronym"), a path's
        field ("counterpart__country" under "counterpart_country": "Counterpart (country)"). Two columns
        that would read the same keep their codes (the import maps labels back to codes)."""
        labels = {}
        for header, spec in self.export_columns():
            labels[header] = _export_label(self.model, header, spec)
        seen = {}
        for header, label in labels.items():
            seen.setdefault(label.casefold(), []).append(header)
        for headers in seen.values():
            if len(headers) > 1:
                for header in headers:
                    labels[header] = header
        return labels

    def export_rows(self, request):
        """``(headers, rows, count)`` of the export of ``request``'s list: rows are lists of cells, read
        in chunks; ``count()`` counts them (one query, asked only when needed).

        Raises ``exports.BadQuery`` naming the errors when the filter form refuses the query string.
        """
        qs, form, _, _ = self.filtered(request)
        if self.filter_form_class and form.is_bound and not form.is_valid():
            raise exports.BadQuery("; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
        columns = self.export_columns()
        m2m = [spec for _, spec in columns if isinstance(spec, str) and _is_many(self.model, spec)]
        if m2m:
            qs = qs.prefetch_related(*m2m)
        rows = ([exports.cell(exports.values_of(obj, spec)) for _, spec in columns]
                for obj in qs.iterator(chunk_size=2000))
        labels = self.export_labels()
        return [csvformat.Heading(header, labels[header]) for header, _ in columns], rows, qs.count

    def export_filename(self, extension):
        return f"lcamp-{self.slug}-{datetime.date.today().isoformat()}.{extension}"

    def export_job_run(self, job):
        """The worker's side of a large export of this list (``registers.tasks.export_task``)."""
        return exports.export_job_run(job, self.export_rows, title=self.plural,
                                      filename=self.export_filename("xlsx").rsplit(".", 1)[0],
                                      partners=self.partner_access)
