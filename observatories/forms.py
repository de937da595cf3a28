"""Register forms and filters of the observatories app."""

import django_filters
from django.utils.translation import gettext_lazy as _

from organisations.labels import country_choices
from organisations.models import Organisation
from registers.forms import RegisterForm, StatusChangeForm

from .models import Observatory, SkillGap


class ObservatoryForm(RegisterForm):
    class Meta:
        model = Observatory
        fields = ["name", "region", "host_organisation", "status", "launched_on", "website", "description"]
        help_texts = {
            "status": _("Planned observatories are not counted; an active one counts from its launch date. "
                      "Close one with “Change status”."),
            "launched_on": _("Required once the observatory is active."),
        }


class ObservatoryStatusForm(StatusChangeForm):
    class Meta:
        model = Observatory
        fields = ["status", "launched_on", "closed_on"]
        help_texts = {
            "status": _("Close an observatory instead of deleting it: it stays counted up to its closing date."),
        }


class SkillGapForm(RegisterForm):
    class Meta:
        model = SkillGap
        fields = ["observatory", "title", "description", "esco_skill_uri", "esco_skill_label", "isco_code",
                  "nace_code", "critical", "identified_on", "status", "evidence", "evidence_url"]
        help_texts = {
            "esco_skill_uri": _("Copy it from the ESCO portal (esco.ec.europa.eu), e.g. "
                              "http://data.europa.eu/esco/skill/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d."),
            "critical": _("Only critical, validated skill gaps count towards the indicator."),
            "status": _("Candidate until the observatory validates it; retire it instead of deleting it."),
        }


class SkillGapStatusForm(StatusChangeForm):
    class Meta:
        model = SkillGap
        fields = ["status", "retired_on"]
        help_texts = {"status": _("Retire a skill gap that is no longer critical: it stops being counted.")}


class ObservatoryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Observatory.Status.choices)
    country = django_filters.ChoiceFilter(field_name="region__country", choices=country_choices, label=_("Country"))
    host_organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all())

    class Meta:
        model = Observatory
        fields = ["status", "host_organisation"]


class SkillGapFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SkillGap.Status.choices)
    observatory = django_filters.ModelChoiceFilter(queryset=Observatory.objects.all())
    critical = django_filters.BooleanFilter()
    nace_code = django_filters.CharFilter(lookup_expr="istartswith", label=_("NACE code starts with"))
    identified_after = django_filters.DateFilter(field_name="identified_on", lookup_expr="gte",
                                                 label=_("Identified from"))

    class Meta:
        model = SkillGap
        fields = ["status", "observatory", "critical"]
