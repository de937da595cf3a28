"""Validators shared by every register: one rule in one place (models, forms, API, imports)."""

import datetime
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import l10n

EARLIEST_EVENT_DATE = datetime.date(1990, 1, 1)

# C0 control characters but tab, line feed and carriage return: XML 1.0 (so XLSX) cannot hold
# them, and they are never typed on purpose (a vertical tab comes with text pasted from Word).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n"}  # Word's manual line break and page break


def validate_no_control_characters(value):
    """Text holds no C0 control character but tab, line feed and carriage return.

    Applied to every CharField and TextField of the project's models (``protect_text_fields``), so
    that forms, the API, imports and the admin refuse such text with this message.
    """
    if not isinstance(value, str):
        return
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise ValidationError(
            _("This text contains an invisible control character (U+%(code)s), often left by text pasted from "
              "Word: remove it (retype the line break or space where it stands) and try again."),
            code="control_character", params={"code": f"{ord(found.group()):04X}"})


def without_control_characters(value):
    """``value`` with its control characters replaced (a vertical tab or form feed by a line break) or
    dropped: what every export writes, whatever is stored."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        return CONTROL_CHARACTERS.sub(lambda m: LINE_BREAKS.get(m.group(), ""), value)
    return value


def clean_stored_text(apps, app_label):
    """For a data migration: replace the control characters in every text column of the models of
    ``app_label`` (their history included), row by row, only in the rows that hold one."""
    from functools import reduce
    from operator import or_

    pattern = r"[\x01-\x08\x0b\x0c\x0e-\x1f]"  # read alike by PostgreSQL and Python (SQLite's REGEXP)
    for model in apps.get_app_config(app_label).get_models():
        names = [field.attname for field in model._meta.concrete_fields
                 if isinstance(field, (models.CharField, models.TextField))]
        if not names:
            continue
        matching = reduce(or_, (Q(**{f"{name}__regex": pattern}) for name in names))
        manager = model._base_manager
        for pk, *values in manager.filter(matching).values_list("pk", *names).iterator():
            changes = {name: without_control_characters(value) for name, value in zip(names, values, strict=True)
                       if isinstance(value, str) and CONTROL_CHARACTERS.search(value)}
            manager.filter(pk=pk).update(**changes)


def protect_text_fields(app_configs, base_dir):
    """Add ``validate_no_control_characters`` to every CharField and TextField of the models of the
    apps that live in the project (under ``base_dir``; not those of installed libraries).

    Added to the field's ``default_validators`` (not to ``validators=``), so that migrations do not
    see a change: it is a rule of the project, not of a column.
    """
    base = Path(base_dir).resolve()
    for config in app_configs:
        path = Path(config.path)
        if "site-packages" in path.parts or not path.resolve().is_relative_to(base):
            continue
        for model in config.get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, (models.CharField, models.TextField)):
                    continue
                if validate_no_control_characters in field.default_validators:
                    continue
                field.default_validators = [*field.default_validators, validate_no_control_characters]
                field.__dict__.pop("validators", None)  # a cached list, if anything read it already


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
            params={"value": l10n.short_date(value), "earliest": l10n.short_date(EARLIEST_EVENT_DATE),
                    "latest": l10n.short_date(latest)},
        )


def validate_not_in_future(value):
    """A status change (retired, cancelled, closed, left) has happened: its date is today or earlier."""
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("The date of a change cannot be in the future (today is %(today)s)."),
                              code="date_in_future", params={"today": l10n.short_date(today)})


def ends_after(field, on):
    """A filter: the end-of-life date ``field`` (retired_on, cancelled_on) is empty or after ``on``."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": on})


# A label in lower case and a date in the reader's language, when the message is read.
_lower = lazy(lambda text: str(text).lower(), str)


def end_of_life_errors(instance, *, date_field, end_status, counted_status=None, start_field, started,
                       may_precede_start=False):
    """The rules of an end of life with its date (retired, cancelled), as a dict of field errors.

    - the end status and its date go together (a retired record has ``retired_on``, no other has);
    - the date is not before the start (``started_on`` …), unless ``may_precede_start`` (a project
      cancelled before it began: it never counts);
    - with ``counted_status``, only a record in that status reaches ``end_status``, so that a
      record in the end status is known to have counted from its start date up to its end date.

    The messages are read in the language they are shown in, not the one the record is checked in (a
    micro-credential's form is checked in English, for django-modeltranslation): each is a
    ``ValidationError`` of a lazy message and lazy parts, the date as the reader's language writes it.
    """
    noun = instance._meta.verbose_name
    ended = _lower(end_status.label)
    errors = {}
    end = getattr(instance, date_field)
    start = getattr(instance, start_field)
    if instance.status == end_status and not end:
        errors[date_field] = ValidationError(gettext_lazy("Give the day the %(kind)s was %(status)s."),
                                             params={"kind": noun, "status": ended})
    elif instance.status != end_status and end:
        errors[date_field] = ValidationError(
            gettext_lazy("Only a %(status)s %(kind)s has this date: leave it empty or change the status."),
            params={"kind": noun, "status": ended})
    elif end and start and end < start and not may_precede_start:
        errors[date_field] = ValidationError(
            gettext_lazy("The %(kind)s cannot be %(status)s before it was %(started)s (%(date)s)."),
            params={"kind": noun, "status": ended, "started": started, "date": l10n.short_date_lazy(start)})
    if instance.status == end_status and counted_status is not None:
        saved = None
        if instance.pk is not None:
            saved = type(instance)._default_manager.filter(pk=instance.pk).values_list("status", flat=True).first()
        if saved not in (end_status, counted_status):
            errors.setdefault("status", ValidationError(
                gettext_lazy("Only a %(counted)s %(kind)s can be %(status)s."),
                params={"counted": _lower(counted_status.label), "kind": noun, "status": ended}))
    return errors

