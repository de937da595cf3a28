"""A change to a counted record triggers a roll-up: eagerly without a broker, debounced with one."""

import contextlib

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from indicators import services, tasks
from indicators.models import Snapshot
from tests.factories import AllianceMemberFactory, CooperationProjectFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pending_rollup():
    cache.delete(services.PENDING_KEY)
    yield
    cache.delete(services.PENDING_KEY)


@pytest.fixture
def lcamp_indicators(lcamp_indicators):
    """The indicators, as if committed: the roll-up their creation asked for is dropped.

    (A test runs in one transaction that never commits; a request still pending in
    it would stand for every later change, as it does in a real transaction.)
    """
    drop_pending_requests()
    return lcamp_indicators


def drop_pending_requests():
    connection.run_on_commit[:] = [item for item in connection.run_on_commit
                                   if item[1] is not services.rollup_request]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """A block whose on-commit callbacks run at its end, as a real commit would."""

    @contextlib.contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        drop_pending_requests()

    return block


@pytest.fixture
def requests(monkeypatch):
    """Roll-up requests made on commit, recorded instead of run."""
    made = []
    monkeypatch.setattr(services, "rollup_request", lambda: made.append(1))
    return made


@pytest.fixture
def queued(monkeypatch, settings):
    """A broker: tasks queued are recorded."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    calls = []
    monkeypatch.setattr(tasks.rollup_task, "apply_async", lambda *a, **kw: calls.append(kw))
    return calls


def members_today():
    return Snapshot.objects.get(indicator__code="alliance-members", date=timezone.localdate())


def test_without_a_broker_a_save_updates_the_snapshot_at_once(lcamp_indicators, settings, commit):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with commit():
        AllianceMemberFactory()
    assert members_today().value == 1

    with commit():
        AllianceMemberFactory()
    assert members_today().value == 2


def test_nothing_is_rolled_up_before_the_change_commits(lcamp_indicators, requests,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        AllianceMemberFactory()
    assert requests == []
    assert len(callbacks) == 1


def test_many_saves_in_one_transaction_request_one_rollup(lcamp_indicators, requests,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(20):
            AllianceMemberFactory()
    assert requests == [1]


def test_a_many_to_many_change_requests_a_rollup(lcamp_indicators, requests, django_capture_on_commit_callbacks):
    project = CooperationProjectFactory()
    drop_pending_requests()
    with django_capture_on_commit_callbacks(execute=True):
        project.participants.add(OrganisationFactory())
    assert requests == [1]


def test_a_deletion_requests_a_rollup(lcamp_indicators, requests, django_capture_on_commit_callbacks):
    member = AllianceMemberFactory()
    drop_pending_requests()
    with django_capture_on_commit_callbacks(execute=True):
        member.delete()
    assert requests == [1]


def test_a_change_to_an_uncounted_model_requests_nothing(requests, django_capture_on_commit_callbacks):
    from accounts.models import User

    with django_capture_on_commit_callbacks(execute=True):
        User.objects.create(username="someone")
    assert requests == []


def test_deferred_rollups_request_one_at_the_end(lcamp_indicators, requests, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), services.rollups_deferred():
        for _ in range(5):
            AllianceMemberFactory()
        assert requests == []
    assert requests == [1]


def test_with_a_broker_a_burst_of_requests_queues_one_task_after_the_debounce(lcamp_indicators, queued, settings):
    settings.ROLLUP_DEBOUNCE_SECONDS = 3
    for _ in range(100):
        services.rollup_request()
    assert queued == [{"countdown": 3.0}]
    assert not Snapshot.objects.exists()


def test_a_request_after_the_task_started_queues_another(lcamp_indicators, queued):
    services.rollup_request()
    services.rollup_pending_clear()  # what the task does first
    services.rollup_request()
    assert len(queued) == 2


def test_the_task_clears_the_pending_mark_and_rolls_up(lcamp_indicators, queued):
    AllianceMemberFactory()
    services.rollup_request()
    tasks.rollup_task.apply()
    assert members_today().value == 1
    assert cache.get(services.PENDING_KEY) is None


def test_broker_down_the_save_still_updates_the_snapshot_in_process(lcamp_indicators, settings, monkeypatch,
                                                                    caplog):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(tasks.rollup_task, "apply_async", down)
    AllianceMemberFactory()
    services.rollup_request()
    assert members_today().value == 1
    assert "running it in this process" in caplog.text
    # Not left pending: the next change tries the broker again.
    assert cache.get(services.PENDING_KEY) is None


def test_cache_down_the_save_still_updates_the_snapshot_in_process(lcamp_indicators, queued, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(services.cache, "add", down)
    AllianceMemberFactory()
    services.rollup_request()
    assert members_today().value == 1
    assert queued == []
