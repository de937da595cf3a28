"""Validators shared by every register: one rule in one place (models, forms, API, imports)."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST_EVENT_DATE = datetime.date(1990, 1, 1)


def latest_event_date():
    """The latest plausible event date: today plus one year (a planned start, a launch announced)."""
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def validate_event_date(value):
    """An event of the registers (joined, left, signed, launched, closed, published, retired,
    cancelled, started, ended, developed, identified) happens between 1990-01-01 and a year from today.

    Dates outside are typing mistakes (0202 for 2022, 2099 for 2019): refused with the range,
    so that a record is never counted from year 202 or silently never counted.
    """
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        value = value.date()
    latest = latest_event_date()
    if value < EARLIEST_EVENT_DATE or value > latest:
        raise ValidationError(
            _("%(value)s is not a plausible date: give a date between %(earliest)s and %(latest)s "
              "(one year from today)."),
            code="implausible_date",
            params={"value": value.isoformat(), "earliest": EARLIEST_EVENT_DATE.isoformat(),
                    "latest": latest.isoformat()},
        )


def validate_not_in_future(value):
    """A status change (retired, cancelled, closed, left) has happened: its date is today or earlier."""
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("The date of a change cannot be in the future (today is %(today)s)."),
                              code="date_in_future", params={"today": today.isoformat()})


def ends_after(field, on):
    """A filter: the end-of-life date ``field`` (retired_on, cancelled_on) is empty or after ``on``."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": on})


def end_of_life_errors(instance, *, date_field, end_status, counted_status=None, start_field, started,
                       may_precede_start=False):
    """The rules of an end of life with its date (retired, cancelled), as a dict of field errors.

    - the end status and its date go together (a retired record has ``retired_on``, no other has);
    - the date is not before the start (``started_on`` …), unless ``may_precede_start`` (a project
      cancelled before it began: it never counts);
    - with ``counted_status``, only a record in that status reaches ``end_status``, so that a
      record in the end status is known to have counted from its start date up to its end date.
    """
    noun = str(instance._meta.verbose_name)
    ended = end_status.label.lower()
    errors = {}
    end = getattr(instance, date_field)
    start = getattr(instance, start_field)
    if instance.status == end_status and not end:
        errors[date_field] = _("Give the day the %(kind)s was %(status)s.") % {"kind": noun, "status": ended}
    elif instance.status != end_status and end:
        errors[date_field] = _("Only a %(status)s %(kind)s has this date: leave it empty or change the status.") % {
            "kind": noun, "status": ended}
    elif end and start and end < start and not may_precede_start:
        errors[date_field] = _("The %(kind)s cannot be %(status)s before it was %(started)s (%(date)s).") % {
            "kind": noun, "status": ended, "started": started, "date": start.isoformat()}
    if instance.status == end_status and counted_status is not None:
        saved = None
        if instance.pk is not None:
            saved = type(instance)._default_manager.filter(pk=instance.pk).values_list("status", flat=True).first()
        if saved not in (end_status, counted_status):
            errors.setdefault("status", _("Only a %(counted)s %(kind)s can be %(status)s.") % {
                "counted": counted_status.label.lower(), "kind": noun, "status": ended})
    return errors
