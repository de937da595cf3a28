"""Writes of the engine that people ask for: closing and reopening a reporting period.

The roll-up itself is in ``indicators.rollup``; what a change to a register sets off
is in ``indicators.triggers``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts import roles
from registers import generations

from . import rollup, triggers
from .models import OutboxEntry, ReportingPeriod, Snapshot, month_ends


def reporting_period_close(*, period, user=None):
    """Close a reporting period: write every month-end snapshot inside it (and its last day), then freeze them.

    From then on nothing writes a snapshot dated inside the period, and a change that
    would alter one of its values is refused. A period is closed once it has ended.
    """
    with transaction.atomic():
        rollup.lock()
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if period.closed_at is not None:
            return period
        today = timezone.localdate()
        if period.end_on >= today:
            raise ValidationError(gettext("The reporting period '%(period)s' has not ended yet: it can be closed from "
                                          "the day after its end.") % {"period": triggers.period_label(period)})
        indicators = [i for i in rollup.indicators_to_compute() if i.project_id == period.project_id]
        rollup.store([result for indicator in indicators
                      for result in rollup.compute_series(indicator, month_ends(period.start_on, period.end_on))],
                     closing=period)
        period.closed_at = timezone.now()
        period.closed_by = user
        period._history_user = user
        period._change_reason = "Closed"
        period.save(update_fields=["closed_at", "closed_by"])
        Snapshot.objects.filter(indicator__project_id=period.project_id, date__gte=period.start_on,
                                date__lte=period.end_on).update(is_frozen=True)
        generations.bump_on_commit(generations.ROLLUP)
    return period


def reporting_period_reopen(*, period, user, reason):
    """Reopen a closed period (administrators only); the reason is kept in the period's history.

    Its snapshots are no longer frozen (unless another closed period holds them) and the
    engine recomputes them from the registers on the next drain.
    """
    if not roles.is_admin(user):
        raise PermissionDenied(gettext("Only an administrator may reopen a closed reporting period."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Give the reason for reopening the period: it is kept in its history.")})
    with transaction.atomic():
        rollup.lock()
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if period.closed_at is None:
            raise ValidationError(gettext("The reporting period '%(period)s' is not closed.")
                                  % {"period": triggers.period_label(period)})
        period.closed_at = None
        period.closed_by = None
        period._history_user = user
        period._change_reason = f"Reopened: {reason}"
        period.save(update_fields=["closed_at", "closed_by"])
        snapshots = Snapshot.objects.filter(indicator__project_id=period.project_id, date__gte=period.start_on,
                                            date__lte=period.end_on)
        for other in ReportingPeriod.objects.filter(project_id=period.project_id, closed_at__isnull=False):
            snapshots = snapshots.exclude(date__gte=other.start_on, date__lte=other.end_on)
        snapshots.update(is_frozen=False)
        OutboxEntry.objects.bulk_create(
            OutboxEntry(indicator=indicator, changed_from=period.start_on)
            for indicator in rollup.indicators_to_compute() if indicator.project_id == period.project_id)
        triggers.request_drain()
        generations.bump_on_commit(generations.ROLLUP)
    return period
