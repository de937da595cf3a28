"""Writes of the engine's own records that span rows."""

from django.db import transaction

from .forms import MilestoneFormSet


@transaction.atomic
def milestones_save(*, formset: MilestoneFormSet) -> None:
    """Save an indicator's milestones as the coordinator edited them (all or none).

    A milestone's save is one of the engine's own inputs (``triggers.OWN_MODELS``): the indicator's
    expected values are computed again from its project's start.
    """
    formset.save()
