"""Reported values in the browser: list, report with evidence, detail with history, approve/reject, evidence.

Managers report values and review the reports of other organisations; staff read;
partners and anonymous users see nothing (403 / login), as on every register.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registers import reviews
from registers.access import check_access, safe_next
from registers.forms import add_errors
from registers.pages import Column, Register
from registers.records import history_entries

from ..models import Indicator, Report
from . import definitions, services
from .forms import ReportedIndicatorForm, ReportFilter, ReportForm, ReviewForm

register = Register(
    model=Report, name="report", slug="reports", namespace="indicators", title_plural=_("Reported values"),
    form_class=ReportForm, filterset_class=ReportFilter, template_dir="indicators/reports",
    search_fields=("indicator__title", "indicator__code", "organisation__name", "note"), default_sort="-as_of",
    select_related=("indicator", "organisation", "submitted_by", "reviewed_by"),
    columns=[
        Column(_("Indicator"), "indicator__title", sort="indicator__title"),
        Column(_("Organisation"), "organisation__name", sort="organisation__name"),
        Column(_("As of"), "as_of", sort="as_of"),
        Column(_("Value"), "value", sort="value", numeric=True),
        Column(_("Status"), "status", sort="status"),
    ],
    detail_fields=("indicator", "organisation", "as_of", "value", "evidence_url", "note", "status", "submitted_by",
                   "reviewed_by", "reviewed_at", "review_note"),
    empty_help=_("Indicators without a register are reported here, with their evidence."),
    # A report needs a reported indicator: until one is defined, the index offers to define one.
    can_create=definitions.reported_indicators_exist,
    extra_links=[{"label": _("Define a reported indicator"), "url_name": "indicators:indicator-create", "edit": True}],
)


def report_list(request):
    return register.list_view(request)


def report_detail(request, pk):
    denied = check_access(request)
    if denied:
        return denied
    report = register.get_object(pk)
    return _detail(request, report, ReviewForm())


def _detail(request, report, review_form, status=200):
    facts = [{"label": name.replace("_", " "), "value": register.display_field(report, name)}
             for name in register.detail_fields]
    return render(request, "indicators/reports/detail.html", {
        "register": register, "object": report, "facts": facts, "history": history_entries(report),
        "review_form": review_form, "may_review": reviews.may_review(obj=report, reviewer=request.user),
    }, status=status)


def report_create(request):
    denied = check_access(request, edit=True)
    if denied:
        return denied
    if not definitions.reported_indicators_exist():
        messages.info(request, gettext("No indicator takes reported values yet: define one first."))
        return HttpResponseRedirect(reverse("indicators:indicator-create"))
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                report = services.report_submit(report=form.instance, user=request.user)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, gettext(
                    "Reported %(value)s for %(indicator)s (%(organisation)s, %(as_of)s); a manager of another "
                    "organisation reviews it.") % {"value": report.value, "indicator": report.indicator,
                                                   "organisation": report.organisation.name, "as_of": report.as_of})
                return HttpResponseRedirect(safe_next(request) or reverse("indicators:report-detail",
                                                                          args=[report.pk]))
    else:
        initial = {"as_of": timezone.localdate(), "organisation": request.user.organisation_id}
        code = request.GET.get("indicator")
        if code:
            indicator = Indicator.objects.filter(code=code, source=Indicator.Source.REPORTED).first()
            if indicator:
                initial["indicator"] = indicator.pk
        form = ReportForm(initial=initial, user=request.user)
    next_url = safe_next(request) or ""
    return render(request, "indicators/reports/form.html", {
        "register": register, "form": form, "next": next_url,
        "cancel_url": next_url or reverse("indicators:report-list")})


def indicator_create(request):
    """A manager defines a reported indicator (code, title, unit, target, time rule)."""
    denied = check_access(request, edit=True)
    if denied:
        return denied
    project = definitions.current_project()
    if project is None:
        raise Http404(gettext("No project yet: run `python manage.py seed_lcamp` first."))
    form = ReportedIndicatorForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = definitions.reported_indicator_define(indicator=form.instance, user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, gettext("Indicator “%(title)s” defined: report its first value.")
                             % {"title": indicator.title})
            return HttpResponseRedirect(f"{reverse('indicators:report-create')}?indicator={indicator.code}")
    return render(request, "indicators/indicator_form.html", {"form": form, "project": project})


def _review(request, pk, decision):
    denied = check_access(request, edit=True)
    if denied:
        return denied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    report = register.get_object(pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        report = reviews.review(obj=report, reviewer=request.user, decision=decision,
                                note=form.cleaned_data.get("review_note", ""))
    except reviews.ReviewRefused as refused:
        messages.error(request, refused.message)
        return _detail(request, report, form, status=403)
    except ValidationError as error:
        if "status" in getattr(error, "error_dict", {}):
            messages.error(request, " ".join(error.messages))
        add_errors(form, error)
        return _detail(request, register.get_object(pk), form, status=200)
    messages.success(request, gettext("Report %(status)s: %(report)s.") % {
        "status": report.get_status_display().lower(), "report": report})
    return HttpResponseRedirect(reverse("indicators:report-detail", args=[report.pk]))


def report_approve(request, pk):
    return _review(request, pk, reviews.Decision.APPROVE)


def report_reject(request, pk):
    return _review(request, pk, reviews.Decision.REJECT)


def report_evidence(request, pk):
    """The evidence file, as an attachment, for those who may read reports."""
    denied = check_access(request)
    if denied:
        return denied
    report = get_object_or_404(Report, pk=pk)
    if not report.evidence_file:
        raise Http404(gettext("This report has no evidence file."))
    suffix = report.evidence_file.name.rsplit(".", 1)[-1] if "." in report.evidence_file.name else "bin"
    filename = f"evidence-report-{report.pk}.{suffix}"
    return FileResponse(report.evidence_file.open("rb"), as_attachment=True, filename=filename)
