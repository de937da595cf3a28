"""Register forms and filters of organisations and regions."""

import django_filters
from django.utils.translation import gettext_lazy as _

from registers.forms import RegisterForm

from .labels import country_choices
from .models import Organisation, Region


class OrganisationForm(RegisterForm):
    class Meta:
        model = Organisation
        fields = ["name", "acronym", "kind", "country", "region", "city", "website", "erasmus_oid", "pic",
                  "is_consortium_partner", "is_coordinator"]
        help_texts = {
            "website": _("The full address, e.g. https://www.tknika.eus."),
            "region": _("Optional: the NUTS region the organisation is in (must be in its country)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # A new organisation's type is chosen, never a default nobody saw (the model's "other" stays
            # for records made elsewhere): an empty first choice, and the field required.
            kind = self.fields["kind"]
            kind.choices = [("", _("Choose a type…")), *Organisation.Kind.choices]
            kind.required = True
            if "kind" not in (kwargs.get("initial") or {}):
                self.initial["kind"] = ""


class RegionForm(RegisterForm):
    class Meta:
        model = Region
        fields = ["code", "nuts_version", "name", "country", "level", "is_nuts", "latitude", "longitude"]


# --- Filters -------------------------------------------------------------------------------------


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, label=_("Type"))
    country = django_filters.ChoiceFilter(choices=country_choices, label=_("Country"))
    is_consortium_partner = django_filters.BooleanFilter(label=_("Consortium partner"))

    class Meta:
        model = Organisation
        fields = ["kind", "country", "is_consortium_partner"]


class RegionFilter(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(choices=country_choices, label=_("Country"))

    class Meta:
        model = Region
        fields = ["country", "level", "nuts_version"]
