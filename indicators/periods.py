"""Reporting periods: their state (open → in review → closed) and their figures.

A period's figures are read from the stored snapshots (the roll-up writes them):
each indicator's snapshot at the period's end (or the latest before it while the
period runs), its value before the period, the milestone due in the period and
the breakdowns. Closing and reopening go through the engine's services
(``reporting_period_close`` / ``reporting_period_reopen``); this module checks who
may do it and keeps the history (``PeriodEvent``).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from registers import generations

from . import dashboard, services
from .models import Indicator, Milestone, Narrative, PeriodEvent, ReportingPeriod, Snapshot
from .registry import registry

OPEN = "open"
IN_REVIEW = "in_review"
CLOSED = "closed"
STATUS_LABELS = {OPEN: gettext_lazy("Open"), IN_REVIEW: gettext_lazy("In review"), CLOSED: gettext_lazy("Closed")}


def period_status(period, events=None):
    """open, in_review or closed: closed from the period itself, in review from its last event."""
    if period.closed_at is not None:
        return CLOSED
    if events is None:
        events = list(period.events.all())
    last = [e for e in events if e.action in (PeriodEvent.Action.REVIEW, PeriodEvent.Action.BACK_TO_OPEN,
                                              PeriodEvent.Action.REOPEN, PeriodEvent.Action.CLOSE)]
    if last and last[-1].action == PeriodEvent.Action.REVIEW:
        return IN_REVIEW
    return OPEN


def as_of(period, today=None):
    """The date a period's figures are read at: its end, or today while it runs."""
    today = today or timezone.localdate()
    return min(period.end_on, today)


def period_version(period):
    """A string that changes whenever the period's report would: state, snapshots, narratives."""
    if period.closed_at is not None:
        # Frozen: its figures and narratives no longer change; the report lasts until a reopening.
        return f"{period.pk}:closed:{period.closed_at.isoformat()}"
    narratives = Narrative.objects.filter(period=period).aggregate(at=Max("updated_at"), reviewed=Max("reviewed_at"))
    # The snapshots' latest computation: every roll-up or drain that stores a changed figure moves it.
    computed = Snapshot.objects.filter(indicator__project_id=period.project_id).aggregate(at=Max("computed_at"))["at"]
    return ":".join(str(part) for part in (
        period.pk, computed and computed.isoformat(),
        narratives["at"] and narratives["at"].isoformat(), narratives["reviewed"] and narratives["reviewed"].isoformat(),
        PeriodEvent.objects.filter(period=period).count(), timezone.localdate().isoformat(),
    ))


@dataclass
class PeriodRow:
    """One indicator in a period: its figures at the period's end."""

    indicator: Indicator
    snapshot: Snapshot | None
    value_before: Decimal | None
    milestone: Milestone | None
    narrative: Narrative | None = None
    dimensions: list = field(default_factory=list)

    @property
    def value(self):
        return self.snapshot.value if self.snapshot else None

    @property
    def change(self):
        if self.snapshot is None:
            return None
        return self.snapshot.value - (self.value_before if self.value_before is not None else self.indicator.baseline)

    @property
    def status(self):
        return self.snapshot.status if self.snapshot else ""

    @property
    def status_label(self):
        return self.snapshot.get_status_display() if self.snapshot else "No figures yet"

    @property
    def status_icon(self):
        return dashboard.STATUS_ICONS.get(self.snapshot.status, "") if self.snapshot else ""

    @property
    def progress_percent(self):
        return self.snapshot.progress_percent if self.snapshot else None

    @property
    def lacks_narrative(self):
        return self.narrative is None or self.narrative.is_empty


def period_rows(period, *, with_breakdowns=True, today=None, public_only=False):
    """Every indicator of the period's project with its figures at the period's end.

    A fixed number of queries per indicator (its snapshots up to the end, its
    milestones, its breakdowns), whatever the number of records.
    """
    on = as_of(period, today)
    indicators = Indicator.objects.filter(project_id=period.project_id).select_related("project", "pillar") \
        .prefetch_related("milestones").order_by("pillar__order", "pillar__code", "order", "code")
    if public_only:
        indicators = indicators.filter(is_public=True)
    narratives = {n.indicator_id: n for n in Narrative.objects.filter(period=period)}
    rows = []
    for indicator in indicators:
        snapshot = indicator.snapshots.filter(date__lte=on).order_by("-date").first()
        before = indicator.snapshots.filter(date__lt=period.start_on).order_by("-date").values_list(
            "value", flat=True).first()
        due = [m for m in indicator.milestones.all() if period.start_on <= m.date <= period.end_on]
        row = PeriodRow(indicator, snapshot, before, due[-1] if due else None, narratives.get(indicator.pk))
        if with_breakdowns:
            row.dimensions = dashboard.breakdown_dimensions(snapshot, registry.for_indicator(indicator))
        rows.append(row)
    return rows


def history(indicator, period):
    """The indicator's month-end (and latest) snapshots up to the period's end, oldest first."""
    snapshots = list(indicator.snapshots.filter(date__lte=as_of(period)).order_by("date"))
    return dashboard.monthly_points(snapshots)


# --- State changes -------------------------------------------------------------------

def _locked(period):
    return ReportingPeriod.objects.select_for_update().get(pk=period.pk)


def period_review(*, period, user):
    """A manager puts an open period in review: narratives are being finalised."""
    if not roles.is_manager(user):
        raise PermissionDenied
    with transaction.atomic():
        period = _locked(period)
        if period_status(period) != OPEN:
            raise ValidationError(_("Only an open period can be put in review."))
        PeriodEvent.objects.create(period=period, action=PeriodEvent.Action.REVIEW, user=user)
        narratives_changed()
    return period


def period_back_to_open(*, period, user):
    """A manager takes a period in review back to open (nothing was closed)."""
    if not roles.is_manager(user):
        raise PermissionDenied
    with transaction.atomic():
        period = _locked(period)
        if period_status(period) != IN_REVIEW:
            raise ValidationError(_("Only a period in review can go back to open."))
        PeriodEvent.objects.create(period=period, action=PeriodEvent.Action.BACK_TO_OPEN, user=user)
        narratives_changed()
    return period


def period_close(*, period, user):
    """A manager closes a period in review: its snapshots are written and frozen (the engine's rule)."""
    if not roles.is_manager(user):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(period)
        if period_status(locked) != IN_REVIEW:
            raise ValidationError(_("Put the period in review before closing it."))
        if locked.end_on >= timezone.localdate():
            raise ValidationError(_("The period runs until %(end)s: close it after its end.")
                                  % {"end": date_format(locked.end_on)})
        closed = services.reporting_period_close(period=locked, user=user)
        PeriodEvent.objects.create(period=locked, action=PeriodEvent.Action.CLOSE, user=user)
        narratives_changed()
    return closed


def period_reopen(*, period, user, reason):
    """Only an administrator reopens a closed period, and says why (kept in the period's history)."""
    if not roles.is_admin(user):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the period is reopened: the reason is kept in its history.")})
    with transaction.atomic():
        locked = _locked(period)
        if locked.closed_at is None:
            raise ValidationError(_("The period is not closed."))
        reopened = services.reporting_period_reopen(period=locked, user=user, reason=reason)
        PeriodEvent.objects.create(period=locked, action=PeriodEvent.Action.REOPEN, user=user, reason=reason)
        narratives_changed()
    return reopened


def open_period(project_id=None, today=None):
    """The period running today (or the next one not closed), or None."""
    today = today or timezone.localdate()
    periods = ReportingPeriod.objects.filter(closed_at__isnull=True, end_on__gte=today)
    if project_id is not None:
        periods = periods.filter(project_id=project_id)
    return periods.order_by("start_on").first()


def days_left(period, today=None):
    return (period.end_on - (today or timezone.localdate())).days


def month_label(day: datetime.date):
    return f"{day:%b %Y}"


def narratives_changed():
    """A narrative or a period's state changed: the cached pages that show them are built again.

    The one cache rule: the generation that every roll-up bumps (``registers.generations.ROLLUP``).
    """
    generations.bump_on_commit(generations.ROLLUP)


def flag_missing_narratives(cards, today=None):
    """Set ``card.needs_narrative`` on the cards of behind indicators without a narrative for the open period.

    Returns every reporting period (for the dashboard's period selector). One query: the
    periods joined to the indicators that have a narrative in them.
    """
    today = today or timezone.localdate()
    periods, written = {}, {}
    for pk, name, project_id, end_on, closed_at, indicator_id in ReportingPeriod.objects.order_by(
            "start_on", "pk").values_list("pk", "name", "project_id", "end_on", "closed_at",
                                          "narratives__indicator_id"):
        periods.setdefault(pk, SimpleNamespace(pk=pk, name=name, project_id=project_id, end_on=end_on,
                                               closed_at=closed_at))
        if indicator_id is not None:
            written.setdefault(pk, set()).add(indicator_id)
    open_periods = {}
    for period in periods.values():
        if period.closed_at is None and period.end_on >= today:
            open_periods.setdefault(period.project_id, period)
    for card in cards:
        period = open_periods.get(card.indicator.project_id)
        card.needs_narrative = bool(
            period is not None and card.snapshot is not None and card.snapshot.status == Snapshot.Status.BEHIND
            and card.indicator.pk not in written.get(period.pk, set()))
        card.open_period = period if card.needs_narrative else None
    return list(periods.values())


# --- The dashboard's period selector ----------------------------------------------------

def selected_period(value):
    """The period chosen on the dashboard (``?period=<id>``), or None for today's figures."""
    if not (value or "").isdigit():
        return None
    return ReportingPeriod.objects.select_related("project").filter(pk=int(value)).first()


def dashboard_cards_html(period):
    """The dashboard's cards as of the period's end (read from the snapshots on that date)."""
    from django.template.loader import render_to_string

    on = as_of(period)
    rows = period_rows(period, with_breakdowns=False)
    # The change over the last 30 days means nothing at a period's end: the period's page gives
    # the change over the period.
    cards = [dashboard.Card(row.indicator, row.snapshot, None) for row in rows]
    for card in cards:
        card.needs_narrative = False
    return render_to_string("indicators/_dashboard_cards.html", {
        "groups": dashboard.group_by_pillar(cards),
        "timeline": dashboard.Timeline(period.project, on),
        "as_of": None, "as_of_period": period, "as_of_date": on, "can_add": False,
        "selector_periods": list(ReportingPeriod.objects.order_by("start_on", "pk")),
    })
