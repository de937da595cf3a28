"""What every management command shares: its log lines follow ``--verbosity``."""

import contextlib
import logging


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
