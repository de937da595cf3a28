"""What a change to a counted record sets off: an outbox row, then a drain.

The only module that queues a task. Connected in ``IndicatorsConfig.ready`` to the
saves, deletions and many-to-many changes of every model a registered measure lists,
and of the engine's own inputs (indicators, milestones, reported values):

1. In the transaction of the change, one ``OutboxEntry`` per indicator it may alter:
   "indicator X changed from date D", D being the earliest date the change touches
   (the old and new values of the record's date fields the measure names in
   ``Measure.event_dates``; the project start without an entry). A change that would
   alter a snapshot of a closed reporting period is refused there with a
   ``ValidationError`` naming the period, and nothing is written; unless a coordinator
   confirmed it as *recorded after closing* (``recorded_after_closing(reason, user)``):
   then one ``LateFact`` per indicator and closed period keeps the record and the reason,
   the frozen snapshots stay as reported, and the drain updates today and the open periods.
2. On commit, a drain is requested (``drain_request``): without a broker it runs in
   this process at once; with one, ``drain_task`` is queued: at once after a quiet spell,
   debounced within a burst. Broker or cache down: the rows wait in the outbox for the
   beat's drain, every minute; no web request runs a roll-up of its own.
"""

import contextlib
import datetime
import logging
import math
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from types import EllipsisType
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext

from registers import after_closing, generations, l10n
from registers.after_closing import recorded_after_closing  # noqa: F401  (the engine's callers may open it here)

from . import rollup
from .models import Indicator, LateFact, OutboxEntry
from .registry import ChangedFrom, Measure, Row, registry
from .tasks import PENDING_KEY, drain_task, rollup_task

if TYPE_CHECKING:
    from .period_source import Period

logger = logging.getLogger(__name__)
# Set for a debounce window when a drain is queued: a change within it is part of a burst.
RECENT_KEY = "indicators:drain:recent"

# {indicator id, or a measure key: the date from which a change may alter it (None: the project start)}.
Since: TypeAlias = dict[int | str, datetime.date | None]
_T = TypeVar("_T")

REPORT = "indicators.Report"
# The engine's own inputs: a change re-computes the indicator from its project start
# (a target or a milestone moves every expected value); never refused, since the
# snapshots of a closed period are frozen whatever their indicator becomes.
OWN_MODELS = ("indicators.Indicator", "indicators.Milestone")
M2M_ACTIONS = {"post_add", "post_remove", "post_clear"}
# Fields whose change alone says nothing about what a record counts.
IGNORED_FIELDS = {"version", "updated_at", "modified_at", "created_at"}


# --- Which indicators, from which date ---------------------------------------------

def measures_of(label: str) -> list[Measure]:
    """The measures that list the model ``label``."""
    return [measure for measure in registry if label in measure.models]


def _date_values(rows: Iterable[Row | None], names: Iterable[str]) -> list[datetime.date]:
    return [value for row in rows if row for name in names
            if isinstance(value := row.get(name), datetime.date)]


def changed_from(measure: Measure, label: str, old: Row | None, new: Row | None) -> ChangedFrom:
    """The earliest date a change of a ``label`` record may alter for ``measure``, or None (the project start).

    ``old`` and ``new`` are the record's field values before and after (None when it was
    created or deleted). An update that changed only some of the date fields touches
    their old and new values; one that changed anything else touches every date field
    of the record. A record with no date at all counts on no date: the change touches today.
    """
    if label in measure.change_dates:
        return measure.change_dates[label](old, new)
    names = measure.event_dates.get(label)
    if not names:
        # A new record of a model the measure reads without counting it (an
        # organisation, a region) is referenced by no counted record yet.
        return False if old is None and new is not None else None
    if old is not None and new is not None:
        changed = {name for name in new if name not in IGNORED_FIELDS and old.get(name) != new.get(name)}
        if not changed:
            return False
        if changed <= set(names):
            names = tuple(changed)
    values = _date_values((old, new), names)
    return min(values) if values else timezone.localdate()


def _row(instance: Model) -> Row:
    return {field.name: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _old_row(instance: Model) -> Row | None:
    if instance._state.adding or instance.pk is None:
        return None
    model = type(instance)
    names = [field.attname for field in model._meta.concrete_fields]
    row = model._base_manager.filter(pk=instance.pk).values(*names).first()
    if row is None:
        return None
    return {field.name: row[field.attname] for field in model._meta.concrete_fields}


# --- Writing the outbox ------------------------------------------------------------------

def record_changed(label: str, old: Row | None, new: Row | None, record: Model | None = None) -> list[OutboxEntry]:
    """Write the outbox rows of a change to a record of ``label`` (old/new field values, None if absent;
    ``record`` the instance, named in a late fact)."""
    if label in OWN_MODELS:
        row = new or old
        assert row is not None  # a change has a record before or after it
        indicator_id = row["id"] if label == "indicators.Indicator" else row["indicator"]
        return _write({indicator_id: None}, check=False)
    return _write(since_of(label, old, new), record=record)


def since_of(label: str, old: Row | None, new: Row | None, since: Since | None = None) -> Since:
    """{indicator id, or a measure key: the date from which the change may alter it (None: the project start)}.

    Keyed by measure for a register's record (``_write`` finds its indicators, in one
    query for any number of records), by indicator for a reported value.
    """
    since = {} if since is None else since
    if label == REPORT:
        return _report_since(old, new, since)
    if not any(_counts(row) for row in (old, new)):
        return since  # a partner's submission waiting, or rejected, before and after: it counts nowhere
    for measure in measures_of(label):
        date = changed_from(measure, label, old, new)
        if date is not False:
            since[measure.key] = _earliest(since.get(measure.key, ...), date)
    return since


def _counts(row: Row | None) -> bool:
    """Whether a record with these values may count: it exists and, when its register validates
    records, was approved."""
    return row is not None and row.get("approval", "approved") == "approved"


def _indicators_since(since: Mapping[int | str, datetime.date | None]) -> dict[Indicator, datetime.date | None]:
    """``since`` as ``{indicator: date or None}``, measure keys replaced by their indicators: one query."""
    keys = [key for key in since if isinstance(key, str)]
    ids = [key for key in since if not isinstance(key, str)]
    result: dict[Indicator, datetime.date | None] = {}
    found = _memo(("indicators", frozenset(ids), frozenset(keys)), lambda: list(
        Indicator.objects.select_related("project").filter(
            Q(pk__in=ids) | Q(source=Indicator.Source.MEASURE, measure_key__in=keys))))
    for indicator in found:
        for key in (indicator.pk, indicator.measure_key if indicator.source == Indicator.Source.MEASURE else None):
            if key is not None and key in since:
                result[indicator] = _earliest(result.get(indicator, ...), since[key])
    return result


def _earliest(current: datetime.date | None | EllipsisType, date: datetime.date | None) -> datetime.date | None:
    if current is ...:
        return date
    if current is None or date is None:
        return None
    return min(current, date)


def _report_since(old: Row | None, new: Row | None, since: Since) -> Since:
    if old and new and all(old.get(k) == new.get(k) for k in ("indicator", "as_of", "value", "status",
                                                              "organisation")):
        return since
    for row in (old, new):
        if row:
            since[row["indicator"]] = _earliest(since.get(row["indicator"], ...), row["as_of"])
    return since


def _write(since: Mapping[int | str, datetime.date | None], *, check: bool = True,
           record: Model | None = None) -> list[OutboxEntry]:
    """One OutboxEntry per indicator; refuse a change that would alter a closed period (or, recorded after
    closing, keep it as late facts). None = the project start."""
    if not since:
        return []
    entries = [OutboxEntry(indicator=indicator, changed_from=date or indicator.project.start_on)
               for indicator, date in _indicators_since(since).items()]
    if not entries:
        return []
    if check:
        projects = frozenset(entry.indicator.project_id for entry in entries)
        periods = _memo(("closed periods", projects), lambda: rollup.ClosedPeriods(projects))
        confirmation = after_closing.current()
        late: list[LateFact] = []
        for entry in entries:
            conflicts = rollup.closed_period_conflicts(entry.indicator, entry.changed_from, periods,
                                                       first=confirmation is None)
            if conflicts and confirmation is None:
                raise ValidationError(
                    gettext("This change would alter the closed reporting period '%(period)s' (%(indicator)s). "
                            "An administrator may reopen the period, giving a reason.")
                    % {"period": period_label(conflicts[0][0]), "indicator": entry.indicator.title},
                    code="closed_period")
            late += [_late_fact(entry, period, values, record) for period, values in conflicts]
        if late:
            LateFact.objects.bulk_create(late)
            generations.bump_on_commit(LateFact)  # the indicator's page lists them (no signal from a bulk create)
    OutboxEntry.objects.bulk_create(entries)
    request_drain()
    return entries


def _late_fact(entry: OutboxEntry, period: "Period", values: dict[str, str], record: Model | None) -> LateFact:
    """The late fact of a confirmed change: the record, its date and the reason, the period copied."""
    confirmation = after_closing.current()
    assert confirmation is not None  # only a confirmed change is kept as a late fact
    user = confirmation.user
    return LateFact(
        indicator=entry.indicator, period_id=period.pk, period_name=period.name[:200],
        period_start=period.start_on, period_end=period.end_on,
        record_model=record._meta.label if record is not None else "",
        record_id=str(record.pk) if record is not None and record.pk is not None else "",
        title=str(record)[:300] if record is not None else "", event_date=entry.changed_from,
        reason=confirmation.reason,
        recorded_by=user if getattr(user, "is_authenticated", False) else None, values=values)


def period_label(period: "Period") -> str:
    return f"{period.name} ({_day(period.start_on)} – {_day(period.end_on)})"


def _day(date: datetime.date) -> str:
    return l10n.short_date(date)


def records_created(model: type[Model], instances: Iterable[Model]) -> list[OutboxEntry]:
    """Bulk-created records (``bulk_create`` sends no signal): write their outbox rows."""
    label = model._meta.label
    since: Since = {}
    for instance in instances:
        since_of(label, None, _row(instance), since)
    return _write(since)


# --- Signals ------------------------------------------------------------------------

# The signal receivers: ``sender`` is the model (the through model for a many-to-many change).
# The old row rides on the instance from pre_save to post_save, an attribute no model declares.

def on_pre_save(sender: type[Model], instance: Model, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        instance._indicators_old_row = _old_row(instance)  # type: ignore[attr-defined]
        confirmation = after_closing.current()
        if confirmation is not None and not getattr(instance, "_change_reason", None):
            # Recorded after closing: the record's history keeps why (simple_history reads it on save).
            instance._change_reason = confirmation.history_reason  # type: ignore[attr-defined]


def on_save(sender: type[Model], instance: Model, raw: bool = False, **kwargs: object) -> None:
    if raw:
        return
    old = getattr(instance, "_indicators_old_row", None)
    instance._indicators_old_row = None  # type: ignore[attr-defined]
    record_changed(sender._meta.label, old, _row(instance), instance)


def on_delete(sender: type[Model], instance: Model, **kwargs: object) -> None:
    record_changed(sender._meta.label, _row(instance), None, instance)


def on_m2m_changed(sender: type[Model], instance: Model, action: str, reverse: bool, **kwargs: object) -> None:
    if action not in M2M_ACTIONS:
        return
    owner = _through_owners().get(sender)
    if owner is None:
        return
    label = owner._meta.label
    # Seen from the owning record (a project's participants), its dates bound the
    # change, as for an edit of it; seen from the other side, the project start.
    row = None if reverse else _row(instance)
    if row is not None and not _counts(row):
        return  # a submission's many-to-many values: it counts nowhere yet
    since: Since = {}
    for measure in measures_of(label):
        names = measure.event_dates.get(label)
        values = _date_values([row], names) if names and row else []
        since[measure.key] = min(values) if values else None
    _write(since, record=instance)


_owners: dict[type[Model], type[Model]] = {}


def _through_owners() -> dict[type[Model], type[Model]]:
    if not _owners:
        for model in watched_models():
            for m2m in model._meta.local_many_to_many:
                through = m2m.remote_field.through
                assert through is not None  # set once the models are loaded
                _owners[through] = model
    return _owners


def watched_models() -> list[type[Model]]:
    return [apps.get_model(name) for name in sorted(registry.models() | set(OWN_MODELS) | {REPORT})]


def connect() -> None:
    for model in watched_models():
        uid = f"indicators.outbox.{model._meta.label_lower}"
        pre_save.connect(on_pre_save, sender=model, dispatch_uid=uid + ".pre_save")
        post_save.connect(on_save, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(on_delete, sender=model, dispatch_uid=uid + ".delete")
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            m2m_changed.connect(on_m2m_changed, sender=through, dispatch_uid=f"{uid}.{m2m.name}.m2m")


# --- Draining ------------------------------------------------------------------------

_deferred = threading.local()


@contextlib.contextmanager
def rollups_deferred() -> Iterator[None]:
    """Within the block, changes write their outbox rows but request no drain; one is requested at the end.

    For bulk work (imports, demo data) that saves many records one by one.
    """
    depth = getattr(_deferred, "depth", 0)
    _deferred.depth = depth + 1
    if depth == 0:
        _deferred.memo = {}
    try:
        yield
    finally:
        _deferred.depth = depth
        if depth == 0:
            _deferred.memo = None
    if depth == 0:
        transaction.on_commit(drain_request)


def _memo(key: Hashable, build: Callable[[], _T]) -> _T:
    """``build()``, read once per ``rollups_deferred`` block: a bulk import saving thousands of records
    finds the indicators and the closed periods once, not once a record (neither changes meanwhile)."""
    memo: dict[Hashable, Any] | None = getattr(_deferred, "memo", None)
    if memo is None:
        return build()
    if key not in memo:
        memo[key] = build()
    value: _T = memo[key]  # what ``build`` gave for this key
    return value


def rollups_are_deferred() -> bool:
    return getattr(_deferred, "depth", 0) > 0


def request_drain() -> None:
    """Ask for a drain when the current transaction commits (at once outside one)."""
    if not rollups_are_deferred():
        transaction.on_commit(drain_request)


def drain_request() -> None:
    """Drain the outbox soon; called on commit of a change.

    - Eager (no broker, the embedded default): the drain runs now, in this process,
      for the indicators the change touched, so a save shows on the dashboard at once.
      A transaction of many saves asks many times; the first drain handles every row,
      the others find the outbox empty (one query).
    - With a broker: the first change after a quiet spell is drained at once; the burst
      that follows is debounced. A change sets ``PENDING_KEY`` (``cache.add``) and
      queues ``drain_task``; the changes that follow while the key is set queue nothing.
      The task clears the key before it reads the outbox, so a change committed while
      or after it runs queues one more drain, in ROLLUP_DEBOUNCE_SECONDS when a drain
      was queued less than a window ago (``RECENT_KEY``), at once otherwise. A burst
      thus costs a drain at its start and about one a window after that.
    - Broker or cache down: the save has committed and must not fail. The error is
      logged; the rows wait in the outbox for the beat's drain (every minute).
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        rollup.drain()
        return
    debounce = float(settings.ROLLUP_DEBOUNCE_SECONDS)
    window = max(1, math.ceil(debounce))
    queued = False
    try:
        now = timezone.now().isoformat()
        if not cache.add(PENDING_KEY, now, timeout=window * 10 + 60):
            return
        queued = True
        if cache.add(RECENT_KEY, now, timeout=window):
            countdown = 0.0
        else:
            # Within a burst: the window starts again when this drain runs.
            countdown = debounce
            cache.set(RECENT_KEY, now, timeout=2 * window)
        drain_task.apply_async(countdown=countdown)
    except Exception:
        logger.exception("Could not queue the drain (broker or cache down); the outbox keeps the changes "
                         "for the next scheduled drain.")
        if queued:
            with contextlib.suppress(Exception):
                cache.delete(PENDING_KEY)


def refresh_now() -> bool:

    """A manager's "Refresh now": a full roll-up of today, queued (run in this process without a broker).

    Returns False when the task queue does not answer.
    """
    from kombu.exceptions import OperationalError

    try:
        rollup_task.delay()
    except OperationalError:
        logger.exception("could not queue the roll-up")
        return False
    return True
