"""Register pages of organisations and regions (see ``registers.pages``)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from registers.pages import Column, Register

from . import forms
from .models import Organisation, Region

# Links the floors above add to an organisation's page, each a callable ``(request, organisation) ->
# (label, url) or None`` registered in their ``AppConfig.ready()`` (reporting adds its contribution page):
# this app names no floor above it.
DETAIL_LINKS = []


@dataclass
class OrganisationRegister(Register):
    """The organisations' register: its record page shows the links of ``DETAIL_LINKS`` the user may follow."""

    def queryset_for(self, request):
        return Organisation.visible_to(super().queryset_for(request), request.user)

    def render(self, request, kind, context, status=200):
        if kind == "detail" and "object" in context:
            links = [link(request, context["object"]) for link in DETAIL_LINKS]
            context = {**context, "detail_links": [link for link in links if link]}
        return super().render(request, kind, context, status=status)


organisations = OrganisationRegister(
    model=Organisation, name="organisation", slug="organisations", namespace="organisations",
    partner_access="read",  # the directory partners name their counterparts from
    form_class=forms.OrganisationForm, filterset_class=forms.OrganisationFilter,
    search_fields=("name", "acronym", "city", "erasmus_oid", "pic"), default_sort="name",
    select_related=("region",),
    # The import's columns too (``importable``): an export imports back as it is.
    export_fields=("name", "acronym", "kind", "country", ("region", "region__code"), "city", "website",
                   "erasmus_oid", "pic", "is_consortium_partner"),
    columns=[
        Column(_("Name"), "name", sort="name"),
        Column(_("Acronym"), "acronym", sort="acronym"),
        Column(_("Type"), "kind", sort="kind"),
        Column(_("Country"), "country", sort="country"),
        Column(_("City"), "city", sort="city"),
        Column(_("Consortium partner"), "is_consortium_partner", sort="is_consortium_partner"),
    ],
    detail_fields=("name", "acronym", "kind", "country", "region", "city", "website", "erasmus_oid", "pic",
                   "is_consortium_partner", "is_coordinator"),
    empty_help=_("Or import many at once from a CSV or Excel file."),
    importable=True,
    import_example={"name": "Centro Integrado de FP Easo", "acronym": "EASO", "kind": "vet", "country": "ES",
                    "region": "ES21", "city": "Donostia", "website": "https://www.easo.eus",
                    "is_consortium_partner": "no"},
)

regions = Register(
    importable=True,
    model=Region, name="region", slug="regions", namespace="organisations", partner_access="read",
    form_class=forms.RegionForm, filterset_class=forms.RegionFilter,
    search_fields=("code", "name"), default_sort="code",
    columns=[
        Column(_("Code"), "code", sort="code"),
        Column(_("Name"), "name", sort="name"),
        Column(_("Country"), "country", sort="country"),
        Column(_("NUTS level"), "level", sort="level", numeric=True),
        Column(_("NUTS version"), "nuts_version", sort="nuts_version"),
    ],
    detail_fields=("code", "name", "country", "level", "nuts_version", "is_nuts"),
)
