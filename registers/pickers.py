"""Pickers that scale: a choice among many records is a search field, never a <select> of every row.

A ``Picker`` names a kind of record that forms choose (organisations, members,
observatories, factories), how to search it (the same ``icontains`` search as its
register list, served by trigram indexes on PostgreSQL) and who may look it up. It
answers a small JSON endpoint, ``/pickers/<key>/?q=…&page=N``, that
``static/registers/picker.js`` calls as the user types.

``PickerField`` is the form side. The widget is a search box plus a hidden input with
the chosen id. Without JavaScript it still works in one plain step: the user types
some text and submits; one match is taken, several are offered as a short <select>
(at most ``MATCHES_SHOWN``) with a form error asking to pick one. ``MultiPickerField`` does
the same for a choice of several (the chosen ones are ticked boxes). ``use_pickers(form)``
swaps every ModelChoiceField of a form whose model has a picker for one of them.
"""

import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext

from accounts import roles

from .models import Validated

PICKERS = {}  # key -> Picker
PAGE = 20
MATCHES_SHOWN = 20
MIN_SEARCH = 3  # letters the JSON endpoint waits for (the trigram indexes' unit)
RATE_WINDOW = 10  # seconds: the picker searches' throttle counts per user per window (PICKER_RATE)
MAX_CHOSEN = 200  # records one multiple choice may hold (participants, co-awarding organisations…)


@dataclass
class Picker:
    key: str  # URL segment: /pickers/<key>/
    model: type
    search_fields: tuple
    ordering: tuple = ("pk",)
    allowed: object = None  # callable(user) -> bool; default: any signed-in user
    select_related: tuple = ()

    def __post_init__(self):
        PICKERS[self.key] = self

    def queryset(self):
        return self.model._default_manager.select_related(*self.select_related).order_by(*self.ordering)

    def search(self, text, queryset=None):
        queryset = self.queryset() if queryset is None else queryset
        text = (text or "").strip()
        if not text:
            return queryset
        condition = Q()
        for name in self.search_fields:
            condition |= Q(**{f"{name}__icontains": text})
        return queryset.filter(condition)

    def url(self):
        return reverse("registers-pick", args=[self.key])

    def queryset_for(self, user):
        """What ``user`` may pick: a partner picks its own organisation's records in a register of records
        with a responsible organisation (its factories, its observatories), anything else as everyone."""
        queryset = self.queryset()
        if roles.is_partner(user) and issubclass(self.model, Validated):
            return self.model.owned_by(queryset, user.organisation_id)
        return queryset

    def may_use(self, user):
        return user.is_authenticated and (self.allowed is None or self.allowed(user))


def picker_for(model):
    for picker in PICKERS.values():
        if picker.model is model:
            return picker
    return None


def pick_view(request, key):
    """``{"results": [{"id", "label"}], "more": bool}``: one page of the records matching ``q``."""
    picker = PICKERS.get(key)
    if picker is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not picker.may_use(request.user):
        raise PermissionDenied(gettext("Your role does not allow this."))
    if not _within_rate(request.user):
        return JsonResponse({"error": gettext("Too many searches in a short time: wait a few seconds and type "
                                              "again.")}, status=429, headers={"Retry-After": str(RATE_WINDOW)})
    try:
        page = max(1, min(int(request.GET.get("page", 1)), 1000))
    except ValueError:
        page = 1
    text = request.GET.get("q", "").strip()[:100]
    if "\x00" in text:  # PostgreSQL cannot compare text holding a NUL: a 500 otherwise
        return JsonResponse({"error": gettext("The search holds a character that cannot be searched (NUL).")},
                            status=400)
    if 0 < len(text) < MIN_SEARCH:
        # One or two letters match in a scan of the whole register (a trigram index needs three):
        # nothing is searched until the third; an empty text lists the first records in order.
        return JsonResponse({"results": [], "more": False, "min_length": MIN_SEARCH})
    start = (page - 1) * PAGE
    rows = list(picker.search(text, picker.queryset_for(request.user))[start:start + PAGE + 1])
    return JsonResponse({"results": [{"id": o.pk, "label": str(o)} for o in rows[:PAGE]],
                         "more": len(rows) > PAGE})


def _within_rate(user):
    """Whether ``user`` is within ``settings.PICKER_RATE`` searches per ``RATE_WINDOW`` seconds (counted in
    the cache, shared by every process; a search box sends one request a keystroke, debounced)."""
    window = int(time.time() // RATE_WINDOW)
    key = f"picker-rate:{user.pk}:{window}"
    cache.add(key, 0, timeout=RATE_WINDOW * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr, or the cache is down (it fails open)
        return True
    return count is None or count <= settings.PICKER_RATE


def _matches(picker, queryset, text):
    """The records of ``queryset`` matching the typed ``text`` (at most MATCHES_SHOWN + 1, so that
    "more than shown" can be told); none is a form error asking for fewer letters."""
    matches = list(picker.search(text, queryset)[:MATCHES_SHOWN + 1])
    if not matches:
        raise ValidationError(gettext("No %(kind)s matches “%(text)s”. Try fewer letters.")
                              % {"kind": picker.model._meta.verbose_name, "text": text}, code="no_match")
    return matches


class PickerValue(str):
    """What the widget read from the form: the chosen id (the string itself) and the typed text."""

    text = ""


class PickerWidget(forms.Widget):
    # Under registers/templates/: the default form renderer reads widget templates from the apps.
    template_name = "registers/widgets/picker.html"

    def __init__(self, picker, attrs=None):
        super().__init__(attrs)
        self.picker = picker
        self.matches = None  # set by the field when the typed text matched several records

    def value_from_datadict(self, data, files, name):
        value = PickerValue(data.get(name) or "")
        value.text = (data.get(f"{name}_search") or "").strip()[:200]
        return value

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_search" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        text = getattr(value, "text", "")
        chosen = None
        if value not in (None, "") and not self.matches:
            pk = getattr(value, "pk", value)
            chosen = self.picker.model._default_manager.filter(pk=pk).first() if str(pk).isdigit() else None
            if chosen is not None:
                text = str(chosen)
        context["widget"].update({
            "text": text, "url": self.picker.url(), "matches": self.matches,
            "chosen_id": chosen.pk if chosen is not None else "",
        })
        return context

    def id_for_label(self, id_):
        return id_


class PickerField(forms.ModelChoiceField):
    """A ModelChoiceField chosen through a ``Picker`` (see the module's docstring)."""

    def __init__(self, picker, queryset=None, **kwargs):
        self.picker = picker
        kwargs.setdefault("widget", PickerWidget(picker))
        super().__init__(queryset=picker.queryset() if queryset is None else queryset, **kwargs)
        self.widget.picker = picker

    def to_python(self, value):
        text = getattr(value, "text", "")
        if value not in (None, "") and str(value).strip():
            return super().to_python(value)
        if not text:
            return None
        matches = _matches(self.picker, self.queryset, text)
        if len(matches) == 1:
            return matches[0]
        opts = self.picker.model._meta
        self.widget.matches = matches[:MATCHES_SHOWN]
        if len(matches) > MATCHES_SHOWN:
            message = gettext("Several %(kinds)s match “%(text)s” (the first %(shown)s are shown; type more letters "
                              "to narrow them): pick one.")
        else:
            message = gettext("Several %(kinds)s match “%(text)s”: pick one.")
        raise ValidationError(message % {"kinds": opts.verbose_name_plural, "text": text, "shown": MATCHES_SHOWN},
                              code="pick_one")


class PickerValues(list):
    """The chosen ids of a multiple picker, and the text typed in its search box."""

    text = ""


class MultiPickerWidget(forms.Widget):
    """The chosen records as ticked boxes (untick one to drop it) and a search box to add more.

    With JavaScript, typing lists matches from the picker's endpoint and choosing one adds
    its box; without, the typed text is searched on submit (``MultiPickerField.clean``).
    """

    template_name = "registers/widgets/multipicker.html"

    def __init__(self, picker, attrs=None):
        super().__init__(attrs)
        self.picker = picker
        self.matches = None  # set by the field when the typed text matched several records

    def value_from_datadict(self, data, files, name):
        try:
            values = data.getlist(name)
        except AttributeError:  # a plain dict (an import's row)
            values = data.get(name) or []
            values = values if isinstance(values, list | tuple) else [values]
        value = PickerValues(str(v) for v in values if str(v).strip())
        value.text = (data.get(f"{name}_search") or "").strip()[:200]
        return value

    def value_omitted_from_data(self, data, files, name):
        return False  # unticking every box sends nothing: that is a choice of none

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        values = value if isinstance(value, list | tuple) else ([] if value in (None, "") else [value])
        ids = [str(getattr(v, "pk", v)) for v in values]
        ids = [int(v) for v in ids if v.isdigit()][:MAX_CHOSEN]
        chosen = list(self.picker.queryset().filter(pk__in=ids)) if ids else []
        context["widget"].update({
            "text": getattr(value, "text", ""), "url": self.picker.url(), "chosen": chosen,
            "matches": [m for m in (self.matches or []) if m.pk not in ids],
        })
        return context

    def id_for_label(self, id_):
        return id_


class MultiPickerField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField chosen through a ``Picker``: the records ticked, plus the one the
    typed text names (several matches are offered as boxes to tick, with an error asking to)."""

    def __init__(self, picker, queryset=None, **kwargs):
        self.picker = picker
        kwargs.setdefault("widget", MultiPickerWidget(picker))
        super().__init__(queryset=picker.queryset() if queryset is None else queryset, **kwargs)
        self.widget.picker = picker

    def clean(self, value):
        text = getattr(value, "text", "")
        ids = [str(v) for v in (value or [])]
        if text:
            matches = _matches(self.picker, self.queryset, text)
            opts = self.picker.model._meta
            if len(matches) == 1:
                if str(matches[0].pk) not in ids:
                    ids.append(str(matches[0].pk))
            else:
                self.widget.matches = matches[:MATCHES_SHOWN]
                raise ValidationError(gettext("Several %(kinds)s match “%(text)s”: tick the ones to add.")
                                      % {"kinds": opts.verbose_name_plural, "text": text}, code="pick_some")
        if len(ids) > MAX_CHOSEN:
            raise ValidationError(gettext("Choose at most %(count)s.") % {"count": MAX_CHOSEN}, code="too_many")
        return super().clean(ids)


def use_pickers(form, *, search_all=False):
    """Swap each ModelChoiceField (and ModelMultipleChoiceField) of ``form`` whose model has a picker
    for a PickerField (MultiPickerField).

    ``search_all``: search the picker's whole register rather than the field's queryset
    (for list filters, whose querysets may join big tables).
    """
    for name, form_field in list(form.fields.items()):
        if not isinstance(form_field, forms.ModelChoiceField) or isinstance(
                form_field, (PickerField, MultiPickerField)):
            continue
        picker = picker_for(form_field.queryset.model)
        if picker is None:
            continue
        queryset = picker.queryset() if search_all else form_field.queryset
        field_class = MultiPickerField if isinstance(form_field, forms.ModelMultipleChoiceField) else PickerField
        form.fields[name] = field_class(
            picker, queryset=queryset, required=form_field.required, label=form_field.label,
            help_text=form_field.help_text, initial=form_field.initial, disabled=form_field.disabled)
