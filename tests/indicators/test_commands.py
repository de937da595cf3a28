import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Snapshot
from tests.factories import AllianceMemberFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_rollup_prints_the_table_of_every_indicator(lcamp_indicators):
    AllianceMemberFactory()
    out = run("rollup", "--date", "2024-12-31")
    assert "indicator" in out and "status" in out
    line = next(line for line in out.splitlines() if line.startswith("alliance-members"))
    assert line.split()[1:3] == ["2024-12-31", "1"]
    assert Snapshot.objects.filter(date=datetime.date(2024, 12, 31)).count() == 8


def test_rollup_refuses_a_bad_date(lcamp_indicators):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("rollup", "--date", "31/12/2024")
    assert not Snapshot.objects.exists()


def test_rollup_backfill_writes_month_ends_from_the_project_start(lcamp_indicators):
    run("rollup", "--backfill", "--date", "2023-01-15")
    dates = set(Snapshot.objects.values_list("date", flat=True))
    assert datetime.date(2022, 9, 30) in dates and datetime.date(2023, 1, 15) in dates
    assert len(dates) == 5


def test_rollup_without_indicators_says_what_to_do(db):
    assert "seed_lcamp" in run("rollup")


def test_bench_rollup_matches_the_floor_and_prints_the_figures(db):
    call_command("seed_lcamp", verbosity=0)
    out = run("bench_rollup", "--records", "400", "--repeat", "1")
    for label in ("records:", "queries:", "roll-up seconds:", "floor seconds:", "ratio:"):
        assert label in out
    assert "identical to the floor" in out
    assert "Reusing" in run("bench_rollup", "--records", "400", "--repeat", "1")
