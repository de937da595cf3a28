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
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Sum
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

    def parts(self, on, dimension):
        """The parts of the value on ``on`` along ``dimension`` (a name or a Dimension): one query."""
        if isinstance(dimension, str):
            dimension = self.dimension(dimension)
        names = {"part_key": _expression(dimension.key)}
        if dimension.label_field is not None:
            names["part_label"] = _expression(dimension.label_field)
        rows = (
            self.records(on).order_by().values(**names)
            .annotate(part_value=self.aggregate_expression()).order_by()
        )
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

__all__ = ["Dimension", "Measure", "MeasureRegistry", "NOT_GIVEN", "Part", "registry"]
