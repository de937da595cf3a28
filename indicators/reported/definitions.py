"""Defining an indicator in the app (writes): a manager adds a reported indicator.

Indicators counted from a register come with the code (their measure); an indicator
without a register is *reported*: dated values per organisation, reviewed, combined by
its time rule. Its definition needs no deployment, so managers make it here.
"""

from typing import TYPE_CHECKING

from django.db import transaction

from ..models import Indicator, Project

if TYPE_CHECKING:
    from accounts.models import User


def current_project() -> Project | None:
    """The project indicators are defined for (the tracker follows one project)."""
    return Project.objects.order_by("start_on", "pk").first()


def reported_indicators_exist() -> bool:
    return Indicator.objects.filter(source=Indicator.Source.REPORTED).exists()


@transaction.atomic
def reported_indicator_define(*, indicator: Indicator, user: "User") -> Indicator:

    """Save a new reported indicator, validated with the model's rules.

    A value reported under the cumulative-sum or maximum rule never decreases, so the
    indicator is marked growing (its milestones are then checked for consistency).
    """
    indicator.source = Indicator.Source.REPORTED
    indicator.measure_key = ""
    indicator.is_cumulative = indicator.time_rule != Indicator.TimeRule.LATEST
    indicator.full_clean()
    indicator.save()
    return indicator
