"""Measures of the alliance registers, registered with the indicator engine.

Each measure's ``records(on)`` yields one row per counted record (see
``indicators.registry``); each breakdown attributes a record to exactly one part.
"""

from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from indicators.registry import Dimension, Interval, Measure, registry
from organisations.labels import (
    MAX_ORGANISATION_PARTS,
    RESPONSIBLE_ORGANISATION,
    country_name,
    organisation_names,
    region_labels,
)
from organisations.models import Organisation

from .models import AllianceMember, CooperationProject, MoU, alliance_lead


def kind_label(key):
    return dict(Organisation.Kind.choices).get(key, key)


def category_label(key):
    return dict(AllianceMember.Category.choices).get(key, key)


def members_on(on):
    """The memberships active on ``on``, one per organisation: memberships of an organisation never overlap
    (``AllianceMember.clean``, and the database refuses a row written around it: an exclusion constraint on
    PostgreSQL, triggers elsewhere)."""
    return AllianceMember.objects.active_on(on)


def cooperation_projects_on(on):
    """Cooperation projects among alliance members counted on ``on``.

    A project counts on ``on`` when it started on or before ``on``, is not planned, was not
    cancelled on or before ``on``, and at least two of its participants were alliance members
    active on the project's start date (``CooperationProject.objects.counted_on``).
    """
    return CooperationProject.objects.counted_on(on)


def mous_on(on):
    """Approved MoUs signed on or before ``on``: submitted, rejected, withdrawn never count."""
    return MoU.objects.countable().filter(signed_on__lte=on)


def projects_changed_by_membership(old, new):
    """The earliest start of a project a membership change alters (False: none): a project of the
    organisation (as a participant) started while the membership, before or after the change, ran.

    A member joining today alters no project started before today, so saving one recounts
    the members only.
    """
    fields = ("organisation", "joined_on", "left_on")
    if old and new and all(old.get(name) == new.get(name) for name in fields):
        return False
    rows = [row for row in (old, new) if row]
    projects = CooperationProject.objects.filter(participants__in={row["organisation"] for row in rows},
                                                 started_on__gte=min(row["joined_on"] for row in rows))
    if all(row["left_on"] is not None for row in rows):
        projects = projects.filter(started_on__lt=max(row["left_on"] for row in rows))
    return projects.aggregate(first=Min("started_on"))["first"] or False


ORGANISATION_MODELS = ("organisations.Organisation", "organisations.Region")

registry.register(Measure(
    key="alliance-members",
    label=_("Alliance members"),
    description="Distinct organisations with a membership that began on or before the date and has not ended "
                "on or before it; an organisation that left and rejoined counts once.",
    records=members_on,
    aggregate="count",
    field="organisation_id",
    models=("alliance.AllianceMember", *ORGANISATION_MODELS),
    date_field="joined_on",
    event_dates={"alliance.AllianceMember": ("joined_on", "left_on")},
    # One membership per organisation on any date (enforced by the database): counting the memberships
    # active on a date counts the organisations.
    interval=Interval(AllianceMember.objects.countable, "joined_on", "left_on"),
    dimensions=(
        Dimension("country", _("Country"), "organisation__country", display=country_name),
        Dimension("region", _("Region"), "organisation__region_id", labels=region_labels),
        Dimension("kind", _("Organisation kind"), "organisation__kind", display=kind_label),
        Dimension("category", _("Member category (of the membership active on the date)"), "category",
                  display=category_label),
        # Every membership is the Alliance lead's record (the organisation set as such on the project).
        Dimension(RESPONSIBLE_ORGANISATION, _("Responsible organisation"), alliance_lead(),
                  labels=organisation_names, max_parts=MAX_ORGANISATION_PARTS),
    ),
    add_url_name="alliance:member-create",
    detail_url_name="alliance:member-detail",
))

registry.register(Measure(
    key="cooperation-projects",
    label=_("Cooperation projects"),
    description="Projects started on or before the date, not planned, not cancelled on or before it, with at "
                "least two participants that were alliance members on the project's start date.",
    records=cooperation_projects_on,
    models=("alliance.CooperationProject", "alliance.AllianceMember", *ORGANISATION_MODELS),
    date_field="started_on",
    event_dates={"alliance.CooperationProject": ("started_on", "cancelled_on")},
    # A membership corrected or back-dated changes the projects its organisation started since.
    change_dates={"alliance.AllianceMember": projects_changed_by_membership},
    interval=Interval(CooperationProject.objects.countable, "started_on", "cancelled_on"),
    dimensions=(
        # A project has partners in several countries: it is attributed once, to its lead's country.
        Dimension("lead_country", _("Lead organisation's country (each project once, by its lead)"),
                  "lead_organisation__country", display=country_name),
        Dimension(RESPONSIBLE_ORGANISATION, _("Responsible organisation (the lead)"), "lead_organisation_id",
                  labels=organisation_names, max_parts=MAX_ORGANISATION_PARTS),
    ),
    add_url_name="alliance:cooperation-project-create",
    detail_url_name="alliance:cooperation-project-detail",
))

registry.register(Measure(
    key="mous",
    label=_("Memoranda of understanding"),
    description="Approved MoUs signed on or before the date; submitted, rejected and withdrawn ones never count.",
    records=mous_on,
    models=("alliance.MoU", *ORGANISATION_MODELS),
    date_field="signed_on",
    event_dates={"alliance.MoU": ("signed_on",)},
    interval=Interval(MoU.objects.countable, "signed_on"),
    dimensions=(
        Dimension("counterpart_country", _("Counterpart's country"), "counterpart__country", display=country_name),
        Dimension("counterpart_kind", _("Counterpart's kind"), "counterpart__kind", display=kind_label),
        Dimension(RESPONSIBLE_ORGANISATION, _("Responsible organisation (the partner that brings it)"),
                  "partner_organisation_id", labels=organisation_names, max_parts=MAX_ORGANISATION_PARTS),
    ),
    add_url_name="alliance:mou-create",
    detail_url_name="alliance:mou-detail",
))
