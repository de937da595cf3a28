"""Register pages of the observatories app: observatories and the skill gaps they identify."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registers.pages import Column, Register

from . import forms, services
from .models import Observatory, SkillGap


def _save_observatory(form, user, expected_version=None):
    return services.observatory_save(instance=form.instance, user=user, expected_version=expected_version)


def _save_skill_gap(form, user, expected_version=None):
    return services.skill_gap_save(instance=form.instance, user=user, expected_version=expected_version)


observatories = Register(
    importable=True,
    model=Observatory, name="observatory", slug="observatories", namespace="observatories",
    form_class=forms.ObservatoryForm, filterset_class=forms.ObservatoryFilter,
    search_fields=("name", "region__name", "region__code", "host_organisation__name"), default_sort="name",
    select_related=("region", "host_organisation"),
    columns=[
        Column(_("Name"), "name", sort="name"),
        Column(_("Region"), "region", sort="region__code"),
        Column(_("Host"), "host_organisation__name", sort="host_organisation__name"),
        Column(_("Status"), "status", sort="status"),
        Column(_("Launched"), "launched_on", sort="launched_on"),
        Column(_("Closed"), "closed_on", sort="closed_on"),
    ],
    detail_fields=("name", "region", "host_organisation", "status", "launched_on", "closed_on", "website",
                   "description"),
    status_form_class=forms.ObservatoryStatusForm, status_title=_("Change status"),
    status_help=_("Close an observatory instead of deleting it: it stays counted up to the day before it closed."),
    create=_save_observatory, update=_save_observatory, status_update=_save_observatory,
    create_initial=lambda request: {"host_organisation": request.user.organisation_id,
                                    "launched_on": timezone.localdate()},
)

skill_gaps = Register(
    importable=True,
    counted_status=SkillGap.Status.VALIDATED,
    model=SkillGap, name="skill-gap", slug="skill-gaps", namespace="observatories",
    form_class=forms.SkillGapForm, filterset_class=forms.SkillGapFilter,
    search_fields=("title", "esco_skill_label", "esco_skill_uri", "isco_code", "nace_code", "observatory__name"),
    default_sort="-identified_on", select_related=("observatory",),
    columns=[
        Column(_("Title"), "title", sort="title"),
        Column(_("Observatory"), "observatory__name", sort="observatory__name"),
        Column(_("ESCO skill"), "esco_skill_label", sort="esco_skill_label"),
        Column(_("NACE"), "nace_code", sort="nace_code"),
        Column(_("Critical"), "critical", sort="critical"),
        Column(_("Identified"), "identified_on", sort="identified_on"),
        Column(_("Status"), "status", sort="status"),
    ],
    detail_fields=("title", "observatory", "description", "esco_skill_uri", "esco_skill_label", "isco_code",
                   "nace_code", "critical", "identified_on", "status", "retired_on", "evidence", "evidence_url"),
    status_form_class=forms.SkillGapStatusForm, status_title=_("Change status"),
    status_help=_("Retire a skill gap instead of deleting it: it counts up to the day before it was retired; only "
                "validated, critical gaps are counted."),
    create=_save_skill_gap, update=_save_skill_gap, status_update=_save_skill_gap,
    create_initial=lambda request: {"identified_on": timezone.localdate()},
)
