"""Measures of the observatories registers, registered with the indicator engine."""

from django.db.models.functions import Substr
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from indicators.registry import Dimension, Interval, Measure, registry
from organisations.labels import (
    MAX_ORGANISATION_PARTS,
    RESPONSIBLE_ORGANISATION,
    country_name,
    organisation_names,
    region_labels,
)
from registers.display import distinct_labels

from .models import Observatory, SkillGap

NACE_SECTIONS = {
    "A": gettext_noop("Agriculture, forestry and fishing"),
    "B": gettext_noop("Mining and quarrying"),
    "C": gettext_noop("Manufacturing"),
    "D": gettext_noop("Electricity, gas, steam and air conditioning supply"),
    "E": gettext_noop("Water supply; sewerage, waste management and remediation"),
    "F": gettext_noop("Construction"),
    "G": gettext_noop("Wholesale and retail trade; repair of motor vehicles"),
    "H": gettext_noop("Transportation and storage"),
    "I": gettext_noop("Accommodation and food service activities"),
    "J": gettext_noop("Information and communication"),
    "K": gettext_noop("Financial and insurance activities"),
    "L": gettext_noop("Real estate activities"),
    "M": gettext_noop("Professional, scientific and technical activities"),
    "N": gettext_noop("Administrative and support service activities"),
    "O": gettext_noop("Public administration and defence; compulsory social security"),
    "P": gettext_noop("Education"),
    "Q": gettext_noop("Human health and social work activities"),
    "R": gettext_noop("Arts, entertainment and recreation"),
    "S": gettext_noop("Other service activities"),
    "T": gettext_noop("Activities of households as employers"),
    "U": gettext_noop("Activities of extraterritorial organisations and bodies"),
}


def nace_section_label(section):
    """``C`` -> ``C Manufacturing``, the section's name in the reader's language."""
    name = NACE_SECTIONS.get(section)
    return f"{section} {gettext(name)}" if name else section


def observatory_names(ids):
    """``{id: label}`` of the observatories ``ids``: the labels of a breakdown by observatory, one query.

    An observatory's name; two of one name are told apart by their region, then their host
    (``distinct_labels``): a breakdown never shows two parts under one label."""
    wanted = {i for i in ids if i is not None}
    # Against every observatory of those names: a key's label does not depend on which others a breakdown holds.
    names = Observatory.objects.filter(pk__in=wanted).order_by().values("name")
    rows = Observatory.objects.filter(name__in=names).order_by().values_list(
        "pk", "name", "region__name", "host_organisation__name")
    labels = distinct_labels({pk: [name, region or "", host or ""] for pk, name, region, host in rows})
    return {pk: label for pk, label in labels.items() if pk in wanted}


def observatories_on(on):
    """Launched on or before ``on``, not closed on or before it, not planned."""
    return Observatory.objects.active_on(on)


def skill_gaps_on(on):
    """Critical, validated skill gaps identified on or before ``on``, not retired on or before it."""
    return SkillGap.objects.counted_on(on)


registry.register(Measure(
    key="observatories",
    label=_("Regional observatories"),
    description="Observatories launched on or before the date, not closed on or before it, not planned.",
    records=observatories_on,
    models=("observatories.Observatory", "organisations.Region"),
    date_field="launched_on",
    event_dates={"observatories.Observatory": ("launched_on", "closed_on")},
    interval=Interval(Observatory.objects.countable, "launched_on", "closed_on"),
    dimensions=(
        Dimension("country", _("Country (of the observatory's region)"), "region__country", display=country_name),
        Dimension("region", _("Region"), "region_id", labels=region_labels),
        Dimension(RESPONSIBLE_ORGANISATION, _("Responsible organisation (the host)"), "host_organisation_id",
                  labels=organisation_names, max_parts=MAX_ORGANISATION_PARTS),
    ),
    add_url_name="observatories:observatory-create",
    detail_url_name="observatories:observatory-detail",
))

registry.register(Measure(
    key="skill-gaps",
    label=_("Critical skill gaps"),
    description="Critical, validated skill gaps identified on or before the date, not retired on or before it.",
    records=skill_gaps_on,
    models=("observatories.SkillGap", "observatories.Observatory", "organisations.Region"),
    date_field="identified_on",
    event_dates={"observatories.SkillGap": ("identified_on", "retired_on")},
    interval=Interval(SkillGap.objects.countable, "identified_on", "retired_on"),
    dimensions=(
        Dimension("observatory", _("Observatory"), "observatory_id", labels=observatory_names),
        Dimension("region", _("Region (of the observatory)"), "observatory__region_id",
                  labels=region_labels),
        # The section is the first letter of the NACE code (C28.4 -> C).
        Dimension("nace_section", _("NACE section (first letter of the NACE code)"), Substr("nace_code", 1, 1),
                  display=nace_section_label),
        Dimension(RESPONSIBLE_ORGANISATION, _("Responsible organisation (the observatory's host)"),
                  "observatory__host_organisation_id", labels=organisation_names, max_parts=MAX_ORGANISATION_PARTS),
    ),
    add_url_name="observatories:skill-gap-create",
    detail_url_name="observatories:skill-gap-detail",
))
