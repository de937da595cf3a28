"""Reported values as a source of the review inbox (``registers.review_queues.inbox``): the
coordinators approve them there next to the partners' records, through ``reviews.review``."""

from django.urls import reverse
from django.utils.translation import gettext

from registers import l10n, reviews
from registers.review_queues import InboxItem, InboxSource, inbox

from ..models import Report


def _label(name: str) -> str:
    return str(Report._meta.get_field(name).verbose_name).capitalize()


def _items(page):
    found = []
    for report in page:
        url = reverse("indicators:report-detail", args=[report.pk])
        evidence = []
        if report.evidence_url:
            evidence.append((gettext("Evidence"), report.evidence_url))
        if report.evidence_file:
            evidence.append((gettext("Evidence file"), reverse("indicators:report-evidence", args=[report.pk])))
        evidence.append((gettext("Record's page"), url))
        user = report.submitted_by
        found.append(InboxItem(
            key=f"report:{report.pk}", source="report", register="report",
            register_label=str(Report._meta.verbose_name_plural).capitalize(),
            organisation_id=report.organisation_id, organisation_name=report.organisation.name,
            title=f"{report.indicator.title}: {report.value:g}", url=url, status=report.status,
            status_label=report.get_status_display(), submitted_at=report.submitted_at,
            submitted_by_id=report.submitted_by_id,
            submitted_by=(user.get_full_name() or user.get_username()) if user else "",
            kind_label=str(Report._meta.verbose_name).capitalize(),
            facts=[(_label("indicator"), report.indicator.title), (_label("value"), f"{report.value:g}"),
                   (_label("as_of"), l10n.short_date(report.as_of))],
            evidence=evidence, review_note=report.review_note, obj=report))
    return found


def _decide(obj, reviewer, decision, note):
    return reviews.review(obj=obj, reviewer=reviewer, decision=decision, note=note)


def register() -> None:
    """Called once by the app's ``ready``."""
    inbox.register(InboxSource(
        name="report", label=Report._meta.verbose_name_plural, queryset=lambda: Report.objects.all(),
        items=_items, decide=_decide, organisation_field="organisation",
        select_related=("indicator", "organisation", "submitted_by"), partners=False))
