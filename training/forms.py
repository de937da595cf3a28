"""Register forms and filters of the training app."""

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from registers.forms import RegisterForm, StatusChangeForm
from registers.validators import validate_no_control_characters

from .models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential
from .vocabularies import isced_f_choices, language_choices

# The title and learning outcomes are written in English (the fallback every reader
# gets) and, optionally, in each other language of the consortium.
DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
OTHER_LANGUAGES = [(code, name) for code, name in settings.LANGUAGES if code != DEFAULT_LANGUAGE]
TRANSLATED_FIELDS = {
    "title": _("Title in %(language)s"),
    "learning_outcomes": _("Learning outcomes in %(language)s"),
}


class SuggestingInput(forms.TextInput):
    """A text input that suggests values (``<datalist>``): ``suggestions()`` gives ``(value, label)`` pairs,
    called when the input is drawn, so that the labels are in the page's language."""

    def __init__(self, suggestions, attrs=None):
        super().__init__(attrs)
        self.suggestions = suggestions

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or self.attrs.get('id') or 'id_' + name}-suggestions"
        attrs = {**(attrs or {}), "list": list_id}
        options = format_html_join("", '<option value="{}">{}</option>', self.suggestions())
        return format_html("{}<datalist id=\"{}\">{}</datalist>", super().render(name, value, attrs, renderer),
                           list_id, options)


class MicroCredentialForm(RegisterForm):
    # The languages named and sorted in the reader's language when the form is drawn (a callable).
    languages = forms.MultipleChoiceField(
        label=_("Languages of instruction"), choices=language_choices, required=False,
        help_text=_("The languages it is taught in. None selected: the default language."))
    esco_skills = forms.CharField(validators=[validate_no_control_characters],
        label=_("ESCO skills"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One ESCO skill URI a line, e.g. http://data.europa.eu/esco/skill/"
                  "2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d (copy it from the ESCO portal)."))

    class Meta:
        model = MicroCredential
        fields = ["title", "awarding_body", "co_awarding_organisations", "learning_outcomes", "esco_skills", "ects",
                  "hours", "eqf_level", "assessment_type", "participation_form", "quality_assurance",
                  "homepage", "default_language", "languages", "isced_f", "learning_opportunity_type",
                  "prerequisites", "identity_verification", "supervision_identity_verification", "grade_scheme",
                  "integration_stackability", "further_information", "skill_gaps", "status", "published_on",
                  *(f"{field}_{code}" for field in TRANSLATED_FIELDS for code, _name in OTHER_LANGUAGES)]
        help_texts = {
            "eqf_level": _("European Qualifications Framework level 1 to 8. The LCAMP indicator counts levels 3 to 6: "
                         "3-4 upper-secondary VET, 5 short-cycle tertiary, 6 bachelor level."),
            "status": _("Only published micro-credentials count; retire one instead of deleting it."),
            "published_on": _("Required once published."),
        }

    def __init__(self, *args, **kwargs):
        # "title" and "learning_outcomes" are the English texts, whatever language the
        # person works in (django-modeltranslation would otherwise read and write the
        # active language's column).
        with translation.override(DEFAULT_LANGUAGE):
            super().__init__(*args, **kwargs)
        if "default_language" in self.fields:
            self.fields["default_language"].choices = language_choices
        if "isced_f" in self.fields:
            self.fields["isced_f"].widget = SuggestingInput(isced_f_choices, attrs=self.fields["isced_f"].widget.attrs)
        for field, label in TRANSLATED_FIELDS.items():
            for code, name in OTHER_LANGUAGES:
                form_field = self.fields[f"{field}_{code}"]
                form_field.label = label % {"language": name}
                form_field.help_text = _("Optional. Readers in this language see the English text when it is empty.")
        if not self.is_bound and isinstance(self.initial.get("esco_skills"), list):
            self.initial["esco_skills"] = "\n".join(self.initial["esco_skills"])

    def clean_esco_skills(self):
        return [line.strip() for line in self.cleaned_data["esco_skills"].splitlines() if line.strip()]

    def _post_clean(self):
        with translation.override(DEFAULT_LANGUAGE):
            super()._post_clean()


class MicroCredentialStatusForm(StatusChangeForm):
    class Meta:
        model = MicroCredential
        fields = ["status", "published_on", "retired_on"]


class LearningFactoryForm(RegisterForm):
    class Meta:
        model = LearningFactory
        fields = ["name", "host_organisation", "region", "description"]


class FactoryExchangeForm(RegisterForm):
    not_duplicate = forms.BooleanField(
        required=False, label=_("Not a duplicate"),
        help_text=_("Tick only when asked: another exchange with the same factory, partners, dates and students "
                  "exists, and this one is a different exchange."))

    class Meta:
        model = FactoryExchange
        fields = ["factory", "title", "partner_organisations", "students", "started_on", "ended_on", "status"]
        help_texts = {
            "partner_organisations": _("The organisations the students work with. Students count as international "
                                     "when a partner is in another country than the factory's host."),
            "students": _("How many students of the factory take part, 1 or more."),
            "status": _("Cancel an exchange instead of deleting it: a cancelled exchange is not counted."),
        }


class FactoryExchangeStatusForm(StatusChangeForm):
    class Meta:
        model = FactoryExchange
        fields = ["status", "cancelled_on"]


class FactoryProductForm(RegisterForm):
    class Meta:
        model = FactoryProduct
        fields = ["title", "description", "factories", "collaborating_organisations", "status", "developed_on",
                  "evidence_url"]
        help_texts = {
            "collaborating_organisations": _("At least two organisations: the indicator counts collaborative products."),
            "developed_on": _("Required once developed."),
        }

    def clean(self):
        cleaned = super().clean()
        if "collaborating_organisations" in cleaned:
            try:
                FactoryProduct.validate_collaborators(list(cleaned["collaborating_organisations"]))
            except ValidationError as error:
                self.add_error("collaborating_organisations", error.message_dict["collaborating_organisations"])
        return cleaned


class FactoryProductStatusForm(StatusChangeForm):
    class Meta:
        model = FactoryProduct
        fields = ["status", "developed_on", "retired_on"]


class MicroCredentialFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MicroCredential.Status.choices)
    eqf_level = django_filters.NumberFilter(label=_("EQF level"))
    awarding_body = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all())
    participation_form = django_filters.ChoiceFilter(choices=MicroCredential.Participation.choices)

    class Meta:
        model = MicroCredential
        fields = ["status", "eqf_level", "awarding_body", "participation_form"]


class LearningFactoryFilter(django_filters.FilterSet):
    host_organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all())

    class Meta:
        model = LearningFactory
        fields = ["host_organisation"]


class FactoryExchangeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FactoryExchange.Status.choices)
    factory = django_filters.ModelChoiceFilter(queryset=LearningFactory.objects.all())
    started_after = django_filters.DateFilter(field_name="started_on", lookup_expr="gte", label=_("Started from"))

    class Meta:
        model = FactoryExchange
        fields = ["status", "factory"]


class FactoryProductFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FactoryProduct.Status.choices)
    factories = django_filters.ModelChoiceFilter(queryset=LearningFactory.objects.all(), label=_("Factory"))

    class Meta:
        model = FactoryProduct
        fields = ["status", "factories"]
