"""Forms of reported values."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registers.validators import validate_no_control_characters
from registers.widgets import decorate_widgets

from ..models import Indicator, Report
from .services import check_evidence_file


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["indicator", "organisation", "as_of", "value", "evidence_file", "evidence_url", "note"]
        labels = {"as_of": _("Value as of"), "evidence_file": _("Evidence file"), "evidence_url": _("…or evidence URL")}
        help_texts = {
            "indicator": _("Only indicators without a register take reported values."),
            "organisation": _("The organisation the value is for."),
            "as_of": _("The date the value describes (not in the future)."),
            "value": _("A number, 0 or more."),
            "evidence_file": _("PDF, Excel, Word, CSV, PNG or JPEG, at most 10 MB. Only managers and staff can open it."),
            "evidence_url": _("A link to the evidence, e.g. https://… (give a file, a URL or both)."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["indicator"].queryset = Indicator.objects.filter(source=Indicator.Source.REPORTED)
        # The database refuses a negative value; say so on the field.
        self.fields["value"].validators.append(MinValueValidator(0, gettext("A reported value is 0 or more.")))
        self.fields["value"].widget.attrs["min"] = "0"
        self.fields["evidence_file"].widget = forms.FileInput(attrs={"accept": ".pdf,.xlsx,.docx,.csv,.png,.jpg,.jpeg"})
        decorate_widgets(self)

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload and hasattr(upload, "size"):
            check_evidence_file(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("evidence_file") and not cleaned.get("evidence_url") and \
                "evidence_file" not in self.errors and "evidence_url" not in self.errors:
            raise ValidationError({"evidence_url": gettext("Give the evidence: upload a file or give its URL.")})
        return cleaned


class ReviewForm(forms.Form):
    review_note = forms.CharField(validators=[validate_no_control_characters], label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("Required to reject: the reporter reads it."))


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Report.Status.choices)
    indicator = django_filters.ModelChoiceFilter(queryset=Indicator.objects.filter(source=Indicator.Source.REPORTED))

    class Meta:
        model = Report
        fields = ["status", "indicator", "organisation"]


class ReportedIndicatorForm(forms.ModelForm):
    """A manager defines an indicator without a register: its values are reported."""

    class Meta:
        model = Indicator
        fields = ["code", "title", "description", "unit", "baseline", "target", "target_date", "time_rule"]
        labels = {"time_rule": _("Over time")}
        help_texts = {
            "code": _("A short name in the URL, lower case letters, digits and hyphens, e.g. trained-teachers."),
            "unit": _("What is counted, e.g. teachers, students, euros."),
            "target": _("The value to reach by the target date, 0 or more."),
            "time_rule": _("How an organisation's values combine over time: its latest value, the sum of all its "
                         "values, or the largest. Across organisations the values are added up."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        self.instance.source = Indicator.Source.REPORTED
        self.fields["target_date"].initial = project.end_on
        for name in ("target", "baseline"):
            self.fields[name].validators.append(MinValueValidator(0, gettext("A value is 0 or more.")))
            self.fields[name].widget.attrs["min"] = "0"
        decorate_widgets(self)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Indicator.objects.filter(project=self.instance.project, code=code).exists():
            raise ValidationError(gettext("An indicator already has this code: choose another."))
        return code
