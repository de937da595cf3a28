"""The roll-up: indicators computed from the registers and stored as snapshots.

Compute, store, backfill and drain the outbox: no Celery, no cache here (the
triggers queue work, ``registers.generations`` tells the pages a roll-up ended).

``compute(indicator, on)`` reads; ``store(results)`` writes one Snapshot per
indicator and date with its Breakdown rows. ``rollup_all(on)`` does every
indicator on one date, ``recompute({indicator: since})`` one indicator from a
date to today (the kept dates since, outside closed periods) and ``drain()``
the indicators the outbox names.

Every stored snapshot is exact: the history keeps only the month-ends and today,
besides the frozen snapshots of closed periods; a drain from a date rewrites
every kept date from it, and the daily roll-up and each drain delete the day
snapshots no longer kept (``prune``), which no drain would rewrite. What the
pages show for another date (the dashboard's "last 30 days") is read from the
latest month-end at or before it: an exact value. Nothing ever writes a snapshot
dated inside a closed reporting period, except closing the period itself
(``store(results, closing=period)``: the app that keeps the periods calls it when it closes
one, see ``indicators.period_source``), nor one dated after today.
"""

import datetime
import hashlib
import logging
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeAlias

from django.db import connection, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, Sum
from django.utils import timezone

from registers import generations, l10n, webhook_events

from . import period_source
from .models import Breakdown, Indicator, OutboxEntry, Project, Report, Snapshot, is_month_end, month_ends
from .registry import NOT_GIVEN, Measure, Part, Row, Values, registry

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
CENT = Decimal("0.01")
FORECAST_WINDOW_DAYS = 90
PROGRESS_MAX = Decimal("999.9999")
_LOCK_ID = zlib.crc32(b"indicators.rollup")

# A dimension's parts: (dimension name, overlapping, [Part, ...]).
BreakdownParts: TypeAlias = tuple[str, bool, list[Part]]


class FutureDateError(ValueError):
    """A roll-up was asked for a date after today: the registers cannot know it yet."""


@dataclass
class Result:
    """An indicator's computed state on a date, before it is stored."""

    indicator: Indicator
    date: datetime.date
    value: Decimal
    target: Decimal
    expected: Decimal
    progress: Decimal
    status: str
    forecast: Decimal | None
    breakdowns: list[BreakdownParts] = field(default_factory=list)

    def snapshot_fields(self) -> dict[str, Decimal | str | None]:
        return {"value": self.value, "target": self.target, "expected": self.expected, "progress": self.progress,
                "status": self.status, "forecast": self.forecast}

    def breakdown_rows(self) -> list[tuple[str, str, str, Decimal, bool]]:
        """The breakdown as comparable tuples (dimension, key, label, value, overlapping)."""
        return sorted((name, part.key[:120], part.label[:255], part.value, overlapping)
                      for name, overlapping, parts in self.breakdowns for part in parts)


# --- Values -----------------------------------------------------------------

def _quantize(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT)


def reported_by_organisation(indicator: Indicator, on: datetime.date) -> list[Row]:
    """Each organisation's value of a reported indicator on ``on``, from its approved reports: one query.

    Rows ``{"organisation_id", "organisation__name", "organisation__country", "value"}``,
    one per organisation (not per report). An organisation's value is, by the
    indicator's time rule, its latest approved value dated on or before ``on``
    (the highest id on a tie), the cumulative sum of those values, or their maximum.
    """
    reports = Report.objects.approved().filter(indicator=indicator, as_of__lte=on)
    rule = indicator.time_rule
    aggregate: Sum | Max
    if rule == Indicator.TimeRule.LATEST:
        newer = Report.objects.approved().filter(
            indicator=indicator, organisation_id=OuterRef("organisation_id"), as_of__lte=on,
        ).filter(Q(as_of__gt=OuterRef("as_of")) | Q(as_of=OuterRef("as_of"), pk__gt=OuterRef("pk")))
        reports = reports.filter(~Exists(newer))
        aggregate = Sum("value")
    elif rule == Indicator.TimeRule.MAXIMUM:
        aggregate = Max("value")
    else:
        aggregate = Sum("value")
    rows = (reports.order_by().values("organisation_id", "organisation__name", "organisation__country")
            .annotate(value=aggregate).order_by())
    return list(rows)


def reported_value(indicator: Indicator, on: datetime.date) -> Decimal:
    """The value of a reported indicator on ``on``: the sum over organisations of each one's value."""
    return _quantize(sum((row["value"] for row in reported_by_organisation(indicator, on)), ZERO))


def _reported_breakdowns(rows: Sequence[Row]) -> list[BreakdownParts]:
    """The organisation and country parts of a reported indicator, from its per-organisation rows."""
    by_organisation = [Part(str(row["organisation_id"]), row["organisation__name"], _quantize(row["value"]))
                       for row in rows]
    by_country: dict[str, Decimal] = {}
    for row in rows:
        code = row["organisation__country"] or ""
        by_country[code] = by_country.get(code, ZERO) + row["value"]
    # Stored in English; the pages name a country in the reader's language (``dashboard.part_label``).
    parts = [Part(code, l10n.country_name(code, "en") if code else NOT_GIVEN, _quantize(value))
             for code, value in by_country.items()]
    order = lambda part: (-part.value, part.key)  # noqa: E731
    return [("organisation", False, sorted(by_organisation, key=order)),
            ("country", False, sorted(parts, key=order))]


def indicator_value(indicator: Indicator, on: datetime.date) -> Decimal:
    """The indicator's value on ``on`` (one query, or two for reported values)."""
    measure = registry.for_indicator(indicator)
    if measure is not None:
        return _quantize(measure.total(on))
    return reported_value(indicator, on)


def forecast(*, value: Decimal, value_before: Decimal, on: datetime.date, target_date: datetime.date,
             window: int = FORECAST_WINDOW_DAYS) -> Decimal:
    """The value at ``target_date`` at the pace of the last ``window`` days (never below zero).

    On or after the target date the forecast is the value itself.
    """
    if on >= target_date:
        return _quantize(value)
    pace = (Decimal(value) - Decimal(value_before)) / Decimal(window)
    projected = Decimal(value) + pace * Decimal((target_date - on).days)
    return _quantize(max(projected, ZERO))


def progress(value: Decimal, target: Decimal) -> Decimal:
    """value / target as a fraction (1 when the target is zero), capped to fit the column."""
    if target <= 0:
        return Decimal(1)
    return min(Decimal(value) / Decimal(target), PROGRESS_MAX).quantize(Decimal("0.0001"))


def compute(indicator: Indicator, on: datetime.date) -> Result:
    """The Result of ``indicator`` on ``on``: reads only, a fixed number of queries (one for most measures)."""
    if registry.for_indicator(indicator) is not None:
        return compute_series(indicator, [on])[0]
    rows = reported_by_organisation(indicator, on)
    value = _quantize(sum((row["value"] for row in rows), ZERO))
    breakdowns = _reported_breakdowns(rows)
    value_before = indicator_value(indicator, on - datetime.timedelta(days=FORECAST_WINDOW_DAYS))
    expected = _quantize(indicator.expected_value(on, indicator.trajectory()))
    return Result(
        indicator=indicator, date=on, value=value, target=_quantize(indicator.target), expected=expected,
        progress=progress(value, indicator.target), status=indicator.status_for(value, expected),
        forecast=forecast(value=value, value_before=value_before, on=on, target_date=indicator.target_date),
        breakdowns=breakdowns,
    )


def compute_series(indicator: Indicator, dates: Iterable[datetime.date], *,
                   unchanged_before: datetime.date | None = None,
                   periods: "ClosedPeriods | None" = None) -> list[Result]:
    """The Results of ``indicator`` on each of ``dates``, in one pass whatever the number of dates.

    A counted indicator costs one query (``Measure.series``, over the dates and the dates a
    forecast window before them, totals only) when its measure is an interval
    rule, else one for the totals and one per dimension. A reported indicator is computed
    date by date.

    ``unchanged_before``: no change the registers hold is pending for a date before it (the
    outbox says the changes start there), so a stored month-end snapshot before it and
    before every date needed is right, and only the records that start or end after it are
    read (``trusted_base``; two more small queries).
    """
    dates = sorted(set(dates))
    measure = registry.for_indicator(indicator)
    if measure is None or not dates:
        return [compute(indicator, on) for on in dates]
    window = datetime.timedelta(days=FORECAST_WINDOW_DAYS)
    needed = [*dates, *(on - window for on in dates)]
    base = None
    if unchanged_before is not None:
        before = min(unchanged_before - datetime.timedelta(days=1), min(needed))
        base = trusted_base(indicator, measure, before, periods or ClosedPeriods([indicator.project_id]))
    values = measure.series(needed, parts_on=dates, base=base)
    target = _quantize(indicator.target)
    trajectory = indicator.trajectory()
    results = []
    for on in dates:
        value = _quantize(values[on].total)
        expected = _quantize(indicator.expected_value(on, trajectory))
        results.append(Result(
            indicator=indicator, date=on, value=value, target=target, expected=expected,
            progress=progress(value, indicator.target), status=indicator.status_for(value, expected),
            forecast=forecast(value=value, value_before=_quantize(values[on - window].total), on=on,
                              target_date=indicator.target_date),
            breakdowns=[(d.name, d.overlapping, values[on].parts[d.name]) for d in measure.dimensions],
        ))
    return results


def trusted_base(indicator: Indicator, measure: Measure, before: datetime.date,
                 periods: "ClosedPeriods") -> tuple[datetime.date, Values] | None:
    """``(date, Values)`` of the latest month-end snapshot of ``indicator`` dated on or before ``before``
    that a drain may build on, or None.

    Drains and the backfill keep every month-end snapshot outside closed periods equal to the
    registers for the dates the outbox no longer names; a frozen snapshot (or one in a closed
    period) may keep a breakdown that later changes did not alter, and a snapshot of a past
    "today" is never brought up to date: neither is a base. A breakdown that does not add up
    to its value (a dimension added since) is not either. Two queries.
    """
    if any(dimension.overlapping for dimension in measure.dimensions):
        return None
    # The last few month-ends (a daily roll-up writes a snapshot every day in between).
    candidates = [on for on in month_ends(indicator.project.start_on, before)
                  if (on + datetime.timedelta(days=1)).day == 1][-3:]
    snapshot = Snapshot.objects.filter(indicator=indicator, date__in=candidates, is_frozen=False).order_by(
        "-date").first()
    if snapshot is None or periods.is_closed(indicator.project_id, snapshot.date):
        return None
    parts: dict[str, list[Part]] = {}
    for name, key, label, value in snapshot.breakdowns.values_list("dimension", "key", "label", "value"):
        parts.setdefault(name, []).append(Part(key, label, value))
    names = {dimension.name for dimension in measure.dimensions}
    if set(parts) - names or any(sum((part.value for part in parts.get(name, ())), ZERO) != snapshot.value
                                 for name in names):
        return None
    return snapshot.date, Values(snapshot.value, parts)


# --- Storing ------------------------------------------------------------------

def indicators_to_compute(ids: Iterable[int] | None = None) -> list[Indicator]:
    """Every indicator that can be computed (or those of ``ids``): counted from a registered measure, or reported."""
    queryset = Indicator.objects.select_related("project").prefetch_related("milestones")
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    indicators = []
    for indicator in queryset:
        if not indicator.is_reported and indicator.measure_key not in registry:
            logger.warning("Indicator %s: no measure %r is registered; skipped.", indicator.code,
                           indicator.measure_key)
            continue
        indicators.append(indicator)
    return indicators


class ClosedPeriods:
    """The closed reporting periods (``indicators.period_source``), by project: read once per roll-up."""

    def __init__(self, project_ids: Iterable[int] | None = None) -> None:
        self.by_project: dict[int, list[period_source.Period]] = {}
        for period in period_source.source().closed(project_ids):
            self.by_project.setdefault(period.project_id, []).append(period)

    def period_of(self, project_id: int, on: datetime.date) -> period_source.Period | None:
        """The closed period of the project containing ``on``, or None."""
        for period in self.by_project.get(project_id, ()):
            if period.start_on <= on <= period.end_on:
                return period
        return None

    def is_closed(self, project_id: int, on: datetime.date) -> bool:
        return self.period_of(project_id, on) is not None

    def latest_ending(self, project_id: int) -> period_source.Period | None:
        """The closed period of the project that ends last, or None."""
        periods = self.by_project.get(project_id, ())
        return max(periods, key=lambda period: period.end_on) if periods else None


def lock() -> None:
    """Serialise roll-ups (drain, beat, a command, closing a period) on PostgreSQL, for this transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _existing(results: Sequence[Result]) -> dict[tuple[int, datetime.date], Snapshot]:
    return {(s.indicator_id, s.date): s for s in Snapshot.objects.filter(
        indicator__in={r.indicator.pk for r in results}, date__in={r.date for r in results})}


def breakdown_digest(rows: Sequence[tuple[str, str, str, Decimal, bool]]) -> str:
    """A digest of a snapshot's breakdown rows (``Result.breakdown_rows``), values to the cent."""
    text = "\n".join(f"{name}\t{key}\t{label}\t{_quantize(value)}\t{int(overlapping)}"
                     for name, key, label, value, overlapping in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def store(results: Sequence[Result], *, closing: period_source.Period | None = None,
          periods: "ClosedPeriods | None" = None) -> list[Snapshot]:
    """Write the Results as snapshots with their breakdowns, in one transaction.

    Idempotent: a snapshot whose value and breakdown did not change keeps its rows
    (only ``computed_at`` moves on). A result dated inside a closed reporting period
    is dropped: such a snapshot is never written nor rewritten, even when missing.
    ``closing`` is the period being closed, whose snapshots are written this once. ``periods``: the
    closed periods, read by a caller that holds the roll-up lock in this transaction.
    Returns the snapshots written or kept, in the order of ``results``.
    """
    if not results:
        return []
    now = timezone.now()
    # Within a caller's transaction no savepoint: an error undoes the caller's work too (and a
    # drain's cost is mostly round trips).
    with transaction.atomic(savepoint=False):
        if periods is None:  # else the caller read them under the roll-up lock it holds
            lock()
            periods = ClosedPeriods({r.indicator.project_id for r in results})
        existing = _existing(results)
        snapshots: list[Snapshot] = []
        before = _values_before(results)
        written: dict[int, Result] = {}  # each indicator's latest result written (webhooks)
        touched: list[int] = []
        replace_breakdowns: list[int] = []
        new_breakdowns: list[Breakdown] = []
        for result in results:
            snapshot = existing.get((result.indicator.pk, result.date))
            opening = closing is not None and closing.project_id == result.indicator.project_id and (
                closing.start_on <= result.date <= closing.end_on)
            if not opening and (periods.is_closed(result.indicator.project_id, result.date)
                                or (snapshot is not None and snapshot.is_frozen)):
                if snapshot is not None:
                    snapshots.append(snapshot)
                continue
            fields = result.snapshot_fields()
            rows = result.breakdown_rows()
            digest = breakdown_digest(rows)
            if result.indicator.pk not in written or written[result.indicator.pk].date < result.date:
                written[result.indicator.pk] = result
            if snapshot is None:
                snapshot = Snapshot.objects.create(indicator=result.indicator, date=result.date, computed_at=now,
                                                   breakdown_digest=digest, **fields)
            else:
                same_rows = snapshot.breakdown_digest == digest
                if not same_rows or any(getattr(snapshot, name) != value for name, value in fields.items()):
                    for name, value in fields.items():
                        setattr(snapshot, name, value)
                    snapshot.computed_at, snapshot.breakdown_digest = now, digest
                    snapshot.save(update_fields=[*fields, "computed_at", "breakdown_digest"])
                else:
                    touched.append(snapshot.pk)
                if same_rows:
                    snapshots.append(snapshot)
                    continue
                replace_breakdowns.append(snapshot.pk)
            new_breakdowns.extend(
                Breakdown(snapshot=snapshot, dimension=name, key=key, label=label, value=value, overlapping=overlap)
                for name, key, label, value, overlap in rows)
            snapshots.append(snapshot)
        if touched:
            Snapshot.objects.filter(pk__in=touched).update(computed_at=now)
        if replace_breakdowns:
            Breakdown.objects.filter(snapshot_id__in=replace_breakdowns).delete()
        if new_breakdowns:
            Breakdown.objects.bulk_create(new_breakdowns)
        # The pages read the generation: on commit they show what was stored.
        generations.bump_on_commit(generations.ROLLUP)
        if before:
            _tell_value_changes(written, before)
    return snapshots


def _values_before(results: Sequence[Result]) -> dict[int, tuple[datetime.date, Decimal | None]]:
    """Webhooks: {indicator id: (its latest date in ``results``, the value stored on or before it now)}, read
    before ``store`` writes; one query per indicator, none when nobody listens for value changes."""
    if not webhook_events.wanted(webhook_events.Event.INDICATOR_VALUE_CHANGED):
        return {}
    latest: dict[int, datetime.date] = {}
    for result in results:
        latest[result.indicator.pk] = max(result.date, latest.get(result.indicator.pk, result.date))
    return {pk: (on, Snapshot.objects.filter(indicator_id=pk, date__lte=on).order_by("-date").values_list(
        "value", flat=True).first()) for pk, on in latest.items()}


def _tell_value_changes(written: dict[int, Result], before: dict[int, tuple[datetime.date, Decimal | None]]) -> None:
    """Webhooks: each indicator whose value on its latest date written differs from the one it had there
    before (the value stored on that date, or on the latest date before it; null for a first figure)."""
    for pk, result in written.items():
        on, value = before.get(pk, (None, None))
        if on != result.date or (value is not None and value == result.value):
            continue
        webhook_events.emit(webhook_events.Event.INDICATOR_VALUE_CHANGED, {
            "indicator": result.indicator.code, "project": result.indicator.project.code, "date": result.date,
            "value": result.value, "previous_value": value})


def _refuse_future(on: datetime.date, today: datetime.date) -> None:
    if on > today:
        raise FutureDateError(f"{on} is after today ({today}): a roll-up computes what is true on a date that "
                              "has come, never a forecast of the registers.")


def rollup_all(on: datetime.date | None = None) -> list[Snapshot]:
    """Compute every indicator on ``on`` (today by default, never later) and store the snapshots.

    The day snapshots before ``on`` that are not month-ends are deleted (``prune``).
    Returns the snapshots of that date (those of a closed period as they were).
    """
    today = timezone.localdate()
    on = on or today
    _refuse_future(on, today)
    with transaction.atomic():
        # The lock is taken before the registers are read, not only around the write:
        # otherwise a roll-up that read before a concurrent change committed could store
        # its older counts after the roll-up of that change stored the newer ones.
        lock()
        indicators = indicators_to_compute()
        snapshots = store([compute(indicator, on) for indicator in indicators])
        prune([indicator.pk for indicator in indicators], on)
    logger.info("Roll-up on %s: %d indicators.", on, len(snapshots))
    return snapshots


def prune(indicator_ids: Iterable[int], today: datetime.date) -> None:
    """Delete the indicators' snapshots dated before ``today`` that are not month-ends (yesterday's
    "today"): no drain rewrites them, so they would go stale. Frozen ones stay.

    One query, and one delete when there is something to delete.
    """
    snapshots = Snapshot.objects.filter(indicator_id__in=list(indicator_ids), date__lt=today, is_frozen=False)
    stale = [on for on in snapshots.order_by().values_list("date", flat=True).distinct() if not is_month_end(on)]
    if stale:
        snapshots.filter(date__in=stale).delete()


def dates_to_recompute(indicator: Indicator, since: datetime.date, today: datetime.date,
                       periods: ClosedPeriods) -> list[datetime.date]:
    """Today and the month-ends from ``since`` (not before the project start), outside closed periods:
    every date the history keeps (``prune``)."""
    first = max(since, indicator.project.start_on)
    dates = month_ends(first, today) if first <= today else [today]
    return [on for on in dates if not periods.is_closed(indicator.project_id, on)]


def recompute(since_by_indicator: Mapping[Indicator, datetime.date], *,
              today: datetime.date | None = None, locked: bool = False) -> list[Snapshot]:
    """Recompute each indicator from its date to today: ``{indicator: since}``. Returns the snapshots stored.
    ``locked``: the caller holds the roll-up lock in this transaction."""
    today = today or timezone.localdate()
    with transaction.atomic(savepoint=False):
        if not locked:
            lock()
        periods = ClosedPeriods({indicator.project_id for indicator in since_by_indicator})
        results: list[Result] = []
        for indicator, since in since_by_indicator.items():
            dates = dates_to_recompute(indicator, since, today, periods)
            results.extend(compute_series(indicator, dates, unchanged_before=since, periods=periods))
        snapshots = store(results, periods=periods)
        prune([indicator.pk for indicator in since_by_indicator], today)
        return snapshots


def drain(*, indicator_ids: Iterable[int] | None = None) -> dict[str, datetime.date]:
    """Recompute the indicators the outbox names, from the earliest date of their rows, and delete those rows.

    One transaction under the roll-up lock. Rows added meanwhile (by a change committing
    while the drain runs) are not deleted: they wait for the next drain.
    ``indicator_ids`` limits the drain to those indicators. Returns ``{indicator code: since}``.
    """
    with transaction.atomic():
        lock()
        pending = OutboxEntry.objects.all()
        if indicator_ids is not None:
            pending = pending.filter(indicator_id__in=indicator_ids)
        last = pending.aggregate(last=Max("pk"))["last"]
        if last is None:
            return {}
        handled = pending.filter(pk__lte=last)
        since = dict(handled.order_by().values("indicator_id").annotate(since=Min("changed_from"))
                     .values_list("indicator_id", "since"))
        indicators = {indicator: since[indicator.pk] for indicator in indicators_to_compute(since)}
        recompute(indicators, locked=True)
        handled.delete()
    logger.info("Drain: %d indicators.", len(indicators))
    return {indicator.code: date for indicator, date in indicators.items()}


def closed_period_conflict(indicator: Indicator, since: datetime.date,
                           periods: ClosedPeriods | None = None) -> period_source.Period | None:
    """The first closed reporting period of the indicator a change from ``since`` would alter, or None
    (see ``closed_period_conflicts``)."""
    conflicts = closed_period_conflicts(indicator, since, periods, first=True)
    return conflicts[0][0] if conflicts else None


def closed_period_conflicts(indicator: Indicator, since: datetime.date, periods: ClosedPeriods | None = None,
                            *, first: bool = False) -> list[tuple[period_source.Period, dict[str, str]]]:
    """The closed reporting periods of the indicator whose value on a date from ``since`` differs from
    what the registers (as this transaction sees them) now give, each with those values
    ({ISO date: value} on the period's snapshot dates).

    The value a period is compared with is its frozen snapshot's, or, once facts were recorded
    after its closing, the value the latest of them left (``LateFact.values``): a change that
    moves nothing more is not refused, and one that brings a value back to the frozen one is
    (the period's list of records recorded after closing would no longer add up). ``periods``
    (a ``ClosedPeriods``) saves reading them again; no query when no closed period of the
    project ends on or after ``since``.
    """
    from .models import LateFact

    periods = periods or ClosedPeriods([indicator.project_id])
    conflicts: list[tuple[period_source.Period, dict[str, str]]] = []
    reported_after: dict[int, dict[str, str]] | None = None
    for period in periods.by_project.get(indicator.project_id, ()):
        if period.end_on < since:
            continue
        frozen = list(Snapshot.objects.filter(
            indicator=indicator, date__gte=max(since, period.start_on), date__lte=period.end_on,
        ).values_list("date", "value"))
        if not frozen:
            continue
        if reported_after is None:
            # The latest pending late fact of each period, read whether or not a value differs from
            # the frozen one: going back to the frozen value moves it away from what that fact says.
            reported_after = {}
            for period_id, values in LateFact.objects.pending().filter(indicator=indicator).order_by(
                    "period_id", "-pk").values_list("period_id", "values"):
                reported_after.setdefault(period_id, values)
        accepted = reported_after.get(period.pk, {})
        now: dict[str, str] = {}
        differs = False
        for on, value in frozen:
            current = indicator_value(indicator, on)
            now[on.isoformat()] = str(current)
            if current != (Decimal(accepted[on.isoformat()]) if on.isoformat() in accepted else value):
                differs = True
        if differs:
            # The dates before ``since`` keep what earlier late facts left.
            conflicts.append((period, {**accepted, **now}))
            if first:
                break
    return conflicts


def backfill(*, start: datetime.date | None = None, end: datetime.date | None = None) -> int:

    """Write month-end snapshots from each project's start (or ``start``) to ``end`` (today).

    Dates inside closed reporting periods are skipped (their snapshots were written when
    the period was closed). One transaction per indicator. Returns the number of snapshots written or kept.
    """
    today = timezone.localdate()
    end = end or today
    _refuse_future(end, today)
    indicators = indicators_to_compute()
    count = 0
    for project in Project.objects.all():
        mine = [indicator for indicator in indicators if indicator.project_id == project.pk]
        first = max(start or project.start_on, project.start_on)
        if not mine or first > end:
            continue
        periods = ClosedPeriods([project.pk])
        dates = [on for on in month_ends(first, end) if not periods.is_closed(project.pk, on)]
        # One indicator at a time over all its month-ends (one pass per query), one transaction each.
        for indicator in mine:
            with transaction.atomic():
                lock()
                count += len(store(compute_series(indicator, dates)))
    logger.info("Backfill to %s: %d snapshots.", end, count)
    return count
