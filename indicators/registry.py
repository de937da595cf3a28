"""The measure registry: how an indicator is counted from a register.

Domain apps declare their measures in ``<app>/measures.py`` and register them when
the app is ready; this module imports none of them.
"""

from collections.abc import Callable
import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Dimension:
    """A breakdown: ``key`` and ``label`` are field paths (or expressions) on the records.

    ``overlapping`` marks a dimension where one record may fall in several parts, so
    the parts do not sum to the total; it is shown as such.
    """

    name: str
    label: str
    key: object
    label_field: object = None
    overlapping: bool = False


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

    def dimension(self, name):
        for dimension in self.dimensions:
            if dimension.name == name:
                return dimension
        raise KeyError(name)


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

    def keys(self):
        return list(self._measures)

    def models(self):
        """Every "app_label.Model" name some measure depends on."""
        return {name for measure in self for name in measure.models}


registry = MeasureRegistry()
