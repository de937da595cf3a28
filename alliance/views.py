"""Register pages of the alliance app: alliance members, cooperation projects, and the bulk import.

Each ``Register`` builds its list, detail (with history), create, edit and status views
(see ``registers.pages``); the writes go through ``alliance.services``.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

import organisations.views
from registers.access import check_access
from registers.pages import Column, Register

from . import forms, imports, services, tasks
from .models import AllianceMember, CooperationProject


def _member_create(form, user):
    data = form.cleaned_data
    return services.member_create(
        organisation=data.get("organisation") or form.new_organisation, category=data["category"],
        joined_on=data["joined_on"], note=data.get("note", ""), user=user)


def _member_withdraw(form, user, expected_version):
    return services.member_withdraw(member=form.instance, left_on=form.cleaned_data["left_on"], user=user,
                                    expected_version=expected_version)


def _member_status(member):
    return "member" if member.is_active_on(timezone.localdate()) else ("left" if member.left_on else "not yet")


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
    status_help="A member that leaves is withdrawn, not deleted: it still counts on the dates it was a member.",
    create=_member_create, status_update=_member_withdraw,
    create_initial=lambda request: {"joined_on": timezone.localdate()},
    empty_help=_("Or import many at once from a CSV or Excel file."),
    import_url_name="alliance:import",
)
# The organisations register (a floor below) offers this app's import, which takes organisations too.
organisations.views.organisations.extra_links.append(
    {"label": "Import organisations or members", "url_name": "alliance:import", "edit": True})


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
    status_help="Cancel a project instead of deleting it: it counts up to the day before it was cancelled.",
    create=_project_create, update=_project_update, status_update=_project_status,
    create_initial=lambda request: {"started_on": timezone.localdate(),
                                    "lead_organisation": request.user.organisation_id},
)


# --- Bulk import -------------------------------------------------------------------------------------

PREVIEW_GOOD_ROWS = 50


def import_view(request):
    """Upload a CSV/XLSX file, preview every row with its errors, then confirm: all rows or none."""
    denied = check_access(request, edit=True)
    if denied:
        return denied
    form = forms.ImportForm()
    context = {"templates": [(kind, label) for kind, label in imports.KINDS.items()]}
    if request.method == "POST" and request.POST.get("token"):
        try:
            kind, rows, stash = imports.claim_rows(token=request.POST["token"], user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return render(request, "alliance/import.html", {**context, "form": form})
        register = organisations.views.organisations if kind == imports.ORGANISATIONS else members
        if len(rows) > settings.IMPORT_ASYNC_ROWS:
            # A large file: a worker imports it while the job's page shows the progress.
            job = tasks.import_job_start(kind=kind, rows=rows, claimed=stash, user=request.user,
                                         list_url=register.url("list"))
            return redirect("registers-job", job.pk)
        try:
            count = imports.import_rows(kind=kind, rows=rows, user=request.user)
        except imports.ImportRefused as refused:
            imports.release_rows(stash)
            messages.error(request, refused.message)
            return render(request, "alliance/import.html", {**context, "form": form, **_preview(refused.preview)})
        except ValidationError as error:
            imports.release_rows(stash)
            messages.error(request, " ".join(error.messages))
            return render(request, "alliance/import.html", {**context, "form": form})
        stash.unlink(missing_ok=True)
        label = imports.KINDS[kind].lower()
        messages.success(request, gettext("Imported %(count)s %(kind)s.") % {"count": count, "kind": label})
        return redirect(register.url("list"))
    if request.method == "POST":
        form = forms.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            try:
                rows = imports.read_upload(form.cleaned_data["file"])
            except imports.UploadError as error:
                form.add_error("file", error.messages)
            else:
                preview = imports.validate_rows(kind, rows)
                context.update(_preview(preview), kind_label=imports.KINDS[kind].lower())
                if not context["bad_rows"]:
                    context["token"] = imports.stash_rows(kind=kind, rows=rows, user=request.user)
    return render(request, "alliance/import.html", {**context, "form": form})


def _preview(preview):
    bad = [p for p in preview if p["errors"]]
    good = [p for p in preview if not p["errors"]]
    return {"previewed": True, "total": len(preview), "bad_rows": bad, "good_rows": good[:PREVIEW_GOOD_ROWS],
            "more_good": max(len(good) - PREVIEW_GOOD_ROWS, 0)}


def import_template(request, kind, extension):
    """The template file to fill in, CSV or XLSX."""
    denied = check_access(request, edit=True)
    if denied:
        return denied
    if kind not in imports.KINDS or extension not in ("csv", "xlsx"):
        raise Http404
    if extension == "csv":
        content, content_type = imports.template_csv(kind), "text/csv; charset=utf-8"
    else:
        content = imports.template_xlsx(kind)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="lcamp-{kind}-template.{extension}"'
    return response
