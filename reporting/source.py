"""What the engine learns of the reporting periods: registered in ``ReportingConfig.ready()``.

The engine (``indicators``) never imports this app; it asks the source registered with
``indicators.period_source`` for the closed periods, the periods a reader may choose on
the dashboard, and the narratives shown beside the figures.
"""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from indicators.dashboard import Card
from indicators.models import Indicator
from indicators.period_source import NarrativeParts, PeriodSource, PublicNarrative

from . import narratives, periods
from .models import Narrative, ReportingPeriod

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class ReportingPeriods(PeriodSource):
    def closed(self, project_ids: Iterable[int] | None = None) -> list[ReportingPeriod]:
        queryset = ReportingPeriod.objects.closed()
        if project_ids is not None:
            queryset = queryset.filter(project_id__in=project_ids)
        return list(queryset.order_by("start_on"))

    def get(self, pk: int) -> ReportingPeriod | None:
        return ReportingPeriod.objects.select_related("project").filter(pk=pk).first()

    def choices(self, project_id: int | None = None) -> list[ReportingPeriod]:
        queryset = ReportingPeriod.objects.order_by("start_on", "pk")
        if project_id is not None:
            queryset = queryset.filter(project_id=project_id)
        return list(queryset)

    def flag_missing_narratives(self, cards: Iterable[Card], today: datetime.date) -> list[Any]:
        return periods.flag_missing_narratives(cards, today=today)

    def narratives_due(self, cards: Iterable[Card], today: datetime.date) -> list[dict[str, Any]]:
        return periods.narratives_due(cards, today=today)

    def latest_narrative(self, indicator: Indicator,
                         user: "User | AnonymousUser") -> tuple[Narrative | None, NarrativeParts]:
        narrative = narratives.latest_for(indicator, user)
        return narrative, narratives.parts(narrative)

    def public_narratives(self) -> list[PublicNarrative]:
        return narratives.public_latest()
