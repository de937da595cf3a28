"""The measure registry: how an indicator is counted from a register.

Domain apps declare their measures in ``<app>/measures.py`` and register them when
the app is ready; this module imports none of them.

A measure's ``records(on)`` returns a queryset with **one row per record** that
counts on the date ``on``: it filters with ``Exists``/``IN`` subqueries and joins only
along foreign keys (to-one), never along a to-many relation, so a row is never
repeated. The aggregate and every breakdown then run in the database, one query
each (``COUNT``/``SUM`` with ``GROUP BY``), whatever the number of records.

Every measure is also an interval rule (``Interval``: a record of a population counts
from a start date up to the day before an end date): any number of dates, total and
every breakdown, is computed from it in one query (``Measure.series``), in the ORM on
every database; ``records(on)`` stays its definition.
"""

import dataclasses
import datetime
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeAlias

from django.db.models import Count, F, Func, IntegerField, Model, Q, QuerySet, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, gettext_noop

# Stored in English in the breakdown rows; shown in the reader's language (dashboard).
NOT_GIVEN = gettext_noop("Not given")

# The records a measure counts, of whichever register's model.
Records: TypeAlias = "QuerySet[Model]"
# A row from a cursor or from ``values()``, or a record's field values (``changed_from``): by column
# name, whatever the database holds.
Row: TypeAlias = dict[str, Any]
# A field path on the records ("organisation__country") or an expression (``F``, ``Case``…).
FieldOrExpression: TypeAlias = str | Combinable
# The earliest date a change alters: a date, None (the project start) or False (no date at all).
ChangedFrom: TypeAlias = datetime.date | None | Literal[False]


def _expression(path_or_expression: FieldOrExpression) -> Combinable:
    if isinstance(path_or_expression, str):
        return F(path_or_expression)
    return path_or_expression


@dataclass(frozen=True)
class Dimension:
    """A breakdown: ``key`` is a field path (or an expression) on the records.

    A part's label is read last, from its key: ``labels`` names the parts' keys in one query
    (an organisation's name), ``display`` turns a key into its label in Python (a country code
    into the country's name, a choice into its label); else the key is its label. Every
    dimension attributes each record to exactly one part (its ``label`` states the
    rule when a record could belong to several), so the parts sum to the total;
    ``overlapping`` marks a dimension where one record may fall in several parts,
    so the parts do not sum to the total; it is shown as such.
    """

    name: str
    label: str
    key: FieldOrExpression
    overlapping: bool = False
    # The keys are whatever the database returns for ``key`` (a code, an id, a choice).
    display: Callable[[Any], object] | None = None
    # ``labels(keys)`` -> {key: label}: the labels of the parts' keys in one query, where reading a
    # label per record would cost a subquery per record (a product's first factory's name).
    labels: Callable[[set[Any]], Mapping[Any, object]] | None = None
    # At most this many parts are stored, the largest; the others are summed into one part "Others (N)"
    # (so the parts still add up to the total). For a dimension whose keys grow with the data: the
    # organisations responsible for records (some 30 in LCAMP, 78,000 in a synthetic million).
    max_parts: int | None = None

    def label_for(self, key: object, label: object = None) -> str:
        if key in (None, ""):
            return NOT_GIVEN
        if label not in (None, ""):
            return str(label)
        if self.display is not None:
            return str(self.display(key) or key)
        return str(key)


@dataclass(frozen=True)
class Interval:
    """A measure as an interval rule: ``records(on)`` is exactly the records of ``population()`` with
    ``start <= on`` and (``end`` empty or ``end > on``).

    ``population`` returns the records the date does not decide about (status, EQF level,
    "two participants are members on the project's start date"); ``start`` and ``end`` are
    field names (``end`` optional). A record whose end is not after its start never counts.
    Every record of the population weighs one (a count) or its ``Measure.field`` (a sum): where
    a measure counts distinct values of a field, a constraint makes them one per record on any
    date (one membership per organisation). A series of any number of dates is one pass over
    the population: each record adds its weight from the first date on or after its start, and
    takes it back from the first date on or after its end (``Measure.series``).
    """

    population: Callable[[], Records]
    start: str
    end: str = ""

    def counts_on(self, on: datetime.date) -> Q:
        """The condition on a record of the population that counts on ``on``."""
        condition = Q(**{f"{self.start}__lte": on})
        if self.end:
            condition &= Q(**{f"{self.end}__isnull": True}) | Q(**{f"{self.end}__gt": on})
        return condition

    def countable(self, first: datetime.date, last: datetime.date, *,
                  since: datetime.date | None = None) -> Records:
        """The population that may count on a date from ``first`` to ``last``; with ``since``, only the
        records that start or end after ``since`` (an index range on each date when there are few)."""
        queryset = self.population().order_by().filter(**{f"{self.start}__isnull": False,
                                                          f"{self.start}__lte": last})
        if self.end:
            queryset = queryset.filter(Q(**{f"{self.end}__isnull": True}) | Q(**{f"{self.end}__gt": F(self.start)}))
            if since is None:  # ended by the first date: it adds and takes back its weight before any date
                queryset = queryset.filter(Q(**{f"{self.end}__isnull": True}) | Q(**{f"{self.end}__gt": first}))
        if since is not None:
            moved = Q(**{f"{self.start}__gt": since})
            if self.end:
                moved |= Q(**{f"{self.end}__gt": since, f"{self.end}__lte": last})
            queryset = queryset.filter(moved)
        return queryset


@dataclass(frozen=True)
class Values:
    """A measure on one date: its total and, by dimension name, its parts."""

    total: Decimal
    parts: "dict[str, list[Part]]"


# Up to this many dates (a roll-up: the date and the forecast window's start; most drains), a series counts
# each date with a filtered aggregate rather than by the buckets of the records' starts and ends.
FEW_DATES = 4


class DateBucket(Func):
    """The position in ``dates`` (sorted) of the first date on or after a date: ``len(dates)`` when none is,
    NULL when the date is NULL.

    A record's start falls in the bucket of the first date it counts on, its end in the bucket
    of the first date it no longer counts on. A database function: ``width_bucket`` on
    PostgreSQL, a ``CASE`` over the dates elsewhere.
    """

    arity = 1
    output_field = IntegerField()

    def __init__(self, expression: FieldOrExpression, dates: Sequence[datetime.date]) -> None:
        super().__init__(_expression(expression))
        self.dates = tuple(dates)

    @property
    def convert_value(self) -> Any:
        # The database's integer as it is: no converter called per row (a series reads 100,000 groups).
        return self._convert_value_noop  # type: ignore[attr-defined]

    def as_sql(self, compiler: Any, connection: Any, function: str | None = None, template: str | None = None,
               arg_joiner: str | None = None, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        whens = " ".join(f"WHEN {sql} <= %s THEN {index}" for index in range(len(self.dates)))
        dates = [connection.ops.adapt_datefield_value(on) for on in self.dates]
        return (f"CASE WHEN {sql} IS NULL THEN NULL {whens} ELSE {len(self.dates)} END",
                [*params, *(param for on in dates for param in (*params, on))])

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # width_bucket counts the thresholds <= its operand: those before the date.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"width_bucket(({sql})::date - 1, %s::date[])", [*params, list(self.dates)]


@dataclass(frozen=True)
class Part:
    """One part of a breakdown: a key, its label and its value."""

    key: str
    label: str
    value: Decimal


@dataclass(frozen=True)
class Measure:
    """A named function of a date returning the records that count on that date.

    ``aggregate`` is ``"count"`` (count of distinct values of ``field``) or
    ``"sum"`` (sum of ``field``). ``models`` are the "app_label.Model" names whose
    changes affect the measure (saves, deletes, many-to-many changes).
    """

    key: str
    label: str
    records: Callable[[datetime.date], Records]
    aggregate: Literal["count", "sum"] = "count"
    field: str = "pk"
    models: tuple[str, ...] = ()
    dimensions: tuple[Dimension, ...] = dataclasses.field(default_factory=tuple)
    date_field: str = ""
    # The URL name of the form that adds a record to the register (the dashboard
    # card's "add" action), e.g. "alliance:member-create".
    add_url_name: str = ""
    # The URL name of a record's detail page, taking its pk, e.g. "alliance:member-detail".
    detail_url_name: str = ""
    description: str = ""
    # {"app_label.Model": ("date field", ...)}: the fields of a model whose old and new
    # values bound the dates a change to one of its records can alter (a member's
    # joined_on and left_on). A listed model without an entry (or a many-to-many
    # through table) may alter any date since the project start.
    event_dates: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    # {"app_label.Model": function(old, new)}: for a model whose records alter the measure only
    # through some others (a membership, the projects of its organisation started while it
    # changed), the earliest date a change alters: a date, None (the project start) or False
    # (no date at all). ``old``/``new`` as for ``event_dates``; it takes precedence over them.
    change_dates: dict[str, Callable[[Row | None, Row | None], ChangedFrom]] = dataclasses.field(default_factory=dict)
    # The measure as an interval rule: every series (the roll-up, a drain, the backfill) is built from it;
    # ``records(on)`` stays the definition it must equal (the property tests hold them to each other).
    interval: Interval = dataclasses.field(kw_only=True)

    def __hash__(self) -> int:
        return hash(self.key)

    def dimension(self, name: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.name == name:
                return dimension
        raise KeyError(name)

    def aggregate_expression(self) -> Coalesce | Count:
        """The SQL aggregate of the measure.

        ``records()`` yields one row per record, so counting the primary key needs
        no DISTINCT (which would make the database sort the rows for nothing);
        any other field (an organisation counted once whatever its memberships)
        is counted DISTINCT.
        """
        if self.aggregate == "sum":
            return Coalesce(Sum(self.field), 0)
        if self.aggregate != "count":
            raise ValueError(f"Unknown aggregate {self.aggregate!r} of measure {self.key!r}.")
        if self.field == "pk":
            return Count("pk")
        return Count(self.field, distinct=True)

    def total(self, on: datetime.date) -> Decimal:
        """The measure's value on ``on``: one query."""
        value = self.records(on).order_by().aggregate(value=self.aggregate_expression())["value"]
        return Decimal(value or 0)

    def _parts_query(self, on: datetime.date, dimension: Dimension) -> "QuerySet[Model, Row]":
        names = {"part_key": _expression(dimension.key)}
        # annotate() then values(names): values(**expressions) alone would also select every
        # field of a model with translated fields (django-modeltranslation), one group per record.
        # (annotate(**names) is Any to django-stubs: the names are not known before run time)
        parts: QuerySet[Model, Row] = (self.records(on).order_by().annotate(**names).values(*names)
                                       .annotate(part_value=self.aggregate_expression()).order_by())
        return parts

    def parts(self, on: datetime.date, dimension: str | Dimension) -> "list[Part]":
        """The parts of the value on ``on`` along ``dimension`` (a name or a Dimension): one query."""
        if isinstance(dimension, str):
            dimension = self.dimension(dimension)
        return self._parts_from_rows(dimension, self._parts_query(on, dimension))

    def series(self, dates: Iterable[datetime.date], *, parts_on: Iterable[datetime.date] | None = None,
               base: "tuple[datetime.date, Values] | None" = None) -> "dict[datetime.date, Values]":
        """``{date: Values}`` for every date of ``dates``: the total and every dimension's parts, exactly
        ``total`` and ``parts`` on each date (parts only on those of ``parts_on`` when given).

        Built from the measure's ``interval`` in the ORM, one query whatever the number of dates
        and dimensions: the countable records grouped by the combination of their breakdown keys
        (``_counted``), each group with what it weighs on each date; the
        sets of the breakdowns are summed from those rows here, and the labels read last, one
        query per dimension that names its parts by a lookup.

        ``base`` (a date before every one of ``dates``, and its Values, known to be right):
        only the records that start or end after it are read.
        """
        dates = sorted(set(dates))
        if not dates:
            return {}
        parts_on = set(dates if parts_on is None else parts_on)
        since, start_values = base if base is not None else (None, Values(Decimal(0), {}))
        # With a base, its date is the first threshold: what starts or ends by then is in its values.
        thresholds, first = ([since, *dates], 1) if since is not None else (dates, 0)
        wanted = [position for position, on in enumerate(dates) if on in parts_on]
        totals, parts_at = self._counted(thresholds, first, since, wanted)
        parts: dict[str, dict[int, list[Part]]] = {}
        for index, dimension in enumerate(self.dimensions):
            base_rows = [{"part_key": part.key, "part_label": part.label, "part_value": part.value}
                         for part in start_values.parts.get(dimension.name, ())]
            # Worked out once per key, not per date (country names are slow); a key the base has keeps its label.
            labels: dict[tuple[Any, Any], str] = {}
            base_labels = {row["part_key"]: row["part_label"] for row in base_rows}
            for by_key in parts_at[index]:
                for key in by_key:
                    if key is not None and str(key) in base_labels:
                        labels[(key, None)] = str(base_labels[str(key)])
            parts[dimension.name] = {}
            fold = base is None and dimension.max_parts is not None
            order = sorted(set().union(*parts_at[index]), key=_as_text) if fold else []
            rows_at: dict[int, list[Row]] = {}
            for slot, position in enumerate(wanted):
                values = parts_at[index][slot]
                if fold:
                    rows_at[position] = _fold_largest(values, dimension.max_parts or 0, order)
                else:
                    rows_at[position] = [*base_rows, *({"part_key": key, "part_label": None, "part_value": value}
                                                       for key, value in values.items())]
            if dimension.labels is not None:  # the labels of every date's parts in one query
                self._label(dimension, [row for rows in rows_at.values() for row in rows], labels)
            for position, rows in rows_at.items():
                parts[dimension.name][position] = self._parts_from_rows(dimension, rows, labels)
        return {on: Values(Decimal(totals[position] + start_values.total),
                           {name: by_position[position] for name, by_position in parts.items()}
                           if on in parts_on else {})
                for position, on in enumerate(dates)}

    def _counted(self, thresholds: list[datetime.date], first: int, since: datetime.date | None,
                 wanted: list[int]) -> tuple[list[Any], list[list[dict[Any, Any]]]]:
        """What the countable records weigh on each date (``thresholds`` from position ``first`` on; before
        it, the base's date: then what changed since it): the totals, and for each dimension, on each
        date of the positions ``wanted``, ``{key: value}`` (the keys whose value is not zero).

        One query, the records grouped by the combination of their breakdown keys. Up to
        ``FEW_DATES`` thresholds (a roll-up, most drains), each group's weight counting on each
        date is a filtered aggregate. Beyond (the backfill's month-ends), the groups are also split
        by the bucket a record's start and end fall in (``DateBucket``): each adds its weight on the
        date its start falls on and takes it back on its end's, and each key's value is carried from
        date to date, whatever the number of dates. Values are ints, or decimals where the database
        summed them.
        """
        interval = self.interval
        keys = {f"series_key{index}": _expression(dimension.key) for index, dimension in enumerate(self.dimensions)}
        # annotate() then values(names): values(**expressions) alone would also select every field of a model
        # with translated fields (django-modeltranslation), one group per record.
        records = interval.countable(thresholds[first], thresholds[-1], since=since).annotate(**keys).values(*keys)
        field = "pk" if self.aggregate == "count" else self.field
        aggregate = Count if self.aggregate == "count" else Sum
        size, count, width = len(thresholds), len(thresholds) - first, len(keys)
        totals: list[Any] = [0] * count
        if size <= FEW_DATES:
            parts_at: list[list[dict[Any, Any]]] = [[{} for _ in wanted] for _ in keys]
            counted = {f"series_on{index}": aggregate(field, filter=interval.counts_on(on))
                       for index, on in enumerate(thresholds)}
            for group in records.annotate(**counted).order_by().values_list(*keys, *counted):
                # With a base (first = 1): what the group weighs on each date less what it weighed on the base's.
                before = (group[width] or 0) if first else 0
                values = [(value or 0) - before for value in group[width + first:]]
                for position, value in enumerate(values):
                    totals[position] += value
                for index in range(width):
                    key = group[index]
                    for slot, position in enumerate(wanted):
                        if values[position]:
                            by_key = parts_at[index][slot]
                            by_key[key] = by_key.get(key, 0) + values[position]
            return totals, [[{key: value for key, value in by_key.items() if value} for by_key in at]
                            for at in parts_at]
        buckets = {"series_start": DateBucket(interval.start, thresholds)}
        if interval.end:
            buckets["series_end"] = DateBucket(interval.end, thresholds)
        signs = (1, -1)[:len(buckets)]  # the start adds the weight, the end takes it back
        # By dimension and date: {key: what it gains or loses that date}.
        steps: list[list[dict[Any, Any]]] = [[{} for _ in range(count)] for _ in keys]
        for group in (records.annotate(**buckets).values(*keys, *buckets).annotate(series_weight=aggregate(field))
                      .order_by().values_list(*keys, *buckets, "series_weight")):
            weight = group[-1] or 0
            for bucket, sign in zip(group[width:width + len(buckets)], signs, strict=True):
                if not weight or bucket is None or not first <= bucket < size:
                    continue
                position, step = bucket - first, sign * weight
                totals[position] += step
                for index in range(width):
                    on_date = steps[index][position]
                    on_date[group[index]] = on_date.get(group[index], 0) + step
        slots = {position: slot for slot, position in enumerate(wanted)}
        parts_at = []
        for by_date in steps:
            current: dict[Any, Any] = {}
            at: list[dict[Any, Any]] = [{} for _ in wanted]
            for position, changes in enumerate(by_date):
                for key, step in changes.items():
                    value = current.get(key, 0) + step
                    if value:
                        current[key] = value
                    else:
                        current.pop(key, None)
                if position in slots:
                    at[slots[position]] = dict(current)
            parts_at.append(at)
        return _running(totals), parts_at

    @staticmethod
    def _label(dimension: Dimension, rows: Iterable[Row], labels: dict[tuple[Any, Any], str]) -> None:
        """Add to ``labels`` those of the rows' keys that ``dimension.labels`` names: one query."""
        assert dimension.labels is not None
        missing = {row["part_key"] for row in rows if row.get("part_label") is None
                   and (row["part_key"], None) not in labels}
        if missing:
            found = dimension.labels(missing - {None, ""})
            labels.update({(key, None): dimension.label_for(key, found.get(key)) for key in missing})

    def _parts_from_rows(self, dimension: Dimension, rows: Iterable[Row],
                         labels: dict[tuple[Any, Any], str] | None = None) -> "list[Part]":
        labels = {} if labels is None else labels
        if dimension.max_parts is not None:
            rows = _fold_small_parts(list(rows), dimension.max_parts)
        if dimension.labels is not None:
            self._label(dimension, rows, labels)
        parts: dict[str, Part] = {}
        for row in rows:
            key = "" if row["part_key"] is None else str(row["part_key"])
            label_key = (row["part_key"], row.get("part_label"))
            if label_key not in labels:
                labels[label_key] = dimension.label_for(*label_key)
            label = labels[label_key]
            value = Decimal(row["part_value"] or 0)
            if key in parts:  # two labels for one key: keep one part
                value += parts[key].value
            parts[key] = Part(key=key, label=label, value=value)
        # A part whose records all stopped counting (a running sum back to zero) is no part.
        return sorted((part for part in parts.values() if part.value), key=lambda part: (-part.value, part.key))


OTHER_PARTS_KEY = "others"


def _fold_largest(values: dict[Any, Any], max_parts: int, order: Sequence[Any]) -> list[Row]:
    """The rows of a breakdown ``{key: value}`` (values not zero), all but the ``max_parts`` largest parts summed
    into one part (key ``OTHER_PARTS_KEY``), as ``_fold_small_parts`` folds rows, in a pass or two over a large
    breakdown (78,000 organisations), not a sort. ``order``: every key, sorted as text (ties at the cut go to
    the smaller keys, as the parts are sorted)."""
    if len(values) <= max_parts:
        return [{"part_key": key, "part_label": None, "part_value": value} for key, value in values.items()]
    cut = heapq.nlargest(max_parts - 1, values.values())[-1]
    kept = [key for key, value in values.items() if value > cut]
    tied = [key for key, value in values.items() if value == cut]
    missing = max_parts - 1 - len(kept)
    if len(tied) <= missing:
        kept += tied
    elif len(tied) * 8 < len(order):  # few ties: sort them
        kept += sorted(tied, key=_as_text)[:missing]
    else:  # most keys tie (a count of 1 each): the first of them in the keys' order
        ties = set(tied)
        kept += [key for key in itertools.islice((key for key in order if key in ties), missing)]
    rows = [{"part_key": key, "part_label": None, "part_value": values[key]} for key in kept]
    label = gettext("Others (%(count)d)") % {"count": len(values) - len(kept)}
    others = sum(values.values()) - sum(row["part_value"] for row in rows)
    return [*rows, {"part_key": OTHER_PARTS_KEY, "part_label": label, "part_value": Decimal(others)}]


def _as_text(key: Any) -> str:
    return "" if key is None else str(key)


def _fold_small_parts(rows: list[Row], max_parts: int) -> list[Row]:
    """``rows`` (part_key, part_label, part_value) with all but the ``max_parts`` largest parts summed into
    one part (key ``OTHER_PARTS_KEY``), largest first and by key on a tie, as the parts are sorted."""
    totals: dict[Any, Any] = {}  # ints or decimals, as the database summed them
    for row in rows:
        totals[row["part_key"]] = totals.get(row["part_key"], 0) + (row["part_value"] or 0)
    counted = [key for key, value in totals.items() if value]
    if len(counted) <= max_parts:
        return rows
    kept = set(heapq.nsmallest(max_parts - 1, counted, key=lambda key: (-totals[key], _as_text(key))))
    others = [key for key in counted if key not in kept]
    label = gettext("Others (%(count)d)") % {"count": len(others)}
    return [*(row for row in rows if row["part_key"] in kept),
            {"part_key": OTHER_PARTS_KEY, "part_label": label, "part_value": Decimal(sum(totals[key] for key in others))}]


def _running(increments: Iterable[Any]) -> list[Any]:
    """The running sums of ``increments`` (ints, or decimals where the database summed decimals)."""
    total: Any = 0
    values: list[Any] = []
    for increment in increments:
        total += increment
        values.append(total)
    return values


class CountedOrReported(Protocol):
    """What the registry reads of an indicator (``indicators.models.Indicator``, which imports this module)."""

    @property
    def is_reported(self) -> bool: ...

    @property
    def measure_key(self) -> str: ...


class MeasureRegistry:
    def __init__(self) -> None:
        self._measures: dict[str, Measure] = {}

    def register(self, measure: Measure) -> Measure:
        if measure.key in self._measures and self._measures[measure.key] != measure:
            raise ValueError(f"A measure {measure.key!r} is registered already.")
        self._measures[measure.key] = measure
        return measure

    def get(self, key: str) -> Measure:
        return self._measures[key]

    def __contains__(self, key: object) -> bool:
        return key in self._measures

    def __iter__(self) -> Iterator[Measure]:
        return iter(self._measures.values())

    def for_indicator(self, indicator: CountedOrReported) -> Measure | None:
        """The measure counting ``indicator``, or None (a reported indicator, or no measure of its key)."""
        if indicator.is_reported or not indicator.measure_key:
            return None
        return self._measures.get(indicator.measure_key)

    def keys(self) -> list[str]:
        return list(self._measures)

    def models(self) -> set[str]:

        """Every "app_label.Model" name some measure depends on."""
        return {name for measure in self for name in measure.models}


registry = MeasureRegistry()

__all__ = ["DateBucket", "Dimension", "Interval", "Measure", "MeasureRegistry", "NOT_GIVEN", "Part", "Values",
           "registry"]
