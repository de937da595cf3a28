"""Expected value, status, forecast and milestone consistency."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.models import Snapshot
from indicators.rollup import forecast, progress
from tests.factories import IndicatorFactory, MilestoneFactory

pytestmark = pytest.mark.django_db
START = datetime.date(2022, 9, 1)
END = datetime.date(2026, 8, 31)
MILESTONE = datetime.date(2024, 12, 31)


@pytest.fixture
def indicator(project):
    indicator = IndicatorFactory(project=project, baseline=Decimal(10), target=Decimal(200), target_date=END)
    MilestoneFactory(indicator=indicator, date=MILESTONE, value=Decimal(50))
    return indicator


def test_expected_value_starts_at_the_baseline_on_the_project_start(indicator):
    assert indicator.expected_value(START) == 10
    assert indicator.expected_value(START - datetime.timedelta(days=30)) == 10


def test_expected_value_passes_through_the_milestone(indicator):
    assert indicator.expected_value(MILESTONE) == 50


def test_expected_value_is_linear_between_the_points(indicator):
    halfway = START + (MILESTONE - START) / 2
    assert indicator.expected_value(halfway) == Decimal(30)
    after = MILESTONE + (END - MILESTONE) / 2
    assert abs(indicator.expected_value(after) - Decimal(125)) <= Decimal("0.1")


def test_expected_value_is_the_target_on_and_after_the_target_date(indicator):
    assert indicator.expected_value(END) == 200
    assert indicator.expected_value(END + datetime.timedelta(days=100)) == 200


def test_milestones_outside_the_project_are_left_out_of_the_trajectory(indicator):
    indicator.milestones.create(date=END + datetime.timedelta(days=10), value=Decimal(300))
    assert [d for d, _ in indicator.trajectory()] == [START, MILESTONE, END]


@pytest.mark.parametrize(("value", "expected", "status"), [
    (200, 100, Snapshot.Status.ACHIEVED),
    (250, 300, Snapshot.Status.ACHIEVED),
    (100, 100, Snapshot.Status.ON_TRACK),
    (95, 100, Snapshot.Status.ON_TRACK),
    (90, 100, Snapshot.Status.ON_TRACK),
    (89, 100, Snapshot.Status.AT_RISK),
    (70, 100, Snapshot.Status.AT_RISK),
    (69, 100, Snapshot.Status.BEHIND),
    (0, 100, Snapshot.Status.BEHIND),
    (0, 0, Snapshot.Status.ON_TRACK),
])
def test_status_from_actual_against_expected(indicator, value, expected, status):
    assert indicator.status_for(Decimal(value), Decimal(expected)) == status


def test_status_thresholds_come_from_settings(indicator, settings):
    settings.INDICATOR_STATUS_THRESHOLDS = {"on_track": 0.5, "at_risk": 0.2}
    assert indicator.status_for(Decimal(60), Decimal(100)) == Snapshot.Status.ON_TRACK
    assert indicator.status_for(Decimal(30), Decimal(100)) == Snapshot.Status.AT_RISK
    assert indicator.status_for(Decimal(10), Decimal(100)) == Snapshot.Status.BEHIND


def test_forecast_continues_the_pace_of_the_last_90_days():
    on = datetime.date(2025, 1, 1)
    target_date = on + datetime.timedelta(days=180)
    # 9 more in 90 days: 0.1 a day, 18 more in 180 days.
    assert forecast(value=Decimal(30), value_before=Decimal(21), on=on, target_date=target_date) == Decimal(48)


def test_forecast_of_a_flat_indicator_is_its_value():
    on = datetime.date(2025, 1, 1)
    assert forecast(value=Decimal(7), value_before=Decimal(7), on=on, target_date=END) == 7


def test_forecast_never_falls_below_zero():
    on = datetime.date(2025, 1, 1)
    assert forecast(value=Decimal(5), value_before=Decimal(50), on=on, target_date=END) == 0


def test_forecast_on_or_after_the_target_date_is_the_value():
    assert forecast(value=Decimal(12), value_before=Decimal(2), on=END, target_date=END) == 12


def test_progress_is_value_over_target():
    assert progress(Decimal(30), Decimal(200)) == Decimal("0.15")
    assert progress(Decimal(3), Decimal(0)) == 1


def test_a_consistent_milestone_passes(indicator):
    MilestoneFactory.build(indicator=indicator, date=datetime.date(2025, 6, 30), value=Decimal(100)).full_clean()


def test_a_milestone_above_the_final_target_is_refused(indicator):
    with pytest.raises(ValidationError) as error:
        MilestoneFactory.build(indicator=indicator, date=datetime.date(2025, 6, 30), value=Decimal(201)).full_clean()
    assert "final target" in str(error.value)


def test_a_milestone_below_an_earlier_one_of_a_cumulative_indicator_is_refused(indicator):
    with pytest.raises(ValidationError) as error:
        MilestoneFactory.build(indicator=indicator, date=datetime.date(2025, 6, 30), value=Decimal(40)).full_clean()
    assert "earlier" in str(error.value)


def test_a_milestone_above_a_later_one_of_a_cumulative_indicator_is_refused(indicator):
    with pytest.raises(ValidationError) as error:
        MilestoneFactory.build(indicator=indicator, date=datetime.date(2024, 1, 31), value=Decimal(60)).full_clean()
    assert "later" in str(error.value)


def test_a_milestone_outside_the_project_is_refused(indicator):
    with pytest.raises(ValidationError) as error:
        MilestoneFactory.build(indicator=indicator, date=END + datetime.timedelta(days=1),
                               value=Decimal(100)).full_clean()
    assert "date" in error.value.message_dict


def test_a_falling_milestone_is_allowed_for_an_indicator_that_may_fall(indicator):
    indicator.is_cumulative = False
    indicator.save()
    MilestoneFactory.build(indicator=indicator, date=datetime.date(2025, 6, 30), value=Decimal(40)).full_clean()
