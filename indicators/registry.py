"""The measure registry: how an indicator is counted from a register.

Domain apps declare their measures in ``<app>/measures.py`` and register them when
the app is ready; this module imports none of them.

A measure's ``records(on)`` returns a queryset with **one row per record** that
counts on the date ``on``: it filters with ``Exists``/``IN`` subqueries and joins only
along foreign keys (to-one), never along a to-many relation, so a row is never
repeated. The aggregate and every breakdown then run in the database, one query
each (``COUNT``/``SUM`` with ``GROUP BY``), whatever the number of records.
"""

import dataclasses
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_noop

# Stored in English in the breakdown rows; shown in the reader's language (dashboard).
NOT_GIVEN = gettext_noop("Not given")


def _expression(path_or_expression):
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
    key: object
    label_field: object = None
    overlapping: bool = False
    display: Callable | None = None

    def label_for(self, key, label=None):
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


def _is_sentinel(param, sentinel):
    return param == sentinel or param == sentinel.isoformat()


def _top_level(sql, keyword):
    """The index of ``keyword`` in ``sql`` outside parentheses and quotes, or -1."""
    depth, quote = 0, None
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


def _substitute(sql, params, sentinel):
    """Replace the parameters equal to ``sentinel`` by the series' date column: (sql, params, replaced count)."""
    pieces, kept, position, replaced = [], [], 0, 0
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


def _dates_relation(vendor, dates):
    """SQL of a relation ``series_dates`` with one column ``d``, one row per date, and its parameters."""
    if vendor == "postgresql":
        return "(SELECT unnest(%s::date[]) AS d) series_dates", [list(dates)]
    values = ", ".join(["(%s)"] * len(dates))
    return f"(SELECT column1 AS d FROM (VALUES {values})) series_dates", [  # noqa: S608 (placeholders only)
        on.isoformat() for on in dates]


def series_rows(queryset_for, dates):
    """Rows of ``queryset_for(on)`` (a ``values().annotate()`` query) for every date in ``dates``, in one query.

    ``queryset_for`` is compiled once; the dates are joined as a relation and the date
    becomes a column added to the select list and the GROUP BY, so each row carries its
    date under ``series_date``. Raises ``SeriesUnsupported`` when the date does not enter
    the query as a plain parameter (it would then be computed in Python).
    """
    dates = sorted(set(dates))
    if not dates:
        return []
    compiled = []
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
    records: Callable
    aggregate: str = "count"
    field: str = "pk"
    models: tuple = ()
    dimensions: tuple = dataclasses.field(default_factory=tuple)
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
    event_dates: dict = dataclasses.field(default_factory=dict)

    def __hash__(self):
        return hash(self.key)

    def dimension(self, name):
        for dimension in self.dimensions:
            if dimension.name == name:
                return dimension
        raise KeyError(name)

    def aggregate_expression(self):
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

    def total(self, on):
        """The measure's value on ``on``: one query."""
        value = self.records(on).order_by().aggregate(value=self.aggregate_expression())["value"]
        return Decimal(value or 0)

    def _parts_query(self, on, dimension):
        names = {"part_key": _expression(dimension.key)}
        if dimension.label_field is not None:
            names["part_label"] = _expression(dimension.label_field)
        return (self.records(on).order_by().values(**names)
                .annotate(part_value=self.aggregate_expression()).order_by())

    def parts(self, on, dimension):
        """The parts of the value on ``on`` along ``dimension`` (a name or a Dimension): one query."""
        if isinstance(dimension, str):
            dimension = self.dimension(dimension)
        return self._parts_from_rows(dimension, self._parts_query(on, dimension))

    def series_totals(self, dates):
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

    def series_parts(self, dates, dimension):
        """``{date: [Part, ...]}`` along ``dimension`` for every date of ``dates``: one query, exactly ``parts``."""
        if isinstance(dimension, str):
            dimension = self.dimension(dimension)
        dates = sorted(set(dates))
        try:
            rows = series_rows(lambda on: self._parts_query(on, dimension), dates)
        except SeriesUnsupported:
            return {on: self.parts(on, dimension) for on in dates}
        by_date = {on: [] for on in dates}
        for row in rows:
            by_date[row["series_date"]].append(row)
        return {on: self._parts_from_rows(dimension, rows) for on, rows in by_date.items()}

    def _parts_from_rows(self, dimension, rows):
        parts = {}
        for row in rows:
            key = "" if row["part_key"] is None else str(row["part_key"])
            label = dimension.label_for(row["part_key"], row.get("part_label"))
            value = Decimal(row["part_value"] or 0)
            if key in parts:  # two labels for one key: keep one part
                value += parts[key].value
            parts[key] = Part(key=key, label=label, value=value)
        return sorted(parts.values(), key=lambda part: (-part.value, part.key))


class MeasureRegistry:
    def __init__(self):
        self._measures = {}

    def register(self, measure):
        if measure.key in self._measures and self._measures[measure.key] != measure:
            raise ValueError(f"A measure {measure.key!r} is registered already.")
        self._measures[measure.key] = measure
        return measure

    def get(self, key):
        return self._measures[key]

    def __contains__(self, key):
        return key in self._measures

    def __iter__(self):
        return iter(self._measures.values())

    def for_indicator(self, indicator):
        """The measure counting ``indicator``, or None (a reported indicator, or no measure of its key)."""
        if indicator.is_reported or not indicator.measure_key:
            return None
        return self._measures.get(indicator.measure_key)

    def keys(self):
        return list(self._measures)

    def models(self):
        """Every "app_label.Model" name some measure depends on."""
        return {name for measure in self for name in measure.models}


registry = MeasureRegistry()

__all__ = ["Dimension", "Measure", "MeasureRegistry", "NOT_GIVEN", "Part", "SeriesUnsupported", "registry",
           "series_rows"]
