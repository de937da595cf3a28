"""The measure registry: how an indicator is counted from a register.

Domain apps declare their measures in ``<app>/measures.py`` and register them when
the app is ready; this module imports none of them.

A measure's ``records(on)`` returns a queryset with **one row per record** that
counts on the date ``on``: it filters with ``Exists``/``IN`` subqueries and joins only
along foreign keys (to-one), never along a to-many relation, so a row is never
repeated. The aggregate and every breakdown then run in the database, one query
each (``COUNT``/``SUM`` with ``GROUP BY``), whatever the number of records.

A measure that is an interval rule (``Interval``: a record counts from a start date up
to the day before an end date) also computes any number of dates, total and every
breakdown, in one query (``Measure.series``); ``records(on)`` stays its definition.
"""

import dataclasses
import datetime
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeAlias

from django.db import connections
from django.db.models import Count, DateField, F, Model, Q, QuerySet, Sum, Value
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
    """A breakdown: ``key`` and ``label_field`` are field paths (or expressions) on the records.

    ``display`` turns a key into its label in Python when the label is not a field
    (a country code into the country's name, a choice into its label). Every
    dimension attributes each record to exactly one part (its ``label`` states the
    rule when a record could belong to several), so the parts sum to the total;
    ``overlapping`` marks a dimension where one record may fall in several parts,
    so the parts do not sum to the total; it is shown as such.
    """

    name: str
    label: str
    key: FieldOrExpression
    label_field: FieldOrExpression | None = None
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


# Two dates no register holds (event dates are 1990 or later): ``records(on)`` is compiled
# with each, and the parameters equal to it are the places where the date enters the SQL.
_SENTINELS = (datetime.date(1001, 1, 1), datetime.date(1002, 2, 2))
_PLACEHOLDER = re.compile(r"%%|%s")
SERIES_DATE = "series_dates.d"


class SeriesUnsupported(Exception):
    """``records(on)`` does not use ``on`` as a plain SQL parameter: compute date by date."""


def _is_sentinel(param: object, sentinel: datetime.date) -> bool:
    return param == sentinel or param == sentinel.isoformat()


def _top_level(sql: str, keyword: str) -> int:
    """The index of ``keyword`` in ``sql`` outside parentheses and quotes, or -1."""
    depth = 0
    quote: str | None = None
    for index, char in enumerate(sql):
        if quote:
            if char == quote:
                quote = None
            continue
        if char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and sql.startswith(keyword, index):
            return index
    return -1


def _substitute(sql: str, params: Sequence[Any], sentinel: datetime.date) -> tuple[str, list[Any], int]:
    """Replace the parameters equal to ``sentinel`` by the series' date column: (sql, params, replaced count)."""
    pieces: list[str] = []
    kept: list[Any] = []
    position, replaced = 0, 0
    last = 0
    for match in _PLACEHOLDER.finditer(sql):
        pieces.append(sql[last:match.start()])
        last = match.end()
        if match.group() == "%%":
            pieces.append("%%")
            continue
        param = params[position]
        position += 1
        if _is_sentinel(param, sentinel):
            pieces.append(SERIES_DATE)
            replaced += 1
        else:
            pieces.append("%s")
            kept.append(param)
    pieces.append(sql[last:])
    return "".join(pieces), kept, replaced


def _dates_relation(vendor: str, dates: Sequence[datetime.date]) -> tuple[str, list[Any]]:
    """SQL of a relation ``series_dates`` with one column ``d``, one row per date, and its parameters."""
    if vendor == "postgresql":
        return "(SELECT unnest(%s::date[]) AS d) series_dates", [list(dates)]
    values = ", ".join(["(%s)"] * len(dates))
    return f"(SELECT column1 AS d FROM (VALUES {values})) series_dates", [  # noqa: S608 (placeholders only)
        on.isoformat() for on in dates]


def series_rows(queryset_for: Callable[[datetime.date], "QuerySet[Model, Row]"],
                dates: Iterable[datetime.date]) -> list[Row]:
    """Rows of ``queryset_for(on)`` (a ``values().annotate()`` query) for every date in ``dates``, in one query.

    ``queryset_for`` is compiled once; the dates are joined as a relation and the date
    becomes a column added to the select list and the GROUP BY, so each row carries its
    date under ``series_date``. Raises ``SeriesUnsupported`` when the date does not enter
    the query as a plain parameter (it would then be computed in Python).
    """
    dates = sorted(set(dates))
    if not dates:
        return []
    compiled: list[tuple[str, str, list[Any], int]] = []
    for sentinel in _SENTINELS:
        queryset = queryset_for(sentinel)
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
        compiled.append((queryset.db, *_substitute(sql, params, sentinel)))
    (db, sql, params, replaced), (_, other_sql, other_params, other_replaced) = compiled
    if sql != other_sql or params != other_params or replaced != other_replaced or not replaced:
        raise SeriesUnsupported
    select, where_from = _top_level(sql, "SELECT "), _top_level(sql, " FROM ")
    if select != 0 or where_from < 0 or _top_level(sql, " ORDER BY ") >= 0 or _top_level(sql, " LIMIT ") >= 0:
        raise SeriesUnsupported
    connection = connections[db]
    relation, relation_params = _dates_relation(connection.vendor, dates)
    before = len([m for m in _PLACEHOLDER.findall(sql[:where_from]) if m == "%s"])
    # The date goes last in the select list: a GROUP BY may name the columns by position.
    sql = (f"{sql[:where_from]}, {SERIES_DATE} AS series_date FROM {relation} CROSS JOIN "
           f"{sql[where_from + len(' FROM '):]}")
    params = [*params[:before], *relation_params, *params[before:]]
    group_by = _top_level(sql, " GROUP BY ")
    if group_by >= 0:
        start = group_by + len(" GROUP BY ")
        sql = f"{sql[:start]}{SERIES_DATE}, {sql[start:]}"
    else:
        sql = f"{sql} GROUP BY {SERIES_DATE}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        if isinstance(row["series_date"], str):
            row["series_date"] = datetime.date.fromisoformat(row["series_date"][:10])
        elif isinstance(row["series_date"], datetime.datetime):
            row["series_date"] = row["series_date"].date()
    return rows


@dataclass(frozen=True)
class Interval:
    """A measure as an interval rule: ``records(on)`` is exactly the records of ``population()`` with
    ``start <= on`` and (``end`` empty or ``end > on``).

    ``population`` returns the records the date does not decide about (status, EQF level,
    "two participants are members on the project's start date"); ``start`` and ``end`` are
    field names (``end`` optional). A record whose end is not after its start never counts.
    ``vendors`` names the databases where the rule holds (empty: every one), e.g. where a
    constraint makes counting records the same as counting distinct ``Measure.field`` values.
    With it, a series of any number of dates costs one pass over the population: each record
    adds its weight from the first date on or after its start, and takes it back from the
    first date on or after its end.
    """

    population: Callable[[], Records]
    start: str
    end: str = ""
    vendors: tuple[str, ...] = ()

    def applies(self, vendor: str) -> bool:
        return not self.vendors or vendor in self.vendors

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


def _bucket_sql(vendor: str, column: str, dates: Sequence[datetime.date]) -> tuple[str, list[Any]]:
    """SQL of the index of the first of ``dates`` (sorted) on or after the date ``column``, and its parameters.

    ``len(dates)`` when none is; NULL when ``column`` is.
    """
    if vendor == "postgresql":
        # width_bucket counts the thresholds <= its operand: those < column.
        return f"width_bucket({column}::date - 1, %s::date[])", [list(dates)]
    cases = " ".join(f"WHEN {column} <= %s THEN {index}" for index in range(len(dates)))
    return f"CASE WHEN {column} IS NULL THEN NULL {cases} ELSE {len(dates)} END", [
        on.isoformat() for on in dates]


def _events_sql(vendor: str, inner: tuple[str, Sequence[Any]], weight: str, dates: Sequence[datetime.date],
                key_sets: Sequence[tuple[str, ...]], first_bucket: int = 0) -> tuple[str, list[Any], list[str]]:
    """SQL of the weight each record adds (at its start) and takes back (at its end), summed by bucket (the
    index of the first date it applies to; from ``first_bucket``) and by each of ``key_sets`` (tuples of
    columns; () is the total).

    Each row: ``bucket``, the key columns (NULL when not in its set), ``key_set`` (its index in
    ``key_sets``) or ``grouping_id`` (PostgreSQL), ``value``. One pass: GROUPING SETS on
    PostgreSQL; elsewhere a UNION ALL over the events, read once per key set. Only column
    aliases and placeholders are written into the SQL.
    """
    columns = sorted({column for key_set in key_sets for column in key_set})
    start, start_params = _bucket_sql(vendor, "r.series_start", dates)
    end, end_params = _bucket_sql(vendor, "r.series_end", dates)
    keys = "".join(f", r.{column} AS {column}" for column in columns)
    if vendor == "postgresql":
        grouping = f", GROUPING({', '.join(f'r.{c}' for c in columns)}) AS grouping_id" if columns else ""
        sets = ", ".join(f"({', '.join(['e.bucket', *(f'r.{c}' for c in key_set)])})" for key_set in key_sets)
        sql = (f"SELECT e.bucket AS bucket{keys}{grouping}, SUM(e.weight) AS value "  # noqa: S608
               f"FROM ({inner[0]}) r CROSS JOIN LATERAL (VALUES ({start}, {weight}), ({end}, -{weight})) "
               f"AS e(bucket, weight) WHERE e.bucket >= %s AND e.bucket < %s GROUP BY GROUPING SETS ({sets})")
        return sql, [*inner[1], *start_params, *end_params, first_bucket, len(dates)], columns
    selects = []
    for index, key_set in enumerate(key_sets):
        picked = "".join(f", {c}" if c in key_set else f", NULL AS {c}" for c in columns)
        selects.append(f"SELECT bucket{picked}, {index} AS key_set, SUM(weight) AS value FROM series_events "  # noqa: S608
                       f"WHERE bucket >= {first_bucket} AND bucket < {len(dates)} "
                       f"GROUP BY {', '.join(['bucket', *key_set])}")
    sql = (f"WITH r AS ({inner[0]}), series_events AS (SELECT {start} AS bucket, {weight} AS weight{keys} "  # noqa: S608
           f"FROM r UNION ALL SELECT {end}, -{weight}{keys} FROM r WHERE r.series_end IS NOT NULL) "
           f"{' UNION ALL '.join(selects)}")
    return sql, [*inner[1], *start_params, *end_params], columns


# Up to this many dates (a roll-up: the date and the forecast window's start), a series is one
# filtered aggregate per date rather than events summed by date: a little cheaper.
FEW_DATES = 4


def _counted_on_sql(vendor: str, inner: tuple[str, Sequence[Any]], weight: str, dates: Sequence[datetime.date],
                    key_sets: Sequence[tuple[str, ...]], has_end: bool) -> tuple[str, list[Any], list[str]]:
    """SQL of the weight of the records counting on each of ``dates`` (``value0``, ``value1``…), by each
    of ``key_sets``: rows as ``_events_sql`` gives them, one pass (GROUPING SETS on PostgreSQL)."""
    columns = sorted({column for key_set in key_sets for column in key_set})
    keys = "".join(f", r.{column} AS {column}" for column in columns)
    end = " AND (r.series_end IS NULL OR r.series_end > %s)" if has_end else ""
    values = ", ".join(f"SUM({weight}) FILTER (WHERE r.series_start <= %s{end}) AS value{index}"
                       for index in range(len(dates)))
    date_params: list[Any] = [param for on in dates for param in ([on, on] if has_end else [on])]
    if vendor == "postgresql":
        grouping = f", GROUPING({', '.join(f'r.{c}' for c in columns)}) AS grouping_id" if columns else ""
        sets = ", ".join(f"({', '.join(f'r.{c}' for c in key_set)})" for key_set in key_sets)
        sql = f"SELECT {values}{keys}{grouping} FROM ({inner[0]}) r GROUP BY GROUPING SETS ({sets})"  # noqa: S608
        return sql, [*date_params, *inner[1]], columns
    date_params = [on.isoformat() for on in date_params]
    selects = []
    for index, key_set in enumerate(key_sets):
        picked = "".join(f", r.{c} AS {c}" if c in key_set else f", NULL AS {c}" for c in columns)
        group = f" GROUP BY {', '.join(f'r.{c}' for c in key_set)}" if key_set else ""
        selects.append(f"SELECT {values}{picked}, {index} AS key_set FROM r{group}")  # noqa: S608
    sql = f"WITH r AS ({inner[0]}) {' UNION ALL '.join(selects)}"
    return sql, [*inner[1], *(date_params * len(key_sets))], columns


def _key_set_of(row: Row, columns: Sequence[str], key_sets: Sequence[tuple[str, ...]]) -> int:
    """The index in ``key_sets`` of a PostgreSQL GROUPING SETS row (from its GROUPING() bit mask)."""
    if "key_set" in row:
        return int(row["key_set"])
    mask = row.get("grouping_id", 0)
    grouped = {column for bit, column in enumerate(reversed(columns)) if not mask >> bit & 1}
    return next(index for index, key_set in enumerate(key_sets) if set(key_set) == grouped)


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
    # The measure as an interval rule (``Interval``), when it is one: a series of dates is then
    # one pass over the records; ``records(on)`` stays the definition it must equal.
    interval: Interval | None = None

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
        if dimension.label_field is not None:
            names["part_label"] = _expression(dimension.label_field)
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

    def series_totals(self, dates: Iterable[datetime.date]) -> dict[datetime.date, Decimal]:
        """``{date: value}`` for every date of ``dates``: one query (``GROUP BY`` the date), exactly ``total``."""
        dates = sorted(set(dates))
        try:
            rows = series_rows(lambda on: self.records(on).order_by().annotate(
                series_group=Value(1)).values("series_group").annotate(
                part_value=self.aggregate_expression()).order_by(), dates)
        except SeriesUnsupported:
            return {on: self.total(on) for on in dates}
        values = {on: Decimal(0) for on in dates}
        for row in rows:
            values[row["series_date"]] = Decimal(row["part_value"] or 0)
        return values

    def series_parts(self, dates: Iterable[datetime.date],
                     dimension: str | Dimension) -> "dict[datetime.date, list[Part]]":
        """``{date: [Part, ...]}`` along ``dimension`` for every date of ``dates``: one query, exactly ``parts``."""
        if isinstance(dimension, str):
            dimension = self.dimension(dimension)
        dates = sorted(set(dates))
        try:
            rows = series_rows(lambda on: self._parts_query(on, dimension), dates)
        except SeriesUnsupported:
            return {on: self.parts(on, dimension) for on in dates}
        by_date: dict[datetime.date, list[Row]] = {on: [] for on in dates}
        for row in rows:
            by_date[row["series_date"]].append(row)
        labels: dict[tuple[Any, Any], str] = {}
        return {on: self._parts_from_rows(dimension, rows, labels) for on, rows in by_date.items()}

    def series(self, dates: Iterable[datetime.date], *, parts_on: Iterable[datetime.date] | None = None,
               base: "tuple[datetime.date, Values] | None" = None) -> "dict[datetime.date, Values]":
        """``{date: Values}`` for every date of ``dates``: the total and every dimension's parts, exactly
        ``total`` and ``parts`` on each date (parts only on those of ``parts_on`` when given).

        With an ``interval`` that applies on this database: one query whatever the number of
        dates and dimensions. Otherwise one query for the totals and one per dimension.
        ``base`` (a date before every one of ``dates``, and its Values, known to be right):
        only the records that start or end after it are read (an interval rule only).
        """
        dates = sorted(set(dates))
        if not dates:
            return {}
        parts_dates = set(dates if parts_on is None else parts_on)
        queryset = self.records(dates[0])
        vendor = connections[queryset.db].vendor
        if not self.has_one_pass_series(vendor):
            totals = self.series_totals(dates)
            parts = {d.name: self.series_parts(sorted(parts_dates), d) for d in self.dimensions}
            return {on: Values(totals[on], {name: by_date[on] for name, by_date in parts.items()}
                               if on in parts_dates else {}) for on in dates}
        return self._interval_series(dates, parts_dates, vendor, base)

    def has_one_pass_series(self, vendor: str) -> bool:
        return self.interval is not None and self.interval.applies(vendor)

    def _interval_series(self, dates: list[datetime.date], parts_on: set[datetime.date], vendor: str,
                         base: "tuple[datetime.date, Values] | None" = None) -> "dict[datetime.date, Values]":
        interval = self.interval
        assert interval is not None  # has_one_pass_series
        columns: dict[str, Combinable] = {
                   "series_start": F(interval.start),
                   "series_end": F(interval.end) if interval.end else Value(None, output_field=DateField())}
        key_sets: list[tuple[str, ...]] = [()]
        for index, dimension in enumerate(self.dimensions):
            columns[f"series_key{index}"] = _expression(dimension.key)
            key_set: tuple[str, ...] = (f"series_key{index}",)
            if dimension.label_field is not None:
                columns[f"series_label{index}"] = _expression(dimension.label_field)
                key_set += (f"series_label{index}",)
            key_sets.append(key_set)
        if self.aggregate == "sum":
            columns["series_weight"] = F(self.field)
            weight = "COALESCE(r.series_weight, 0)"
        else:
            weight = "1"
        since: datetime.date | None
        since, start_values = base if base is not None else (None, Values(Decimal(0), {}))
        queryset = interval.countable(dates[0], dates[-1], since=since).annotate(**columns).values(*columns)
        inner = queryset.query.get_compiler(using=queryset.db).as_sql()
        # With a base, its date is the first threshold: what starts or ends by then is in its values.
        thresholds, first = ([since, *dates], 1) if since is not None else (dates, 0)
        rows: list[Row]
        few = since is None and len(dates) <= FEW_DATES
        if few:
            sql, params, key_columns = _counted_on_sql(vendor, inner, weight, dates, key_sets, bool(interval.end))
        else:
            sql, params, key_columns = _events_sql(vendor, inner, weight, thresholds, key_sets, first)
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        if few:  # each date's value: as steps from one date to the next
            rows = [{**row, "bucket": position, "value": (row[f"value{position}"] or 0) - (
                row[f"value{position - 1}"] or 0 if position else 0)} for row in rows for position in range(len(dates))]
        # Each bucket holds what starts (or stops) counting on its date: the values are running sums.
        steps: list[list[Any]] = [[0] * len(dates) for _ in key_sets]  # ints or decimals, as the database sums
        part_steps: list[dict[tuple[Any, Any], list[Any]]] = [{} for _ in key_sets]
        for row in rows:
            set_index = _key_set_of(row, key_columns, key_sets)
            position = row["bucket"] - first
            if set_index == 0:
                steps[0][position] += row["value"] or 0
                continue
            key = row[key_sets[set_index][0]]
            label = row.get(key_sets[set_index][1]) if len(key_sets[set_index]) > 1 else None
            part_steps[set_index].setdefault((key, label), [0] * len(dates))[position] += row["value"] or 0
        steps[0][0] += start_values.total
        totals = _running(steps[0])
        wanted = [position for position, on in enumerate(dates) if on in parts_on]
        parts: dict[str, dict[int, list[Part]]] = {}
        for index, dimension in enumerate(self.dimensions, start=1):
            # The base's parts first: on a key with two labels the newer label (the last row) wins.
            base_rows = [{"part_key": part.key, "part_label": part.label, "part_value": part.value}
                         for part in start_values.parts.get(dimension.name, ())]
            by_date = {position: list(base_rows) for position in wanted}
            for (key, label), increments in part_steps[index].items():
                running = _running(increments)
                for position in wanted:
                    if running[position]:
                        by_date[position].append({"part_key": key, "part_label": label, "part_value": running[position]})
            labels: dict[tuple[Any, Any], str] = {}  # worked out once per key, not per date (country names are slow)
            parts[dimension.name] = {position: self._parts_from_rows(dimension, part_rows, labels)
                                     for position, part_rows in by_date.items()}
        return {on: Values(Decimal(totals[position]), {name: by_position[position]
                                                       for name, by_position in parts.items()} if on in parts_on else {})
                for position, on in enumerate(dates)}

    def _parts_from_rows(self, dimension: Dimension, rows: Iterable[Row],
                         labels: dict[tuple[Any, Any], str] | None = None) -> "list[Part]":
        labels = {} if labels is None else labels
        if dimension.max_parts is not None:
            rows = _fold_small_parts(list(rows), dimension.max_parts)
        if dimension.labels is not None:
            missing = {row["part_key"] for row in rows if row.get("part_label") is None
                       and (row["part_key"], None) not in labels}
            if missing:
                found = dimension.labels(missing - {None, ""})
                labels.update({(key, None): dimension.label_for(key, found.get(key)) for key in missing})
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


def _fold_small_parts(rows: list[Row], max_parts: int) -> list[Row]:
    """``rows`` (part_key, part_label, part_value) with all but the ``max_parts`` largest parts summed into
    one part (key ``OTHER_PARTS_KEY``), largest first and by key on a tie, as the parts are sorted."""
    totals: dict[Any, Decimal] = {}
    for row in rows:
        totals[row["part_key"]] = totals.get(row["part_key"], Decimal(0)) + Decimal(row["part_value"] or 0)
    counted = [key for key, value in totals.items() if value]
    if len(counted) <= max_parts:
        return rows
    counted.sort(key=lambda key: (-totals[key], "" if key is None else str(key)))
    kept = set(counted[:max_parts - 1])
    others = [key for key in counted if key not in kept]
    label = gettext("Others (%(count)d)") % {"count": len(others)}
    return [*(row for row in rows if row["part_key"] in kept),
            {"part_key": OTHER_PARTS_KEY, "part_label": label, "part_value": sum(totals[key] for key in others)}]


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

__all__ = ["Dimension", "Interval", "Measure", "MeasureRegistry", "NOT_GIVEN", "Part", "SeriesUnsupported",
           "Values", "registry", "series_rows"]
