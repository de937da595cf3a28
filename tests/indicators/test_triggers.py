"""A change to a counted record writes outbox rows in its transaction; a drain recomputes what they name.

Eager (no broker) the drain runs on commit in this process; with a broker it is queued,
debounced; broker down, the rows wait for the beat's drain and the save still succeeds.
"""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from kombu.exceptions import OperationalError

from indicators import rollup, tasks, triggers
from indicators.models import OutboxEntry, Snapshot
from tests.factories import AllianceMemberFactory, CooperationProjectFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pending_drain():
    cache.delete_many([tasks.PENDING_KEY, triggers.RECENT_KEY])
    yield
    cache.delete_many([tasks.PENDING_KEY, triggers.RECENT_KEY])


@pytest.fixture
def lcamp_indicators(lcamp_indicators):
    """The indicators, as if committed and drained: the outbox rows of their creation are dropped."""
    OutboxEntry.objects.all().delete()
    return lcamp_indicators


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """A block whose on-commit callbacks run at its end, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def drains(monkeypatch):
    """Drain requests made on commit, recorded instead of run."""
    made = []
    monkeypatch.setattr(triggers, "drain_request", lambda: made.append(1))
    return made


@pytest.fixture
def queued(monkeypatch, settings):
    """A broker: drain tasks queued are recorded."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    calls = []
    monkeypatch.setattr(tasks.drain_task, "apply_async", lambda *a, **kw: calls.append(kw))
    return calls


def members_today():
    return Snapshot.objects.get(indicator__code="alliance-members", date=timezone.localdate())


def pending(code=None):
    """The outbox rows as (indicator code, changed from), of one indicator when ``code`` is given.

    A membership also moves the cooperation projects (counted among members on their start
    date), so a member's change writes a row for both; the member tests read their own.
    """
    rows = OutboxEntry.objects.select_related("indicator")
    if code:
        rows = rows.filter(indicator__code=code)
    return sorted((e.indicator.code, e.changed_from) for e in rows)


# --- The outbox rows ---------------------------------------------------------------

def test_a_new_member_writes_one_row_for_its_indicator_from_its_join_date(lcamp_indicators, drains):
    AllianceMemberFactory(joined_on=datetime.date(2024, 3, 10))
    assert pending("alliance-members") == [("alliance-members", datetime.date(2024, 3, 10))]


def test_an_edit_of_one_date_touches_its_old_and_new_values(lcamp_indicators, drains):
    member = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 15), left_on=datetime.date(2025, 6, 1))
    OutboxEntry.objects.all().delete()
    member.left_on = datetime.date(2025, 3, 1)
    member.save()
    assert pending("alliance-members") == [("alliance-members", datetime.date(2025, 3, 1))]
    OutboxEntry.objects.all().delete()
    member.left_on = datetime.date(2026, 1, 1)
    member.save()
    assert pending("alliance-members") == [("alliance-members", datetime.date(2025, 3, 1))]  # the old value is earlier


def test_an_edit_of_another_field_touches_every_date_of_the_record(lcamp_indicators, drains):
    member = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 15), left_on=datetime.date(2025, 6, 1))
    OutboxEntry.objects.all().delete()
    member.category = "university"
    member.save()
    assert pending("alliance-members") == [("alliance-members", datetime.date(2023, 1, 15))]


def test_a_save_that_changes_nothing_writes_nothing(lcamp_indicators, drains):
    member = AllianceMemberFactory()
    OutboxEntry.objects.all().delete()
    member.save()
    assert pending() == []


def test_a_deletion_writes_a_row_from_the_deleted_dates(lcamp_indicators, drains):
    member = AllianceMemberFactory(joined_on=datetime.date(2024, 2, 2))
    OutboxEntry.objects.all().delete()
    member.delete()
    assert pending("alliance-members") == [("alliance-members", datetime.date(2024, 2, 2))]


def test_a_membership_touches_the_projects_of_its_organisation_started_while_it_ran(lcamp_indicators, drains):
    organisation, other = OrganisationFactory(), OrganisationFactory()
    CooperationProjectFactory(started_on=datetime.date(2024, 5, 1), participants=[organisation, other])
    CooperationProjectFactory(started_on=datetime.date(2023, 2, 1), participants=[organisation, other])
    CooperationProjectFactory(started_on=datetime.date(2023, 9, 1), participants=[other])
    OutboxEntry.objects.all().delete()
    member = AllianceMemberFactory(organisation=organisation, joined_on=datetime.date(2023, 6, 1))
    assert pending("cooperation-projects") == [("cooperation-projects", datetime.date(2024, 5, 1))]
    OutboxEntry.objects.all().delete()
    member.category = "university"  # neither its organisation nor its dates: no project moves
    member.save()
    assert pending("cooperation-projects") == []
    member.joined_on = datetime.date(2023, 1, 1)  # now a member on 2023-02-01 too
    member.save()
    assert pending("cooperation-projects") == [("cooperation-projects", datetime.date(2023, 2, 1))]
    OutboxEntry.objects.all().delete()
    member.left_on = datetime.date(2023, 3, 1)  # no longer on 2024-05-01
    member.save()
    assert pending("cooperation-projects") == [("cooperation-projects", datetime.date(2023, 2, 1))]
    OutboxEntry.objects.all().delete()
    AllianceMemberFactory(joined_on=timezone.localdate())  # an organisation in no project
    assert pending("cooperation-projects") == []


def test_a_many_to_many_change_writes_a_row_from_the_project_start_date(lcamp_indicators, drains):
    project = CooperationProjectFactory(started_on=datetime.date(2024, 5, 1))
    OutboxEntry.objects.all().delete()
    project.participants.add(OrganisationFactory())
    assert pending() == [("cooperation-projects", datetime.date(2024, 5, 1))]


def test_an_organisation_edit_touches_its_measures_from_the_project_start(lcamp_indicators, drains):
    organisation = OrganisationFactory()
    assert pending() == []  # a new organisation is counted by nothing yet
    organisation.name = "Renamed"
    organisation.save()
    start = lcamp_indicators["mous"].project.start_on
    assert pending() == [(code, start) for code in ("alliance-members", "cooperation-projects", "micro-credentials",
                                                    "mous", "students-international")]


def test_a_change_to_an_uncounted_model_writes_and_requests_nothing(lcamp_indicators, drains, commit):
    from accounts.models import User

    with commit():
        User.objects.create(username="someone")
    assert pending() == [] and drains == []


def test_the_rows_are_written_in_the_transaction_the_drain_requested_on_commit(lcamp_indicators, drains,
                                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        AllianceMemberFactory()
        assert len(pending("alliance-members")) == 1
    assert drains == []
    assert callbacks


# --- Eager: drained on commit, in this process ------------------------------------------

def test_without_a_broker_a_save_updates_the_snapshot_at_once(lcamp_indicators, settings, commit):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with commit():
        AllianceMemberFactory()
    assert members_today().value == 1
    with commit():
        AllianceMemberFactory()
    assert members_today().value == 2
    assert pending() == []


def test_the_eager_drain_recomputes_the_touched_indicator_only(lcamp_indicators, settings, commit):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with commit():
        AllianceMemberFactory(joined_on=timezone.localdate())
    # A membership moves the members; the cooperation projects among members only when its organisation took
    # part in one started while it ran (none here).
    assert set(Snapshot.objects.values_list("indicator__code", flat=True)) == {"alliance-members"}
    assert set(Snapshot.objects.values_list("date", flat=True)) == {timezone.localdate()}


def test_many_saves_in_one_transaction_are_drained_once(lcamp_indicators, settings, commit, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    calls = []
    real = rollup.recompute
    monkeypatch.setattr(rollup, "recompute", lambda since, **kw: calls.append(since) or real(since, **kw))
    with commit():
        for _ in range(20):
            AllianceMemberFactory()
    assert len(calls) == 1
    assert members_today().value == 20


def test_deferred_drains_are_requested_once_at_the_end(lcamp_indicators, drains, commit):
    with commit(), triggers.rollups_deferred():
        for _ in range(5):
            AllianceMemberFactory()
        assert drains == []
        assert len(pending("alliance-members")) == 5
    assert drains == [1]


# --- With a broker ----------------------------------------------------------------------

def test_with_a_broker_the_first_change_after_a_quiet_spell_is_drained_at_once(lcamp_indicators, queued):
    triggers.drain_request()
    assert queued == [{"countdown": 0.0}]
    assert not Snapshot.objects.exists()  # queued, not run in the request


def test_a_burst_of_requests_queues_one_drain_until_it_starts(lcamp_indicators, queued):
    for _ in range(100):
        triggers.drain_request()
    assert queued == [{"countdown": 0.0}]


def test_a_change_within_the_window_after_a_drain_is_debounced(lcamp_indicators, queued, settings):
    settings.ROLLUP_DEBOUNCE_SECONDS = 3
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        triggers.drain_request()
        tasks.drain_task.apply()  # the first drain ran; the burst goes on
        traveller.shift(datetime.timedelta(seconds=1))
        for _ in range(100):
            triggers.drain_request()
        assert queued == [{"countdown": 0.0}, {"countdown": 3.0}]


def test_after_a_quiet_window_a_change_is_drained_at_once_again(lcamp_indicators, queued, settings):
    settings.ROLLUP_DEBOUNCE_SECONDS = 3
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        triggers.drain_request()
        tasks.drain_task.apply()
        traveller.shift(datetime.timedelta(seconds=4))
        triggers.drain_request()
        assert queued == [{"countdown": 0.0}, {"countdown": 0.0}]


def test_within_a_long_burst_one_drain_a_window(lcamp_indicators, queued, settings):
    """A debounced drain starts the window again from when it runs: the change just after it waits."""
    settings.ROLLUP_DEBOUNCE_SECONDS = 3
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        triggers.drain_request()
        tasks.drain_task.apply()
        traveller.shift(datetime.timedelta(seconds=1))
        triggers.drain_request()  # debounced: runs at 4 s
        traveller.shift(datetime.timedelta(seconds=3))
        tasks.drain_task.apply()
        traveller.shift(datetime.timedelta(seconds=1))
        triggers.drain_request()
        assert [call["countdown"] for call in queued] == [0.0, 3.0, 3.0]


def test_a_request_after_the_task_started_queues_another(lcamp_indicators, queued):
    triggers.drain_request()
    tasks.drain_task.apply()  # clears the pending mark first
    triggers.drain_request()
    assert len(queued) == 2


def test_the_task_clears_the_pending_mark_and_drains(lcamp_indicators, queued):
    AllianceMemberFactory()
    triggers.drain_request()
    tasks.drain_task.apply()
    assert members_today().value == 1
    assert cache.get(tasks.PENDING_KEY) is None
    assert pending() == []


def test_broker_down_the_save_succeeds_and_the_rows_wait(lcamp_indicators, settings, monkeypatch, caplog, commit):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(tasks.drain_task, "apply_async", down)
    with commit():
        member = AllianceMemberFactory()
    assert member.pk
    assert "the outbox keeps the changes" in caplog.text
    assert not Snapshot.objects.exists()  # no roll-up in the web request
    assert len(pending("alliance-members")) == 1
    # Not left pending: the next change tries the broker again; the beat's drain catches up.
    assert cache.get(tasks.PENDING_KEY) is None
    tasks.drain_task.apply()
    assert members_today().value == 1 and pending() == []


def test_cache_down_the_save_succeeds_and_the_rows_wait(lcamp_indicators, queued, monkeypatch, commit):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(triggers.cache, "add", down)
    with commit():
        AllianceMemberFactory()
    assert queued == [] and len(pending("alliance-members")) == 1


def test_refresh_now_queues_a_full_rollup(lcamp_indicators, monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.rollup_task, "delay", lambda: calls.append(1))
    assert triggers.refresh_now() is True
    assert calls == [1]
