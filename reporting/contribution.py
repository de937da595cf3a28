"""An organisation's contribution: its share of each indicator, its submissions and its notes.

The page ``/organisations/<id>/contribution/`` (``reporting:contribution``) lives here, above the
indicators and the registers it reads (the organisations app sits below both); the organisation's
register page links to it.

Each indicator's count is read from the stored breakdown by responsible organisation (the latest
snapshot's ``Breakdown`` rows of the dimension "organisation"), never counted from the registers: the
page costs the same number of queries whatever the number of records.

Coordinators, EARLALL staff and administrators open every organisation's page; a partner editor or
viewer only its own organisation's (another's answers 404); users without a role get 403.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from accounts import roles
from indicators.models import Breakdown, Indicator, Snapshot
from organisations.labels import RESPONSIBLE_ORGANISATION
from organisations.models import Organisation
from registers.models import Submission
from registers.registry import REGISTER_PAGES

from . import narratives, partner_narratives
from .models import PartnerNarrative, ReportingPeriod

PAGE_SIZE = 20


@dataclass
class Share:
    """One indicator's value today and the part of it the organisation is responsible for."""

    indicator: Indicator
    snapshot: Snapshot | None
    value: Decimal | None  # the organisation's part (None: no snapshot yet)
    period: ReportingPeriod | None = None  # the project's open period, where a note can be written
    note: PartnerNarrative | None = None

    @property
    def total(self) -> Decimal | None:
        return self.snapshot.value if self.snapshot else None

    @property
    def percent(self) -> Decimal | None:
        if not self.snapshot or not self.snapshot.value or self.value is None:
            return None
        return (self.value * 100 / self.snapshot.value).quantize(Decimal("0.1"))


def may_view(user, organisation_id: int) -> bool:
    """Coordinators, staff and admins read every organisation's contribution; a partner only its own."""
    if roles.can_view_registers(user):
        return True
    return roles.is_partner(user) and roles.partner_organisation_id(user) == organisation_id


def detail_link(request, organisation: Organisation) -> tuple[str, str] | None:
    """The link to ``organisation``'s contribution on its register page, for those who may open it
    (registered in ``organisations.views.DETAIL_LINKS`` by this app's ``ready()``)."""
    if not may_view(request.user, organisation.pk):
        return None
    label = gettext("Our contribution") if roles.is_partner(request.user) else gettext("Contribution to the indicators")
    return label, reverse("reporting:contribution", args=[organisation.pk])


def open_periods() -> dict[int, ReportingPeriod]:
    """Each project's open period (the latest started), where partners write their notes: one query."""
    found: dict[int, ReportingPeriod] = {}
    for period in ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN).order_by("project_id",
                                                                                              "-start_on", "-pk"):
        found.setdefault(period.project_id, period)
    return found


def shares(organisation_id: int, on=None) -> list[Share]:
    """Every indicator with its latest snapshot (on ``on``, today by default) and the organisation's part of it,
    read from the stored breakdown by responsible organisation; with the organisation's note of the
    project's open period. Five queries, whatever the number of indicators and records."""
    on = on or timezone.localdate()
    latest = Snapshot.objects.filter(indicator=OuterRef("pk"), date__lte=on).order_by("-date").values("pk")[:1]
    indicators = list(Indicator.objects.select_related("project", "pillar").annotate(latest_id=Subquery(latest))
                      .order_by("project__code", "pillar__order", "pillar__code", "order", "code"))
    ids = [indicator.latest_id for indicator in indicators if indicator.latest_id]
    snapshots = Snapshot.objects.in_bulk(ids)
    parts = dict(Breakdown.objects.filter(snapshot_id__in=ids, dimension=RESPONSIBLE_ORGANISATION,
                                          key=str(organisation_id)).values_list("snapshot_id", "value"))
    periods = open_periods()
    notes = {(note.period_id, note.indicator_id): note for note in PartnerNarrative.objects.filter(
        organisation_id=organisation_id, period__in=[p.pk for p in periods.values()])}
    rows = []
    for indicator in indicators:
        snapshot = snapshots.get(indicator.latest_id)
        period = periods.get(indicator.project_id)
        rows.append(Share(indicator, snapshot,
                          None if snapshot is None else parts.get(snapshot.pk, Decimal("0")),
                          period, notes.get((period.pk, indicator.pk)) if period else None))
    return rows


def record_url(submission: Submission) -> str:
    """The submitted record's page, or "" when its register has none."""
    register = REGISTER_PAGES.get(submission.register)
    if register is None:
        return ""
    try:
        return register.url("detail", submission.object_id)
    except Exception:  # noqa: BLE001 - a register without a detail page: no link
        return ""


def _page(request, queryset, param):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))


@require_GET
@login_required
def contribution_view(request, pk):
    """The organisation's share of each indicator today, its waiting and rejected submissions and its
    partner notes."""
    user = request.user
    if not (roles.can_view_registers(user) or roles.is_partner(user)):
        raise PermissionDenied
    if not may_view(user, pk):
        raise Http404
    organisation = get_object_or_404(Organisation, pk=pk)
    submissions = Submission.objects.filter(organisation=organisation).select_related("submitted_by")
    pending = _page(request, submissions.filter(status=Submission.Status.SUBMITTED).order_by("-submitted_at", "-id"),
                    "page")
    rejected = _page(request, submissions.filter(status=Submission.Status.REJECTED).order_by("-reviewed_at", "-id"),
                     "rejected_page")
    notes = _page(request, partner_narratives.visible(user, PartnerNarrative.objects.filter(
        organisation=organisation)).select_related("period", "indicator", "author").order_by(
        "-period__start_on", "indicator__order", "indicator__code"), "notes_page")
    own_editor = partner_narratives.may_write(user) and user.organisation_id == organisation.pk
    return render(request, "reporting/contribution.html", {
        "organisation": organisation, "shares": shares(organisation.pk), "as_of": timezone.localdate(),
        "pending": pending, "rejected": rejected,
        "pending_rows": [(s, record_url(s)) for s in pending.object_list],
        "rejected_rows": [(s, record_url(s)) for s in rejected.object_list],
        "notes": notes, "note_rows": [(n, narratives.render(n.text)) for n in notes.object_list],
        "can_write_notes": own_editor,
        "is_own": roles.partner_organisation_id(user) == organisation.pk,
    })
