"""Reporting periods: their state (open → in review → closed) and their figures.

A period's figures are read from the stored snapshots (the roll-up writes them):
each indicator's snapshot at the period's end (or the latest before it while the
period runs), its value before the period, the milestone due in the period and
the breakdowns. A period's state is its ``state`` field; every change of it goes
through the functions below, which check who may make it and keep who, when and
why in the period's history.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from indicators import dashboard, rollup, triggers
from indicators.models import Indicator, LateFact, Milestone, OutboxEntry, Snapshot, month_ends
from indicators.registry import registry
from registers import generations, l10n, webhook_events

from .models import Narrative, PartnerNarrative, ReportingPeriod

if TYPE_CHECKING:
    from accounts.models import User
    from indicators.dashboard import BreakdownDimension, Card

OPEN = ReportingPeriod.State.OPEN
IN_REVIEW = ReportingPeriod.State.IN_REVIEW
CLOSED = ReportingPeriod.State.CLOSED
STATUS_LABELS = dict(ReportingPeriod.State.choices)


def as_of(period: ReportingPeriod, today: datetime.date | None = None) -> datetime.date:
    """The date a period's figures are read at: its end, or today while it runs."""
    today = today or timezone.localdate()
    return min(period.end_on, today)


def period_version(period: ReportingPeriod) -> str:
    """A string that changes whenever the period's report would: state, snapshots, narratives."""
    if period.is_closed:
        # Frozen: its figures and narratives no longer change; the report lasts until a reopening.
        # The records recorded after its closing are listed beside the frozen figures: their count moves it.
        late = LateFact.objects.pending().filter(period_id=period.pk).aggregate(n=Count("pk"), last=Max("pk"))
        return f"{period.pk}:closed:{period.closed_at.isoformat()}:{late['n']}:{late['last']}"
    narratives = Narrative.objects.filter(period=period).aggregate(at=Max("updated_at"), reviewed=Max("reviewed_at"))
    # The snapshots' latest computation: every roll-up or drain that stores a changed figure moves it.
    notes = PartnerNarrative.objects.filter(period=period).aggregate(at=Max("updated_at"))["at"]
    computed = Snapshot.objects.filter(indicator__project_id=period.project_id).aggregate(at=Max("computed_at"))["at"]
    return ":".join(str(part) for part in (
        period.pk, computed and computed.isoformat(),
        narratives["at"] and narratives["at"].isoformat(), narratives["reviewed"] and narratives["reviewed"].isoformat(),
        notes and notes.isoformat(),
        period.history.count(), timezone.localdate().isoformat(),
    ))


def expected_at(indicator: Indicator, on: datetime.date) -> Decimal:
    """What the indicator was expected to reach on ``on``, on the trajectory through its milestones; a whole
    number for an indicator counted from a register (nobody counts 6.41 observatories)."""
    expected = Decimal(indicator.expected_value(on))
    if not indicator.is_reported:
        expected = expected.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return expected


@dataclass
class PeriodRow:
    """One indicator in a period: its figures at the period's end."""

    indicator: Indicator
    snapshot: Snapshot | None
    value_before: Decimal | None
    milestone: Milestone | None
    narrative: Narrative | None = None
    dimensions: "list[BreakdownDimension]" = field(default_factory=list)
    # The records confirmed as recorded after the period closed: not in the reported value.
    late_facts: list[LateFact] = field(default_factory=list)
    # The period's last day: what the expected line gives on it is what the period should have reached.
    period_end: datetime.date | None = None

    @property
    def expected_at_end(self) -> Decimal | None:
        """The value expected on the period's last day, through the milestones (prefetched: no query)."""
        if self.period_end is None:
            return None
        return expected_at(self.indicator, self.period_end)

    @property
    def value(self) -> Decimal | None:
        return self.snapshot.value if self.snapshot else None

    @property
    def change(self) -> Decimal | None:
        if self.snapshot is None:
            return None
        return self.snapshot.value - (self.value_before if self.value_before is not None else self.indicator.baseline)

    @property
    def status(self) -> str:
        return self.snapshot.status if self.snapshot else ""

    @property
    def status_label(self) -> str:
        return self.snapshot.get_status_display() if self.snapshot else _("No figures yet")

    @property
    def status_icon(self) -> str:
        return dashboard.STATUS_ICONS.get(self.snapshot.status, "") if self.snapshot else ""

    @property
    def progress_percent(self) -> Decimal | None:
        return self.snapshot.progress_percent if self.snapshot else None

    @property
    def lacks_narrative(self) -> bool:
        return self.narrative is None or self.narrative.is_empty


def period_rows(period: ReportingPeriod, *, with_breakdowns: bool = True, today: datetime.date | None = None,
                public_only: bool = False) -> list[PeriodRow]:
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
    late = late_facts(period)
    rows = []
    for indicator in indicators:
        snapshot = indicator.snapshots.filter(date__lte=on).order_by("-date").first()
        before = indicator.snapshots.filter(date__lt=period.start_on).order_by("-date").values_list(
            "value", flat=True).first()
        due = [m for m in indicator.milestones.all() if period.start_on <= m.date <= period.end_on]
        row = PeriodRow(indicator, snapshot, before, due[-1] if due else None, narratives.get(indicator.pk),
                        late_facts=late.get(indicator.pk, []), period_end=period.end_on)
        if with_breakdowns:
            row.dimensions = dashboard.breakdown_dimensions(snapshot, registry.for_indicator(indicator))
        rows.append(row)
    return rows


def late_facts(period: ReportingPeriod) -> dict[int, list[LateFact]]:
    """{indicator id: the records recorded after the period closed}, oldest first: one query."""
    by_indicator: dict[int, list[LateFact]] = {}
    for fact in LateFact.objects.pending().filter(period_id=period.pk).select_related("recorded_by"):
        by_indicator.setdefault(fact.indicator_id, []).append(fact)
    return by_indicator


def history(indicator: Indicator, period: ReportingPeriod) -> list[Snapshot]:
    """The indicator's month-end (and latest) snapshots up to the period's end, oldest first."""
    snapshots = list(indicator.snapshots.filter(date__lte=as_of(period)).order_by("date"))
    return dashboard.monthly_points(snapshots)


# --- State changes -------------------------------------------------------------------

def _locked(period: ReportingPeriod) -> ReportingPeriod:
    return ReportingPeriod.objects.select_for_update().get(pk=period.pk)


def _change_state(period: ReportingPeriod, state: str, *, user: "User", reason: str | None = None) -> None:
    """Save the period's new state; its history keeps who, when and why."""
    period.state = state
    # django-simple-history reads them: the change's author and reason.
    period._history_user = user  # type: ignore[attr-defined]
    period._change_reason = reason  # type: ignore[attr-defined]
    period.save(update_fields=["state"])
    narratives_changed()


def _manager_moves(period: ReportingPeriod, user: "User", *, from_state: str, to_state: str,
                   refusal: str) -> ReportingPeriod:
    """A manager moves the period from ``from_state`` (else ``refusal``) to ``to_state``, under its lock."""
    if not roles.is_manager(user):
        raise PermissionDenied
    with transaction.atomic():
        period = _locked(period)
        if period.state != from_state:
            raise ValidationError(refusal)
        _change_state(period, to_state, user=user)
    return period


def period_review(*, period: ReportingPeriod, user: "User") -> ReportingPeriod:
    """A manager puts an open period in review: narratives are being finalised."""
    return _manager_moves(period, user, from_state=OPEN, to_state=IN_REVIEW,
                          refusal=_("Only an open period can be put in review."))


def period_back_to_open(*, period: ReportingPeriod, user: "User") -> ReportingPeriod:
    """A manager takes a period in review back to open (nothing was closed)."""
    return _manager_moves(period, user, from_state=IN_REVIEW, to_state=OPEN,
                          refusal=_("Only a period in review can go back to open."))


def period_close(*, period: ReportingPeriod, user: "User") -> ReportingPeriod:
    """A manager closes a period in review once it has ended: every month-end snapshot inside it
    (and its last day), and every other snapshot stored inside it, is recomputed, then frozen.

    From then on nothing writes a snapshot dated inside the period, and a change that would
    alter one of its values is refused (``indicators.triggers``).
    """
    if not roles.is_manager(user):
        raise PermissionDenied
    with transaction.atomic():
        # Under the roll-up's lock: no drain stores a snapshot of the period meanwhile.
        rollup.lock()
        period = _locked(period)
        if period.state != IN_REVIEW:
            raise ValidationError(_("Put the period in review before closing it."))
        if period.end_on >= timezone.localdate():
            raise ValidationError(_("The period runs until %(end)s: close it after its end.")
                                  % {"end": l10n.short_date(period.end_on)})
        indicators = [i for i in rollup.indicators_to_compute() if i.project_id == period.project_id]
        inside = Snapshot.objects.filter(indicator__project_id=period.project_id, date__gte=period.start_on,
                                         date__lte=period.end_on)
        # A snapshot stored inside it may be stale (a change not drained yet): none is frozen unchecked.
        stored: dict[int, set[datetime.date]] = {}
        for indicator_id, on in inside.values_list("indicator_id", "date"):
            stored.setdefault(indicator_id, set()).add(on)
        rollup.store([result for indicator in indicators for result in rollup.compute_series(
            indicator, {*month_ends(period.start_on, period.end_on), *stored.get(indicator.pk, ())})],
                     closing=period)
        inside.update(is_frozen=True)
        _change_state(period, CLOSED, user=user)
        webhook_events.emit(webhook_events.Event.PERIOD_CLOSED, {
            "period": {"id": period.pk, "name": period.name, "project": period.project.code,
                       "start_on": period.start_on, "end_on": period.end_on},
            "closed_by": user.get_username()})
    return period


def period_reopen(*, period: ReportingPeriod, user: "User", reason: str | None) -> ReportingPeriod:
    """Only an administrator reopens a closed period, and says why (kept in the period's history).

    Its snapshots are no longer frozen (unless another closed period holds them) and the
    engine recomputes them from the registers on the next drain. The facts recorded after its
    closing are absorbed: closing it again reports them (they stay in the engine's history).
    """
    if not roles.is_admin(user):
        raise PermissionDenied(_("Only an administrator may reopen a closed reporting period."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the period is reopened: the reason is kept in its history.")})
    with transaction.atomic():
        rollup.lock()
        period = _locked(period)
        if period.state != CLOSED:
            raise ValidationError(_("The period is not closed."))
        _change_state(period, OPEN, user=user, reason=reason)
        snapshots = Snapshot.objects.filter(indicator__project_id=period.project_id, date__gte=period.start_on,
                                            date__lte=period.end_on)
        for other in ReportingPeriod.objects.closed().filter(project_id=period.project_id):
            snapshots = snapshots.exclude(date__gte=other.start_on, date__lte=other.end_on)
        snapshots.update(is_frozen=False)
        LateFact.objects.absorb(period.pk)
        OutboxEntry.objects.bulk_create(
            OutboxEntry(indicator=indicator, changed_from=period.start_on)
            for indicator in rollup.indicators_to_compute() if indicator.project_id == period.project_id)
        triggers.request_drain()
    return period


def open_period(project_id: int | None = None, today: datetime.date | None = None) -> ReportingPeriod | None:
    """The period running today (or the next one not closed), or None."""
    today = today or timezone.localdate()
    periods = ReportingPeriod.objects.not_closed().filter(end_on__gte=today)
    if project_id is not None:
        periods = periods.filter(project_id=project_id)
    period: ReportingPeriod | None = periods.order_by("start_on").first()
    return period


def days_left(period: ReportingPeriod, today: datetime.date | None = None) -> int:
    return (period.end_on - (today or timezone.localdate())).days


def month_label(day: datetime.date) -> str:
    return l10n.short_month_year(day)


def narratives_changed() -> None:
    """A narrative or a period's state changed: the cached pages that show them are built again.

    The one cache rule: the generation that every roll-up bumps (``registers.generations.ROLLUP``).
    """
    generations.bump_on_commit(generations.ROLLUP)


def flag_missing_narratives(cards: "Iterable[Card]", today: datetime.date | None = None) -> list[Any]:
    """Set ``card.needs_narrative`` on the cards of behind indicators without a narrative for the period to report.

    The period to report is the latest period of the card's project that has started and is not closed:
    the running one, or one that has ended and whose report is still being written (the flag stays until
    the period is closed). Returns every reporting period (for the dashboard's period selector). One
    query: the periods joined to the indicators that have a narrative in them.
    """
    today = today or timezone.localdate()
    periods, written = _periods_with_narratives()
    reported: dict[int, SimpleNamespace] = {}
    for period in periods.values():
        if not period.is_closed and period.start_on <= today:
            reported[period.project_id] = period  # by start: the latest one wins
    for card in cards:
        running = reported.get(card.indicator.project_id)
        card.needs_narrative = bool(
            running is not None and card.snapshot is not None and card.snapshot.status == Snapshot.Status.BEHIND
            and card.indicator.pk not in written.get(running.pk, set()))
        card.open_period = running if card.needs_narrative else None
    return list(periods.values())


# A period's narratives are due from this many days before its end until it is closed.
NARRATIVES_DUE_DAYS = 30


def narratives_due(cards: "Iterable[Card]", today: datetime.date | None = None) -> list[dict[str, Any]]:
    """``[{"period", "missing": [card], "ended": bool}]``: for each period not closed that ends within
    ``NARRATIVES_DUE_DAYS`` or has ended, the cards' indicators with no narrative in it (behind ones
    first). One query."""
    today = today or timezone.localdate()
    periods, written = _periods_with_narratives()
    cards = list(cards)
    due = []
    for period in periods.values():
        if period.is_closed or period.start_on > today or (period.end_on - today).days > NARRATIVES_DUE_DAYS:
            continue
        missing = [card for card in cards if card.indicator.project_id == period.project_id
                   and card.indicator.pk not in written.get(period.pk, set())]
        missing.sort(key=lambda card: card.snapshot is None or card.snapshot.status != Snapshot.Status.BEHIND)
        if missing:
            due.append({"period": period, "missing": missing, "ended": period.end_on < today})
    return due


def _periods_with_narratives() -> tuple[dict[int, SimpleNamespace], dict[int, set[int]]]:
    """Light stand-ins of every period by start ({pk: period}) and the indicators with a narrative in each."""
    periods: dict[int, SimpleNamespace] = {}
    written: dict[int, set[int]] = {}
    for pk, name, project_id, start_on, end_on, state, indicator_id in ReportingPeriod.objects.order_by(
            "start_on", "pk").values_list("pk", "name", "project_id", "start_on", "end_on", "state",
                                          "narratives__indicator_id"):
        periods.setdefault(pk, SimpleNamespace(pk=pk, name=name, project_id=project_id, start_on=start_on,
                                               end_on=end_on, is_closed=state == CLOSED,
                                               get_absolute_url=ReportingPeriod(pk=pk).get_absolute_url))
        if indicator_id is not None:
            written.setdefault(pk, set()).add(indicator_id)
    return periods, written
