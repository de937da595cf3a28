"""The widgets of the register forms and filters: date pickers, fast selects, search pickers."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_countries.fields import LazyTypedChoiceField, LazyTypedMultipleChoiceField

from . import l10n
from .pickers import use_pickers

# The form fields of a ``CountryField``.
CountryFormField = (LazyTypedChoiceField, LazyTypedMultipleChoiceField)


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
        if isinstance(form_field, CountryFormField):  # django-countries' names: CLDR's, as everywhere else
            blank = [choice for choice in form_field.choices if choice[0] == ""][:1]
            form_field.choices = [*blank, *l10n.country_choices()]
        if isinstance(form_field, forms.DateField) and not isinstance(widget, forms.HiddenInput):
            form_field.widget = DateInput(attrs=widget.attrs)
        elif isinstance(widget, forms.Select) and (
            isinstance(form_field, forms.ModelChoiceField) or len(list(getattr(form_field, "choices", ()))) > 15
        ):
            widget.attrs["data-searchable"] = "1"
        if form_field.required and not isinstance(widget, (forms.CheckboxInput, forms.HiddenInput)):
            widget.attrs.setdefault("required", True)
