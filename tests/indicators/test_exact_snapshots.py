"""Every stored snapshot is exact, always: a back-dated change leaves no stale snapshot behind,
whatever the roll-ups stored before (issue 22)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from indicators import dashboard, rollup
from indicators.models import OutboxEntry, Snapshot
from reporting import periods
from reporting.models import ReportingPeriod
from tests.factories import AllianceMemberFactory, IndicatorFactory, ObservatoryFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def indicators(project):
    return [IndicatorFactory(project=project, code=code, title=code, target=Decimal(100), target_date=project.end_on)
            for code in ("alliance-members", "observatories")]


def _drain():
    # What the save's on-commit drain does (the tests run inside one transaction).
    rollup.drain()
    assert not OutboxEntry.objects.exists()


def _assert_every_stored_snapshot_is_exact():
    snapshots = list(Snapshot.objects.select_related("indicator__project").order_by("indicator", "date"))
    assert snapshots
    for snapshot in snapshots:
        result = rollup.compute(snapshot.indicator, snapshot.date)
        stored = {name: getattr(snapshot, name) for name in result.snapshot_fields()}
        assert stored == result.snapshot_fields(), (snapshot.indicator.code, snapshot.date)
        rows = sorted(snapshot.breakdowns.values_list("dimension", "key", "label", "value", "overlapping"))
        assert rows == result.breakdown_rows(), (snapshot.indicator.code, snapshot.date)


def test_every_stored_snapshot_equals_a_recomputation_after_back_dated_changes(indicators):
    early = AllianceMemberFactory(joined_on=datetime.date(2023, 11, 2))
    ObservatoryFactory()
    OutboxEntry.objects.all().delete()
    # A roll-up every day of a year, as the nightly task stores it.
    day = datetime.date(2024, 1, 1)
    while day <= datetime.date(2024, 12, 31):
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(0, 5)), tick=False):
            assert timezone.localdate() == day
            rollup.rollup_all()
        day += DAY
    with time_machine.travel(datetime.datetime(2025, 1, 10, 12), tick=False):
        # Back-dated changes, each drained as a save drains it.
        AllianceMemberFactory(joined_on=datetime.date(2024, 3, 10))
        _drain()
        early.left_on = datetime.date(2024, 7, 20)
        early.save()
        _drain()
        AllianceMemberFactory(joined_on=datetime.date(2024, 12, 30), left_on=datetime.date(2025, 1, 5))
        _drain()
        _assert_every_stored_snapshot_is_exact()


def test_the_cards_30_day_change_ignores_a_member_who_joined_long_ago(indicators):
    today = timezone.localdate()
    for days in range(45, -1, -1):
        rollup.rollup_all(today - datetime.timedelta(days=days))
    AllianceMemberFactory(joined_on=datetime.date(2024, 5, 2))
    _drain()
    [card] = [card for card in dashboard.cards() if card.indicator.code == "alliance-members"]
    assert card.snapshot.value == 1
    assert card.change == 0  # the member counted 30 days ago too: not "+1 in the last 30 days"
    _assert_every_stored_snapshot_is_exact()


def test_closing_a_period_recomputes_every_snapshot_inside_it(indicators, project, manager_user):
    period = ReportingPeriod.objects.create(project=project, name="2024", start_on=datetime.date(2024, 1, 1),
                                            end_on=datetime.date(2024, 12, 31),
                                            state=ReportingPeriod.State.IN_REVIEW)
    rollup.rollup_all(datetime.date(2024, 10, 1))
    # A back-dated member not drained yet (the broker was down): closing must not freeze a stale figure.
    AllianceMemberFactory(joined_on=datetime.date(2024, 2, 1))
    periods.period_close(period=period, user=manager_user)
    frozen = Snapshot.objects.filter(indicator__project=project, date__gte=period.start_on,
                                     date__lte=period.end_on)
    assert frozen.exists() and all(snapshot.is_frozen for snapshot in frozen)
    _assert_every_stored_snapshot_is_exact()
