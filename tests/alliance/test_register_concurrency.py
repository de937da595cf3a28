"""Concurrent saves on PostgreSQL: no add is lost, a stale edit never overwrites.

Run with DATABASE_URL=postgres://… (skipped on SQLite, which serialises writers anyway).
"""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from alliance import services
from alliance.models import AllianceMember
from indicators.models import Snapshot
from organisations.models import Organisation
from registers.records import StaleEdit, record_save
from tests.factories import AllianceMemberFactory, IndicatorFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"),
]
THREADS = 20


@pytest.fixture
def user(transactional_db):
    # Not a role fixture: a transactional test flushes the role groups the migrations made.
    return UserFactory(username="concurrent-manager")


def run_at_once(target, count):
    barrier = threading.Barrier(count)
    errors, results = [], [None] * count

    def worker(index):
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as error:  # noqa: BLE001 - collected and asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def test_twenty_managers_adding_members_at_once_lose_none_and_the_snapshot_counts_them(user):
    IndicatorFactory(code="alliance-members")
    joined = timezone.localdate() - datetime.timedelta(days=1)

    def add(index):
        return services.member_create(organisation=Organisation(name=f"Concurrent {index}", country="ES"),
                                      category="vet", joined_on=joined, user=user)

    results, errors = run_at_once(add, THREADS)
    assert errors == []
    assert AllianceMember.objects.count() == THREADS
    # Each commit queued a roll-up (eager here); the last one to take the lock saw all twenty.
    snapshot = Snapshot.objects.get(indicator__code="alliance-members", date=timezone.localdate())
    assert snapshot.value == THREADS


def test_same_organisation_added_twice_at_once_is_one_membership(user):
    organisation = Organisation.objects.create(name="Raced", country="ES")

    def add(index):
        return services.member_create(organisation=organisation, category="vet",
                                      joined_on=datetime.date(2024, 1, 1), user=user)

    results, errors = run_at_once(add, 2)
    assert AllianceMember.objects.filter(organisation=organisation).count() == 1
    assert len(errors) == 1 and "already a member" in str(errors[0])


def test_two_stale_edits_at_once_second_is_refused(user):
    member = AllianceMemberFactory(category="vet", note="")
    notes = ["first manager's note", "second manager's note"]

    def edit(index):
        copy = AllianceMember.objects.get(pk=member.pk)  # both read version 1
        copy.note = notes[index]
        return record_save(instance=copy, expected_version=1, user=user)

    results, errors = run_at_once(edit, 2)
    assert len(errors) == 1 and isinstance(errors[0], StaleEdit)
    assert any(c["field"] == "note" for c in errors[0].changes)
    member.refresh_from_db()
    assert member.version == 2 and member.note in notes
    saved = [r for r in results if r is not None]
    assert len(saved) == 1 and saved[0].note == member.note
