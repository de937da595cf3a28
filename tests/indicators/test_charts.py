"""The Plotly figure builders: what each chart draws."""

import datetime
import json
from decimal import Decimal
from types import SimpleNamespace

from indicators import charts
from indicators.dashboard import BreakdownDimension, BreakdownPart, Card


def snap(date, value, expected=Decimal(0), progress=Decimal("0.1")):
    return SimpleNamespace(date=date, value=Decimal(value), expected=Decimal(expected), progress=progress,
                           progress_percent=(progress * 100).quantize(Decimal("0.1")), target=Decimal(200))


INDICATOR = SimpleNamespace(title="Members", unit="organisations", target=Decimal(200),
                            target_date=datetime.date(2026, 8, 31))


def test_history_figure_draws_actual_over_expected_with_milestones_target_and_today():
    trajectory = [(datetime.date(2022, 9, 1), Decimal(0)), (datetime.date(2024, 12, 31), Decimal(50)),
                  (datetime.date(2026, 8, 31), Decimal(200))]
    snapshots = [snap(datetime.date(2024, 11, 30), 20), snap(datetime.date(2024, 12, 31), 30)]
    data = charts.figure_data(charts.history_figure(INDICATOR, snapshots, trajectory, datetime.date(2025, 1, 15)))
    traces = {t["name"]: t for t in data["data"]}
    assert traces["Actual"]["x"] == ["2024-11-30", "2024-12-31"] and traces["Actual"]["y"] == [20, 30]
    assert traces["Expected"]["y"] == [0, 50, 200] and traces["Expected"]["line"]["dash"] == "dash"
    assert traces["Milestones"]["x"] == ["2024-12-31"]
    assert traces["Target"]["x"] == ["2026-08-31"] and traces["Target"]["y"] == [200]
    assert data["layout"]["shapes"][0]["x0"] == "2025-01-15"
    assert data["layout"]["yaxis"]["title"]["text"] == "organisations"


def test_history_figure_without_milestones_has_no_milestone_trace():
    trajectory = [(datetime.date(2022, 9, 1), Decimal(0)), (datetime.date(2026, 8, 31), Decimal(200))]
    data = charts.figure_data(charts.history_figure(INDICATOR, [], trajectory, datetime.date(2025, 1, 1)))
    assert "Milestones" not in {t["name"] for t in data["data"]}


def test_long_history_is_drawn_as_a_line_without_markers():
    start = datetime.date(2020, 1, 1)
    snapshots = [snap(start + datetime.timedelta(days=n), n) for n in range(500)]
    trajectory = [(start, Decimal(0)), (datetime.date(2026, 8, 31), Decimal(200))]
    data = charts.figure_data(charts.history_figure(INDICATOR, snapshots, trajectory, start))
    actual = next(t for t in data["data"] if t["name"] == "Actual")
    assert actual["mode"] == "lines" and len(actual["x"]) == 500


def test_breakdown_figure_puts_the_largest_part_on_top():
    dimension = BreakdownDimension("country", "Country", False, [
        BreakdownPart("ES", "Spain", Decimal(18)), BreakdownPart("IT", "Italy", Decimal(12)),
        BreakdownPart("FR", "France", Decimal(1)),
    ])
    data = charts.figure_data(charts.breakdown_figure(dimension, "organisations"))
    bar = data["data"][0]
    assert data["layout"]["xaxis"]["title"]["text"] == "organisations"
    assert bar["type"] == "bar" and bar["orientation"] == "h"
    assert bar["y"] == ["France", "Italy", "Spain"] and bar["x"] == [1, 12, 18]


def test_progress_figure_shows_percent_of_target_and_expected_marks_for_rolled_up_indicators():
    rolled = Card(SimpleNamespace(title="Members"), snap(None, 30, expected=100, progress=Decimal("0.15")))
    waiting = Card(SimpleNamespace(title="Waiting"), None)
    data = charts.figure_data(charts.progress_figure([rolled, waiting]))
    bars, marks = data["data"]
    assert bars["y"] == ["Members"] and bars["x"] == [15.0]
    assert marks["x"] == [50.0]


def test_figure_data_is_plain_json():
    dimension = BreakdownDimension("kind", "Kind", False, [BreakdownPart("vet", "VET", Decimal("2.5"))])
    data = charts.figure_data(charts.breakdown_figure(dimension))
    assert json.loads(json.dumps(data)) == data
    assert set(data) >= {"data", "layout"}


def test_long_labels_are_wrapped_to_keep_room_for_the_bars():
    long = "Learning-factory students engaged in international cooperation"
    card = Card(SimpleNamespace(title=long), snap(None, 30, expected=100, progress=Decimal("0.15")))
    label = charts.figure_data(charts.progress_figure([card]))["data"][0]["y"][0]
    assert label.replace("<br>", " ") == long
    assert all(len(line) <= 24 for line in label.split("<br>"))
