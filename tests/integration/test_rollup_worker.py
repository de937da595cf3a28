"""The roll-up with the real Redis and a real Celery worker (in-process, the project's app).

Skipped unless REDIS_URL and a PostgreSQL DATABASE_URL are set, e.g.
``DATABASE_URL=postgres://postgres@localhost:5432/lcamp_engine REDIS_URL=redis://localhost:6379/1``.
"""

import os
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core.cache import cache
from django.utils import timezone

from indicators import tasks
from indicators.models import Snapshot
from lcamp.celery import app
from tests.factories import AllianceMemberFactory, OrganisationFactory
from tests.indicators.conftest import lcamp_indicators, project  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        or not os.environ.get("REDIS_URL"),
        reason="needs a PostgreSQL DATABASE_URL and REDIS_URL",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
]


@pytest.fixture
def rollups():
    """The number of roll-up tasks the worker ran, counted as they finish."""
    runs = []
    lock = threading.Lock()

    def count(sender=None, **kwargs):
        if sender is not None and sender.name == "indicators.tasks.drain_task":
            with lock:
                runs.append(time.monotonic())

    task_postrun.connect(count, weak=False)
    yield runs
    task_postrun.disconnect(count)


@pytest.fixture
def worker(lcamp_indicators, settings, rollups):  # noqa: F811 - the imported fixture
    """A Celery worker in a thread of this process, on an empty queue."""
    settings.ROLLUP_DEBOUNCE_SECONDS = 1
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    app.control.purge()
    cache.delete(tasks.PENDING_KEY)
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30,
                      loglevel="WARNING"):
        rollups.clear()
        yield
    cache.delete(tasks.PENDING_KEY)


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def members_today():
    snapshot = Snapshot.objects.filter(indicator__code="alliance-members", date=timezone.localdate()).first()
    return snapshot.value if snapshot else None


def test_saving_an_alliance_member_updates_the_snapshot_through_the_worker(worker, rollups):
    AllianceMemberFactory()
    assert wait_for(lambda: members_today() == 1, 30), f"snapshot: {members_today()}"
    assert len(rollups) >= 1


def test_200_quick_saves_cause_at_most_10_rollups(worker, rollups):
    organisations = [OrganisationFactory() for _ in range(200)]
    rollups.clear()
    for organisation in organisations:
        AllianceMemberFactory(organisation=organisation)

    assert wait_for(lambda: members_today() == 200 and cache.get(tasks.PENDING_KEY) is None, 20)
    time.sleep(1.5)  # a roll-up queued by the last saves would have run by now
    assert members_today() == 200
    print(f"200 saves: {len(rollups)} roll-ups")
    assert 1 <= len(rollups) <= 10, len(rollups)
