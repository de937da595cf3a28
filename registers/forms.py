"""The forms of the register pages: a record's form with the version it was read at, the status
change with its date, the correction with its reason; and ``add_errors``, which puts a service's
ValidationError on a form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import l10n
from .records import current_version
from .validators import validate_no_control_characters
from .widgets import decorate_widgets


def add_errors(form, error):
    """Put a service's ValidationError on the form's fields (or on the form when not a field)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


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
    that holds when (``retired_on``, ``cancelled_on``, ``closed_on``): the model's
    ``end_of_life``. The date defaults to
    today and may not be in the future (the field's validators). A record already ended
    keeps its status and date here: reinstating it, or moving the date of its end, rewrites
    history, which is a correction ("Correct this record", with a reason).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.end_status, self.end_field = self._meta.model.end_of_life
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
                                  "date": l10n.short_date(self.saved_end)} + " " + correction)
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

    reason = forms.CharField(validators=[validate_no_control_characters],
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
