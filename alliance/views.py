"""Register pages of the alliance app: alliance members and cooperation projects.

Each ``Register`` builds its list, detail (with history), create, edit and status views
(see ``registers.pages``); the writes go through ``alliance.services``.
"""

from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

import organisations.views
from registers.pages import Column, Register

from . import forms, services
from .models import AllianceMember, CooperationProject


def _member_create(form, user):
    data = form.cleaned_data
    return services.member_create(
        organisation=data.get("organisation") or form.new_organisation, category=data["category"],
        joined_on=data["joined_on"], left_on=data.get("left_on"), note=data.get("note", ""), user=user,
        approval=form.instance.approval)


def _member_withdraw(form, user, expected_version):
    return services.member_withdraw(member=form.instance, left_on=form.cleaned_data["left_on"], user=user,
                                    expected_version=expected_version)


def _member_status(member):
    if member.is_active_on(timezone.localdate()):
        return pgettext("alliance membership", "member")
    return pgettext("alliance membership", "left") if member.left_on else pgettext("alliance membership", "not yet")


members = Register(
    model=AllianceMember, name="member", slug="alliance-members", namespace="alliance",
    title_plural=_("Alliance members"),
    form_class=forms.MemberCreateForm, edit_form_class=forms.MemberEditForm,
    filterset_class=forms.MemberFilter, search_fields=("organisation__name", "organisation__acronym",
                                                        "organisation__city", "note"),
    default_sort="-joined_on", select_related=("organisation",),
    export_fields=(("organisation", "organisation__name"), ("country", "organisation__country"),
                   ("kind", "organisation__kind"), "category", "joined_on", "left_on", "note"),
    columns=[
        Column(_("Organisation"), "organisation__name", sort="organisation__name"),
        Column(_("Country"), "organisation__country", sort="organisation__country"),
        Column(_("Category"), "category", sort="category"),
        Column(_("Joined"), "joined_on", sort="joined_on"),
        Column(_("Left"), "left_on", sort="left_on"),
        Column(_("Status"), _member_status),
    ],
    detail_fields=("organisation", "category", "joined_on", "left_on", "note"),
    status_form_class=forms.MemberWithdrawForm, status_url_name="withdraw", status_title=_("Withdraw"),
    status_help=_("A member that leaves is withdrawn, not deleted: it still counts on the dates it was a member."),
    create=_member_create, status_update=_member_withdraw,
    create_initial=lambda request: {"joined_on": timezone.localdate()},
    empty_help=_("Or import many at once from a CSV or Excel file."),
    importable=True, import_form_class=forms.MemberImportForm,
    import_example={"organisation": "Centro Integrado de FP Easo", "country": "ES", "kind": "vet",
                    "category": "vet", "joined_on": "2024-05-02", "note": "Joined at the Bilbao meeting"},
)


def _project_create(form, user):
    return services.cooperation_project_save(instance=form.instance, participants=form.cleaned_data["participants"],
                                             user=user)


def _project_status(form, user, expected_version):
    return services.cooperation_project_change_status(instance=form.instance, user=user,
                                                      expected_version=expected_version)


def _project_update(form, user, expected_version):
    return services.cooperation_project_save(instance=form.instance, participants=form.cleaned_data["participants"],
                                             user=user, expected_version=expected_version)


cooperation_projects = Register(
    importable=True,
    model=CooperationProject, name="cooperation-project", slug="cooperation-projects", namespace="alliance",
    form_class=forms.CooperationProjectForm, filterset_class=forms.CooperationProjectFilter,
    search_fields=("title", "description", "lead_organisation__name"), default_sort="-started_on",
    select_related=("lead_organisation",),
    columns=[
        Column(_("Title"), "title", sort="title"),
        Column(_("Lead organisation"), "lead_organisation__name", sort="lead_organisation__name"),
        Column(_("Started"), "started_on", sort="started_on"),
        Column(_("Ended"), "ended_on", sort="ended_on"),
        Column(_("Status"), "status", sort="status"),
    ],
    detail_fields=("title", "description", "lead_organisation", "participants", "started_on", "ended_on", "status",
                   "cancelled_on"),
    status_form_class=forms.CooperationProjectStatusForm, status_title=_("Change status"),
    status_help=_("Cancel a project instead of deleting it: it counts up to the day before it was cancelled."),
    create=_project_create, update=_project_update, status_update=_project_status,
    create_initial=lambda request: {"started_on": timezone.localdate(),
                                    "lead_organisation": request.user.organisation_id},
)


def import_template(request, kind, extension):
    """The former address of the import templates: the organisations' or the members' register's own."""
    register = {"organisations": organisations.views.organisations, "members": members}.get(kind)
    if register is None:
        raise Http404
    return redirect(register.url_name("import-template"), extension)
