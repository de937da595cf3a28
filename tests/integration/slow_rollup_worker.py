"""A Celery worker whose first roll-up stops inside its transaction, for the SIGKILL test.

Usage: python slow_rollup_worker.py MARKER_FILE worker <celery worker options...>

The first time a roll-up has written its rows (snapshots updated, breakdowns
inserted, nothing committed yet) it writes its process id to MARKER_FILE and
sleeps, so the test can kill it right there. Later runs (the redelivered task,
the next roll-up) find the marker and go on after a short pause: a redelivered
task reaches a new child within a second, and the pause leaves the test time to
see that nothing of the killed run was committed before the new run commits.
"""

import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lcamp.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
django.setup()

from django.db.models.query import QuerySet  # noqa: E402

from lcamp.celery import app  # noqa: E402

marker = Path(sys.argv[1])
original_bulk_create = QuerySet.bulk_create


def bulk_create_then_stall(self, objs, *args, **kwargs):
    created = original_bulk_create(self, objs, *args, **kwargs)
    if self.model._meta.label == "indicators.Breakdown" and not marker.exists():
        marker.write_text(str(os.getpid()))
        time.sleep(60)
    return created


QuerySet.bulk_create = bulk_create_then_stall

from indicators import rollup  # noqa: E402

original_rollup_all = rollup.rollup_all


def pause_then_rollup(*args, **kwargs):
    if marker.exists():
        time.sleep(3)
    return original_rollup_all(*args, **kwargs)


rollup.rollup_all = pause_then_rollup
app.worker_main(sys.argv[2:])
