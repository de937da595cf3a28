"""The reporting periods' pages: list, one period, its state changes, narratives and the report."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from indicators.models import Indicator

from . import downloads, narratives, partner_narratives, periods, report
from .forms import CloseForm, CommentForm, NarrativeForm, PartnerNarrativeForm, ReopenForm
from .models import Narrative, PartnerNarrative, ReportingPeriod


def _require_viewer(request):
    """Staff, managers and admins; partners and people without a role get 403."""
    if not roles.can_view_dashboard(request.user):
        raise PermissionDenied


def _require_reviewer(request):
    """Coordinators, staff and admins review and comment on narratives; partners (who may read the
    dashboard) only read."""
    if not roles.can_view_registers(request.user):
        raise PermissionDenied


def _period(pk):
    return get_object_or_404(ReportingPeriod.objects.select_related("project"), pk=pk)


def _error_text(error):
    return " ".join(error.messages)


@require_GET
@login_required
def period_list(request):
    _require_viewer(request)
    rows = []
    for period in ReportingPeriod.objects.select_related("project").order_by("project__code", "start_on"):
        rows.append({"period": period, "status": period.state})
    return render(request, "reporting/list.html", {"rows": rows, "labels": periods.STATUS_LABELS,
                                                   "can_download": roles.can_view_registers(request.user)})


@require_GET
@login_required
def period_detail(request, pk):
    _require_viewer(request)
    period = _period(pk)
    events = period.state_changes()
    status = period.state
    rows = periods.period_rows(period)
    for row in rows:
        row.narrative_parts = narratives.parts(row.narrative)
    return render(request, "reporting/detail.html", {
        "period": period, "status": status, "status_label": periods.STATUS_LABELS[status], "rows": rows,
        "events": events, "as_of": periods.as_of(period),
        "can_manage": roles.is_manager(request.user), "is_admin": roles.is_admin(request.user),
        "can_download": roles.can_view_registers(request.user),
        "close_form": CloseForm(), "reopen_form": ReopenForm(),
    })


@require_POST
@login_required
def period_review(request, pk):
    period = _period(pk)
    _require_viewer(request)
    try:
        if request.POST.get("action") == "open":
            periods.period_back_to_open(period=period, user=request.user)
            messages.success(request, gettext("The period is open again."))
        else:
            periods.period_review(period=period, user=request.user)
            messages.success(request, gettext("The period is in review."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("reporting:period-detail", pk=period.pk)


@require_http_methods(["GET", "POST"])
@login_required
def period_close(request, pk):
    """A confirmation page (GET), then the close (POST with the box ticked)."""
    period = _period(pk)
    if not roles.is_manager(request.user):
        raise PermissionDenied
    form = CloseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                periods.period_close(period=period, user=request.user)
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, gettext("%(period)s is closed: its figures are frozen.") % {"period": period})
                return redirect("reporting:period-detail", pk=period.pk)
        status = 400
    rows = periods.period_rows(period, with_breakdowns=False)
    return render(request, "reporting/close.html", {
        "period": period, "form": form, "status": period.state,
        "missing": [row for row in rows if row.lacks_narrative],
    }, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def period_reopen(request, pk):
    period = _period(pk)
    if not roles.is_admin(request.user):
        raise PermissionDenied
    form = ReopenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                periods.period_reopen(period=period, user=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, gettext("%(period)s is reopened.") % {"period": period})
                return redirect("reporting:period-detail", pk=period.pk)
        status = 400
    return render(request, "reporting/reopen.html", {"period": period, "form": form}, status=status)


def _indicator_in(period, code):
    indicator = Indicator.objects.filter(project_id=period.project_id, code=code).first()
    if indicator is None:
        raise Http404(gettext("No such indicator in this period's project."))
    return indicator


@require_http_methods(["GET", "POST"])
@login_required
def narrative_edit(request, pk, code):
    """A manager writes or edits the narrative of an indicator for a period."""
    period = _period(pk)
    if not roles.can_edit_registers(request.user):
        raise PermissionDenied
    indicator = _indicator_in(period, code)
    narrative = Narrative.objects.filter(indicator=indicator, period=period).first()
    if period.is_closed:
        messages.error(request, gettext("The period is closed: its narratives can no longer change."))
        return redirect("reporting:narrative-detail", pk=period.pk, code=code) if narrative else \
            redirect("reporting:period-detail", pk=period.pk)
    initial = {"version": narrative.version if narrative else None}
    if request.method == "GET":
        initial.update(_quoted(request, period, indicator, narrative))
    form = NarrativeForm(request.POST or None, instance=narrative, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                narratives.narrative_save(indicator=indicator, period=period, user=request.user,
                                          data=form.cleaned_data, version=form.cleaned_data.get("version"))
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, gettext("Narrative of %(indicator)s saved.") % {"indicator": indicator})
                return redirect("reporting:narrative-detail", pk=period.pk, code=code)
        status = 400
    return render(request, "reporting/narrative_form.html", {
        "period": period, "indicator": indicator, "form": form, "narrative": narrative,
        "partner_notes": _partner_notes(request, period, indicator),
    }, status=status)


def _quoted(request, period, indicator, narrative):
    """``?quote=<note id>``: the form's "what happened" with the partner's note quoted at its end."""
    note_id = request.GET.get("quote", "")
    if not note_id.isdigit():
        return {}
    note = PartnerNarrative.objects.select_related("organisation").filter(
        pk=int(note_id), period=period, indicator=indicator).first()
    if note is None:
        return {}
    text = (narrative.what_happened if narrative else "").rstrip()
    return {"what_happened": f"{text}\n\n{partner_narratives.quote(note)}".strip()}


def _partner_notes(request, period, indicator):
    """The partners' notes on the indicator in the period that the user may read, rendered."""
    return [{"note": note, "html": narratives.render(note.text)}
            for note in partner_narratives.for_indicator(period, indicator, request.user)]


@require_GET
@login_required
def narrative_detail(request, pk, code):
    _require_viewer(request)
    period = _period(pk)
    indicator = _indicator_in(period, code)
    narrative = get_object_or_404(Narrative.objects.select_related("written_by", "reviewed_by"),
                                  indicator=indicator, period=period)
    return render(request, "reporting/narrative_detail.html", {
        "period": period, "indicator": indicator, "narrative": narrative, "parts": narratives.parts(narrative),
        "history": narrative.history.select_related("history_user").order_by("-history_date")[:50],
        "comments": narrative.comments.select_related("author"), "comment_form": CommentForm(),
        "can_edit": roles.can_edit_registers(request.user) and not period.is_closed,
        "can_review": (roles.can_view_registers(request.user) and not period.is_closed
                       and not narrative.is_written_by(request.user)),
        "can_comment": roles.can_view_registers(request.user),
        "partner_notes": _partner_notes(request, period, indicator),
    })


@require_POST
@login_required
def narrative_review(request, pk, code):
    _require_reviewer(request)
    period = _period(pk)
    narrative = get_object_or_404(Narrative, indicator=_indicator_in(period, code), period=period)
    try:
        narratives.narrative_mark_reviewed(narrative=narrative, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, gettext("Narrative marked reviewed."))
    return redirect("reporting:narrative-detail", pk=period.pk, code=code)


@require_POST
@login_required
def narrative_comment(request, pk, code):
    _require_reviewer(request)
    period = _period(pk)
    indicator = _indicator_in(period, code)
    narrative = get_object_or_404(Narrative, indicator=indicator, period=period)
    form = CommentForm(request.POST)
    if form.is_valid():
        narratives.narrative_comment_add(narrative=narrative, user=request.user, body=form.cleaned_data["body"])
        messages.success(request, gettext("Comment added."))
        return redirect("reporting:narrative-detail", pk=period.pk, code=code)
    return render(request, "reporting/narrative_detail.html", {
        "period": period, "indicator": indicator, "narrative": narrative, "parts": narratives.parts(narrative),
        "history": narrative.history.select_related("history_user").order_by("-history_date")[:50],
        "comments": narrative.comments.select_related("author"), "comment_form": form,
        "can_edit": roles.can_edit_registers(request.user) and not period.is_closed,
        "can_review": not period.is_closed and not narrative.is_written_by(request.user), "can_comment": True,
        "partner_notes": _partner_notes(request, period, indicator),
    }, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def partner_narrative_edit(request, pk, code):
    """A partner editor writes or edits its organisation's note on an indicator, while the period is open."""
    period = _period(pk)
    if not partner_narratives.may_write(request.user):
        raise PermissionDenied
    indicator = _indicator_in(period, code)
    organisation_id = request.user.organisation_id
    contribution_url = reverse("reporting:contribution", args=[organisation_id])
    refused = partner_narratives.refusal(period)
    if refused and request.method == "GET":
        messages.error(request, refused)
        return redirect(contribution_url)
    note = PartnerNarrative.objects.filter(period=period, indicator=indicator, organisation_id=organisation_id).first()
    form = PartnerNarrativeForm(request.POST or None, initial={"text": note.text if note else ""})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                partner_narratives.partner_narrative_save(
                    period=period, indicator=indicator, organisation_id=organisation_id, user=request.user,
                    text=form.cleaned_data["text"])
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, gettext("Your note on %(indicator)s is saved.") % {"indicator": indicator})
                return redirect(contribution_url)
        status = 400
    return render(request, "reporting/partner_narrative_form.html", {
        "period": period, "indicator": indicator, "form": form, "note": note, "cancel_url": contribution_url,
    }, status=status)


@require_GET
@login_required
def period_report(request, pk, fmt):
    """The period's report as a download; a large one is built by a worker while a page shows its progress.

    Not for partners, even when they read the dashboard: its annexes list every organisation's records
    and notes."""
    _require_reviewer(request)
    period = _period(pk)
    content, progress = downloads.report_or_progress(period, fmt)
    if content is not None:
        response = HttpResponse(content, content_type=report.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{report.file_name(period, fmt)}"'
        return response
    return render(request, "reporting/report_progress.html", {
        "period": period, "fmt": fmt.upper(), "progress": progress,
    }, status=202)
