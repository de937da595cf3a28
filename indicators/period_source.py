"""The reporting periods as the engine sees them, told by the app that keeps them.

The engine keeps no period. It needs a few things of them: the closed ones (the roll-up
never rewrites a snapshot dated inside one, and a change that would alter one is refused),
the periods a reader may choose on the dashboard (``?period=<id>``: the figures as of a
period's end), and the narratives shown beside the figures. The app that keeps the periods
and their workflow registers a ``PeriodSource`` in its ``ready()``, as the domain apps
register their measures; until one is registered there are no periods.

A period given to the engine has ``pk``, ``project_id``, ``project``, ``name``,
``start_on``, ``end_on``, ``is_closed`` and ``get_absolute_url()``.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    from .dashboard import Card
    from .models import Indicator


class Period(Protocol):
    """A reporting period as the engine reads it (``reporting.models.ReportingPeriod`` is one)."""

    pk: Any
    project_id: int
    name: str
    start_on: datetime.date
    end_on: datetime.date

    @property
    def is_closed(self) -> bool: ...

    def get_absolute_url(self) -> str: ...


# A narrative's parts as shown: [(label, rendered HTML)].
NarrativeParts = list[tuple[str, SafeString | str]]


class PublicNarrative(TypedDict):
    narrative: Any  # the app's narrative (``reporting.models.Narrative``)
    parts: NarrativeParts


class PeriodSource:
    """What the engine asks of the periods; this one knows none."""

    def closed(self, project_ids: Iterable[int] | None = None) -> Sequence[Period]:
        """The closed periods (of the projects ``project_ids``, or all), by start."""
        return []

    def get(self, pk: int) -> Period | None:
        """The period ``pk`` (with its project), or None."""
        return None

    def choices(self, project_id: int | None = None) -> Sequence[Period]:
        """The periods a reader may choose (of one project, or all), by start."""
        return []

    def flag_missing_narratives(self, cards: Iterable["Card"], today: datetime.date) -> Sequence[Any]:
        """Set ``card.needs_narrative`` and ``card.open_period`` on dashboard cards; return the periods for
        the dashboard's selector (``choices()``, or light stand-ins with ``pk``, ``name`` and
        ``get_absolute_url()``)."""
        for card in cards:
            card.needs_narrative = False
            card.open_period = None
        return self.choices()

    def narratives_due(self, cards: Iterable["Card"], today: datetime.date) -> Sequence[Any]:
        """``[{"period", "missing": [card], "ended": bool}]``: the narratives a coordinator has still to write
        for the periods ending soon or ended and not closed."""
        return []

    def latest_narrative(self, indicator: "Indicator",
                         user: "User | AnonymousUser") -> tuple[Any | None, NarrativeParts]:
        """``(narrative, [(label, html)])``: the indicator's latest narrative the user may read, or (None, [])."""
        return None, []

    def public_narratives(self) -> list[PublicNarrative]:
        """``[{"narrative", "parts"}]``: the latest public narrative of each public indicator."""
        return []


_source = PeriodSource()


def register(source: PeriodSource) -> None:
    """Make ``source`` (a ``PeriodSource``) the engine's source of periods."""
    global _source
    _source = source


def source() -> PeriodSource:
    return _source
