"""What every management command shares: its log lines follow ``--verbosity``; a ``--date`` option."""

import contextlib
import datetime
import logging

from django.core.management.base import CommandError


@contextlib.contextmanager
def logs_for_verbosity(verbosity):
    """INFO log lines only with ``-v 2`` or more; a command reports its progress on stdout.

    So ``rollup --backfill >/dev/null`` is silent unless something goes wrong.
    """
    root = logging.getLogger()
    previous = root.level
    if verbosity < 2:
        root.setLevel(max(previous, logging.WARNING))
    try:
        yield
    finally:
        root.setLevel(previous)


def date_option(value, option="--date"):
    """The date a command's ``option`` gives (YYYY-MM-DD), None when it is not given."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{option} takes a date as YYYY-MM-DD, not {value!r}.") from error
