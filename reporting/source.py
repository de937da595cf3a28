"""What the engine learns of the reporting periods: registered in ``ReportingConfig.ready()``.

The engine (``indicators``) never imports this app; it asks the source registered with
``indicators.period_source`` for the closed periods, the periods a reader may choose on
the dashboard, and the narratives shown beside the figures.
"""

from indicators.period_source import PeriodSource

from . import narratives, periods
from .models import ReportingPeriod


class ReportingPeriods(PeriodSource):
    def closed(self, project_ids=None):
        queryset = ReportingPeriod.objects.closed()
        if project_ids is not None:
            queryset = queryset.filter(project_id__in=project_ids)
        return list(queryset.order_by("start_on"))

    def get(self, pk):
        return ReportingPeriod.objects.select_related("project").filter(pk=pk).first()

    def choices(self, project_id=None):
        queryset = ReportingPeriod.objects.order_by("start_on", "pk")
        if project_id is not None:
            queryset = queryset.filter(project_id=project_id)
        return list(queryset)

    def flag_missing_narratives(self, cards, today):
        return periods.flag_missing_narratives(cards, today=today)

    def latest_narrative(self, indicator, user):
        narrative = narratives.latest_for(indicator, user)
        return narrative, narratives.parts(narrative)

    def public_narratives(self):
        return narratives.public_latest()
