"""Register forms and filters of the training app."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from organisations.models import Organisation
from registers.engine import RegisterForm

from .models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential


class MicroCredentialForm(RegisterForm):
    esco_skills = forms.CharField(
        label="ESCO skills", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One ESCO skill URI a line, e.g. http://data.europa.eu/esco/skill/"
                  "2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d (copy it from the ESCO portal).")

    class Meta:
        model = MicroCredential
        fields = ["title", "awarding_body", "co_awarding_organisations", "learning_outcomes", "esco_skills", "ects",
                  "hours", "eqf_level", "assessment_type", "participation_form", "quality_assurance",
                  "prerequisites", "supervision_identity_verification", "grade_scheme", "integration_stackability",
                  "further_information", "skill_gaps", "status", "published_on"]
        help_texts = {
            "eqf_level": "European Qualifications Framework level 1 to 8. The LCAMP indicator counts levels 3 to 6: "
                         "3-4 upper-secondary VET, 5 short-cycle tertiary, 6 bachelor level.",
            "status": "Only published micro-credentials count; retire one instead of deleting it.",
            "published_on": "Required once published.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and isinstance(self.initial.get("esco_skills"), list):
            self.initial["esco_skills"] = "\n".join(self.initial["esco_skills"])

    def clean_esco_skills(self):
        return [line.strip() for line in self.cleaned_data["esco_skills"].splitlines() if line.strip()]


class MicroCredentialStatusForm(RegisterForm):
    class Meta:
        model = MicroCredential
        fields = ["status", "published_on"]


class LearningFactoryForm(RegisterForm):
    class Meta:
        model = LearningFactory
        fields = ["name", "host_organisation", "region", "description"]


class FactoryExchangeForm(RegisterForm):
    not_duplicate = forms.BooleanField(
        required=False, label="Not a duplicate",
        help_text="Tick only when asked: another exchange with the same factory, partners, dates and students "
                  "exists, and this one is a different exchange.")

    class Meta:
        model = FactoryExchange
        fields = ["factory", "title", "partner_organisations", "students", "started_on", "ended_on", "status"]
        help_texts = {
            "partner_organisations": "The organisations the students work with. Students count as international "
                                     "when a partner is in another country than the factory's host.",
            "students": "How many students of the factory take part, 1 or more.",
            "status": "Cancel an exchange instead of deleting it: a cancelled exchange is not counted.",
        }


class FactoryExchangeStatusForm(RegisterForm):
    class Meta:
        model = FactoryExchange
        fields = ["status"]


class FactoryProductForm(RegisterForm):
    class Meta:
        model = FactoryProduct
        fields = ["title", "description", "factories", "collaborating_organisations", "status", "developed_on",
                  "evidence_url"]
        help_texts = {
            "collaborating_organisations": "At least two organisations: the indicator counts collaborative products.",
            "developed_on": "Required once developed.",
        }

    def clean(self):
        cleaned = super().clean()
        if "collaborating_organisations" in cleaned:
            try:
                FactoryProduct.validate_collaborators(list(cleaned["collaborating_organisations"]))
            except ValidationError as error:
                self.add_error("collaborating_organisations", error.message_dict["collaborating_organisations"])
        return cleaned


class FactoryProductStatusForm(RegisterForm):
    class Meta:
        model = FactoryProduct
        fields = ["status", "developed_on"]


class MicroCredentialFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MicroCredential.Status.choices)
    eqf_level = django_filters.NumberFilter(label="EQF level")
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
    started_after = django_filters.DateFilter(field_name="started_on", lookup_expr="gte", label="Started from")

    class Meta:
        model = FactoryExchange
        fields = ["status", "factory"]


class FactoryProductFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FactoryProduct.Status.choices)
    factories = django_filters.ModelChoiceFilter(queryset=LearningFactory.objects.all(), label="Factory")

    class Meta:
        model = FactoryProduct
        fields = ["status", "factories"]
