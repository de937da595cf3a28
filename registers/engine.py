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
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import select_template
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from accounts import roles

PAGE_SIZE = 50
REGISTER_PAGES = {}  # URL name prefix with namespace -> Register, in the order declared


# --- Access ---------------------------------------------------------------------------


def check_access(request, *, edit=False):
    """Return a redirect to the login page for anonymous users; raise 403 for users without the right."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    allowed = roles.can_edit_registers(request.user) if edit else roles.can_view_registers(request.user)
    if not allowed:
        raise PermissionDenied("Your role does not allow this.")
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
            f"This {instance._meta.verbose_name} clashes with one saved at the same moment; "
            f"check the existing records and try again.") from error


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
            raise ValidationError(f"This {model._meta.verbose_name} no longer exists.")
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
        return "yes" if value else "no"
    return str(value)


def history_entries(instance, limit=None):
    """The change history of ``instance``, newest first.

    Each entry: ``{"history_id", "when", "who", "kind" ("created"/"changed"/"deleted"),
    "version", "changes": [{"field", "label", "old", "new"}]}``.
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
        if kind == "created" or changes or kind == "deleted":
            entries.append({
                "history_id": record.history_id,
                "when": record.history_date,
                "who": record.history_user,
                "kind": kind,
                "version": getattr(record, "version", None),
                "changes": changes,
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


# --- Forms -------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def decorate_widgets(form):
    """Date pickers for dates and the searchable select for related objects and countries."""
    for form_field in form.fields.values():
        widget = form_field.widget
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


# --- Registers -----------------------------------------------------------------------------


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
            display = getattr(value, f"get_{part}_display", None)
            value = display() if display else getattr(value, part, None)
            if value is None:
                return "—"
        if isinstance(value, bool):
            return "yes" if value else "no"
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
    select_related: tuple = ()
    title_plural: str = ""
    empty_help: str = ""
    create: object = None
    update: object = None
    status_update: object = None
    create_initial: object = None  # callable(request) -> dict
    extra_links: list = field(default_factory=list)
    template_dir: str = ""  # templates looked up first as <template_dir>/<kind>.html

    def __post_init__(self):
        REGISTER_PAGES[f"{self.namespace}:{self.name}"] = self

    # Names and URLs.
    @property
    def verbose_name(self):
        return str(self.model._meta.verbose_name)

    @property
    def plural(self):
        return self.title_plural or str(self.model._meta.verbose_name_plural).capitalize()

    def url_name(self, action):
        return f"{self.namespace}:{self.name}-{action}"

    def url(self, action, pk=None):
        return reverse(self.url_name(action), args=[pk] if pk is not None else [])

    def urlpatterns(self):
        base = f"registers/{self.slug}/"
        patterns = [
            path(base, self.list_view, name=f"{self.name}-list"),
            path(f"{base}new/", self.create_view, name=f"{self.name}-create"),
            path(f"{base}<int:pk>/", self.detail_view, name=f"{self.name}-detail"),
            path(f"{base}<int:pk>/edit/", self.edit_view, name=f"{self.name}-edit"),
        ]
        if self.status_form_class:
            patterns.append(path(f"{base}<int:pk>/{self.status_url_name}/", self.status_view,
                                 name=f"{self.name}-{self.status_url_name}"))
        return patterns

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
    def list_view(self, request):
        denied = check_access(request)
        if denied:
            return denied
        qs = self.queryset()
        filterset = self.filterset_class(request.GET or None, queryset=qs, request=request) \
            if self.filterset_class else None
        if filterset is not None:
            decorate_widgets(filterset.form)
            if filterset.is_bound and filterset.is_valid():
                qs = filterset.qs
        query = request.GET.get("q", "").strip()
        if query and self.search_fields:
            condition = Q()
            for name in self.search_fields:
                condition |= Q(**{f"{name}__icontains": query})
            qs = qs.filter(condition)
        sort_keys = {c.sort for c in self.columns if c.sort}
        sort = request.GET.get("sort", "")
        if sort.removeprefix("-") not in sort_keys:
            sort = self.default_sort
        if sort:
            qs = qs.order_by(sort, "pk")
        if any(f.many_to_many for f in self.model._meta.get_fields() if hasattr(f, "many_to_many")):
            qs = qs.distinct()
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
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
        return self.render(request, "list", {
            "page": page, "rows": rows, "headers": headers, "filterset": filterset, "query": query,
            "sort": sort, "page_query": params.urlencode(), "filtered": filtered,
            "can_edit": roles.can_edit_registers(request.user),
        })

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
            return "yes" if value else "no"
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
        return self._form_response(request, self.form_class(initial=initial, user=request.user))

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

    def _edit(self, request, obj, form_class, save, kind):
        extra = {"is_status": kind == "status"}
        if request.method == "POST":
            form = form_class(request.POST, request.FILES, instance=obj, user=request.user)
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
        return self._form_response(request, form_class(instance=obj, user=request.user), obj, extra=extra)


def _default_create(form, user):
    return record_create(instance=form.instance, user=user, m2m=form.m2m_values())


def _default_update(form, user, expected_version):
    return record_save(instance=form.instance, expected_version=expected_version, user=user,
                       m2m=form.m2m_values())
