"""The roll-up: indicators computed from the registers and stored as snapshots.

``rollup_all(on)`` computes every indicator on a date and writes one Snapshot per
indicator and date with its Breakdown rows, in one transaction. The aggregation
runs in the database (``COUNT``/``SUM`` with ``GROUP BY``): per indicator a fixed
number of queries (the value, one per breakdown dimension, the value 90 days
earlier for the forecast), whatever the number of records.

``rollup_request()`` is what a change to a register triggers, on commit: a
debounced roll-up (see its docstring).
"""

import contextlib
import datetime
import logging
import threading
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, Sum
from django.utils import timezone
from django_countries import countries

from . import dashboard
from .models import Breakdown, Indicator, Project, Report, ReportingPeriod, Snapshot, month_ends
from .registry import NOT_GIVEN, Part, registry

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
CENT = Decimal("0.01")
FORECAST_WINDOW_DAYS = 90
PROGRESS_MAX = Decimal("999.9999")
PENDING_KEY = "indicators:rollup:pending"
_LOCK_ID = zlib.crc32(b"indicators.rollup")


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
    # (dimension name, overlapping, [Part, ...])
    breakdowns: list = field(default_factory=list)

    def snapshot_fields(self):
        return {"value": self.value, "target": self.target, "expected": self.expected, "progress": self.progress,
                "status": self.status, "forecast": self.forecast}

    def breakdown_rows(self):
        """The breakdown as comparable tuples (dimension, key, label, value, overlapping)."""
        return sorted((name, part.key[:120], part.label[:255], part.value, overlapping)
                      for name, overlapping, parts in self.breakdowns for part in parts)


# --- Values -----------------------------------------------------------------

def _quantize(value):
    return Decimal(value).quantize(CENT)


def measure_of(indicator):
    """The registered measure counting ``indicator``, or None (a reported indicator or an unknown key)."""
    if indicator.is_reported or indicator.measure_key not in registry:
        return None
    return registry.get(indicator.measure_key)


def reported_by_organisation(indicator, on):
    """Each organisation's value of a reported indicator on ``on``, from its approved reports: one query.

    Rows ``{"organisation_id", "organisation__name", "organisation__country", "value"}``,
    one per organisation (not per report). An organisation's value is, by the
    indicator's time rule, its latest approved value dated on or before ``on``
    (the highest id on a tie), the cumulative sum of those values, or their maximum.
    """
    reports = Report.objects.approved().filter(indicator=indicator, as_of__lte=on)
    rule = indicator.time_rule
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


def reported_value(indicator, on):
    """The value of a reported indicator on ``on``: the sum over organisations of each one's value."""
    return _quantize(sum((row["value"] for row in reported_by_organisation(indicator, on)), ZERO))


def _reported_breakdowns(rows):
    """The organisation and country parts of a reported indicator, from its per-organisation rows."""
    by_organisation = [Part(str(row["organisation_id"]), row["organisation__name"], _quantize(row["value"]))
                       for row in rows]
    by_country = {}
    for row in rows:
        code = row["organisation__country"] or ""
        by_country[code] = by_country.get(code, ZERO) + row["value"]
    parts = [Part(code, (countries.name(code) or code) if code else NOT_GIVEN, _quantize(value))
             for code, value in by_country.items()]
    order = lambda part: (-part.value, part.key)  # noqa: E731
    return [("organisation", False, sorted(by_organisation, key=order)),
            ("country", False, sorted(parts, key=order))]


def indicator_value(indicator, on):
    """The indicator's value on ``on`` (one query, or two for reported values)."""
    measure = measure_of(indicator)
    if measure is not None:
        return _quantize(measure.total(on))
    return reported_value(indicator, on)


def forecast(*, value, value_before, on, target_date, window=FORECAST_WINDOW_DAYS):
    """The value at ``target_date`` at the pace of the last ``window`` days (never below zero).

    On or after the target date the forecast is the value itself.
    """
    if on >= target_date:
        return _quantize(value)
    pace = (Decimal(value) - Decimal(value_before)) / Decimal(window)
    projected = Decimal(value) + pace * Decimal((target_date - on).days)
    return _quantize(max(projected, ZERO))


def progress(value, target):
    """value / target as a fraction (1 when the target is zero), capped to fit the column."""
    if target <= 0:
        return Decimal(1)
    return min(Decimal(value) / Decimal(target), PROGRESS_MAX).quantize(Decimal("0.0001"))


def compute(indicator, on):
    """The Result of ``indicator`` on ``on``: reads only, a fixed number of queries."""
    measure = measure_of(indicator)
    if measure is not None:
        value = _quantize(measure.total(on))
        breakdowns = [(d.name, d.overlapping, measure.parts(on, d)) for d in measure.dimensions]
    else:
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


# --- Storing ------------------------------------------------------------------

def _indicators():
    """Every indicator that can be computed: counted from a registered measure, or reported."""
    indicators = []
    for indicator in Indicator.objects.select_related("project").prefetch_related("milestones"):
        if not indicator.is_reported and indicator.measure_key not in registry:
            logger.warning("Indicator %s: no measure %r is registered; skipped.", indicator.code,
                           indicator.measure_key)
            continue
        indicators.append(indicator)
    return indicators


def _closed_periods():
    """{project id: [(start, end), ...]} of the closed reporting periods."""
    periods = {}
    for project_id, start, end in ReportingPeriod.objects.filter(closed_at__isnull=False).values_list(
            "project_id", "start_on", "end_on"):
        periods.setdefault(project_id, []).append((start, end))
    return periods


def _is_frozen(periods, indicator, on):
    return any(start <= on <= end for start, end in periods.get(indicator.project_id, ()))


def _lock():
    """Serialise concurrent roll-ups (beat, debounced, a command) on PostgreSQL, for this transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def store(results):
    """Write the Results as snapshots with their breakdowns, in one transaction.

    Idempotent: a snapshot whose value and breakdown did not change keeps its rows
    (only ``computed_at`` moves on). A snapshot dated in a closed reporting period is
    never rewritten; if it is missing it is written once, frozen.
    Returns the snapshots, in the order of ``results``.
    """
    if not results:
        return []
    now = timezone.now()
    with transaction.atomic():
        _lock()
        periods = _closed_periods()
        existing = {(s.indicator_id, s.date): s for s in Snapshot.objects.filter(
            indicator__in={r.indicator.pk for r in results}, date__in={r.date for r in results})}
        stored_rows = {}
        for row in Breakdown.objects.filter(snapshot__in=[s.pk for s in existing.values()]).values_list(
                "snapshot_id", "dimension", "key", "label", "value", "overlapping"):
            stored_rows.setdefault(row[0], []).append(row[1:])
        snapshots, touched, replace_breakdowns, new_breakdowns = [], [], [], []
        for result in results:
            snapshot = existing.get((result.indicator.pk, result.date))
            frozen = _is_frozen(periods, result.indicator, result.date)
            if snapshot is not None and (snapshot.is_frozen or frozen):
                if not snapshot.is_frozen:
                    snapshot.is_frozen = True
                    snapshot.save(update_fields=["is_frozen"])
                snapshots.append(snapshot)
                continue
            fields = result.snapshot_fields()
            rows = result.breakdown_rows()
            if snapshot is None:
                snapshot = Snapshot.objects.create(indicator=result.indicator, date=result.date, computed_at=now,
                                                   is_frozen=frozen, **fields)
            else:
                if any(getattr(snapshot, name) != value for name, value in fields.items()):
                    for name, value in fields.items():
                        setattr(snapshot, name, value)
                    snapshot.computed_at = now
                    snapshot.save(update_fields=[*fields, "computed_at"])
                else:
                    touched.append(snapshot.pk)
                if sorted(stored_rows.get(snapshot.pk, [])) == rows:
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
        dashboard.snapshots_changed()
    return snapshots


def rollup_all(on=None):
    """Compute every indicator on ``on`` (today by default) and store the snapshots.

    Returns the snapshots of that date (frozen ones as they were).
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        # The lock is taken before the registers are read, not only around the write:
        # otherwise a roll-up that read before a concurrent change committed could store
        # its older counts after the roll-up of that change stored the newer ones.
        _lock()
        results = [compute(indicator, on) for indicator in _indicators()]
        snapshots = store(results)
    logger.info("Roll-up on %s: %d indicators.", on, len(snapshots))
    return snapshots


def backfill(*, start=None, end=None):
    """Write month-end snapshots from each project's start (or ``start``) to ``end`` (today).

    One transaction per date. Returns the number of snapshots written or kept.
    """
    end = end or timezone.localdate()
    indicators = _indicators()
    count = 0
    for project in Project.objects.all():
        mine = [indicator for indicator in indicators if indicator.project_id == project.pk]
        first = max(start or project.start_on, project.start_on)
        if not mine or first > end:
            continue
        for on in month_ends(first, end):
            with transaction.atomic():
                _lock()
                count += len(store([compute(indicator, on) for indicator in mine]))
    logger.info("Backfill to %s: %d snapshots.", end, count)
    return count


def reporting_period_close(*, period, user=None):
    """Close a reporting period: its snapshots are frozen and later roll-ups never rewrite them."""
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if period.closed_at is None:
            period.closed_at = timezone.now()
            period.closed_by = user
            period.save(update_fields=["closed_at", "closed_by"])
        Snapshot.objects.filter(indicator__project_id=period.project_id, date__gte=period.start_on,
                                date__lte=period.end_on).update(is_frozen=True)
        dashboard.snapshots_changed()
    return period


def reporting_period_reopen(*, period, user, reason):
    """Reopen a closed period (an administrator, with a reason): its snapshots thaw.

    Snapshots that also lie in another closed period stay frozen. The reason is kept
    by the caller in the period's history (``indicators.periods.period_reopen``).
    """
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        period.closed_at = None
        period.closed_by = None
        period.save(update_fields=["closed_at", "closed_by"])
        others = ReportingPeriod.objects.filter(project_id=period.project_id, closed_at__isnull=False)
        thaw = Snapshot.objects.filter(indicator__project_id=period.project_id, date__gte=period.start_on,
                                       date__lte=period.end_on, is_frozen=True)
        for start, end in others.values_list("start_on", "end_on"):
            thaw = thaw.exclude(date__gte=start, date__lte=end)
        thaw.update(is_frozen=False)
        dashboard.snapshots_changed()
    return period


# --- Triggering ------------------------------------------------------------------

_deferred = threading.local()


@contextlib.contextmanager
def rollups_deferred():
    """Within the block, changes queue no roll-up; one is requested at the end.

    For bulk work (imports, demo data) that saves many records one by one.
    """
    depth = getattr(_deferred, "depth", 0)
    _deferred.depth = depth + 1
    try:
        yield
    finally:
        _deferred.depth = depth
    if depth == 0:
        transaction.on_commit(rollup_request)


def rollups_are_deferred():
    return getattr(_deferred, "depth", 0) > 0


def rollup_request():
    """Run the roll-up soon after a change; called on commit of the change.

    - Eager (no broker, the embedded default): the roll-up runs now, in this
      process, so a save in the browser shows on the dashboard at once.
    - With a broker: debounced. The first change sets ``PENDING_KEY`` in the cache
      (``cache.add``) and queues ``rollup_task`` to run in ROLLUP_DEBOUNCE_SECONDS;
      the changes that follow while the key is set queue nothing. The task clears
      the key before it reads the registers, so a change committed while it runs
      queues one more roll-up and is never lost. A burst of 1,000 saves thus runs
      the roll-up about once per debounce window.
    - Broker or cache down: the save has committed and must not fail. The error is
      logged and the roll-up runs here, in the web process, synchronously; the next
      beat tick repairs whatever is still stale.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        rollup_all()
        return
    from .tasks import rollup_task

    debounce = float(settings.ROLLUP_DEBOUNCE_SECONDS)
    queued = False
    try:
        if not cache.add(PENDING_KEY, timezone.now().isoformat(), timeout=int(debounce * 10) + 60):
            return
        queued = True
        rollup_task.apply_async(countdown=debounce)
    except Exception:
        logger.exception("Could not queue the roll-up (broker or cache down); running it in this process.")
        if queued:
            with contextlib.suppress(Exception):
                cache.delete(PENDING_KEY)
        rollup_all()


def rollup_pending_clear():
    """Called by the task before it reads: a change from now on queues a new roll-up."""
    cache.delete(PENDING_KEY)
