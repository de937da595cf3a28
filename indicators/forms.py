"""Forms of reported values."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator

from registers.engine import decorate_widgets

from .models import Indicator, Report
from .reports import check_evidence_file


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["indicator", "organisation", "as_of", "value", "evidence_file", "evidence_url", "note"]
        labels = {"as_of": "Value as of", "evidence_file": "Evidence file", "evidence_url": "…or evidence URL"}
        help_texts = {
            "indicator": "Only indicators without a register take reported values.",
            "organisation": "The organisation the value is for.",
            "as_of": "The date the value describes (not in the future).",
            "value": "A number, 0 or more.",
            "evidence_file": "PDF, Excel, Word, CSV, PNG or JPEG, at most 10 MB. Only managers and staff can open it.",
            "evidence_url": "A link to the evidence, e.g. https://… (give a file, a URL or both).",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["indicator"].queryset = Indicator.objects.filter(source=Indicator.Source.REPORTED)
        # The database refuses a negative value; say so on the field.
        self.fields["value"].validators.append(MinValueValidator(0, "A reported value is 0 or more."))
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
            raise ValidationError({"evidence_url": "Give the evidence: upload a file or give its URL."})
        return cleaned


class ReviewForm(forms.Form):
    review_note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="Required to reject: the reporter reads it.")


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Report.Status.choices)
    indicator = django_filters.ModelChoiceFilter(queryset=Indicator.objects.filter(source=Indicator.Source.REPORTED))

    class Meta:
        model = Report
        fields = ["status", "indicator", "organisation"]
