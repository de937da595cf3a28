"""A breakdown whose keys grow with the data stores its largest parts only, the others summed into one
part: at a synthetic million the breakdown by responsible organisation had 78,000 parts a snapshot, and a
backfill's one INSERT of millions of rows was killed for memory."""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from indicators.models import Snapshot
from indicators.registry import OTHER_PARTS_KEY, _fold_small_parts, registry
from indicators.rollup import rollup_all
from tests.factories import MicroCredentialFactory, OrganisationFactory


def rows(*values):
    return [{"part_key": key, "part_label": None, "part_value": value} for key, value in values]


def test_the_largest_parts_are_kept_and_the_others_summed():
    folded = _fold_small_parts(rows((1, 5), (2, 1), (3, 3), (4, 1), (None, 2)), max_parts=3)
    kept = {row["part_key"]: row["part_value"] for row in folded}
    assert kept == {1: 5, 3: 3, OTHER_PARTS_KEY: Decimal(4)}
    assert folded[-1]["part_label"] == "Others (3)"


def test_few_parts_are_left_as_they_are():
    original = rows((1, 5), (2, 1))
    assert _fold_small_parts(original, max_parts=2) == original


@pytest.fixture
def three_parts_at_most():
    measure = registry.get("micro-credentials")
    dimensions = measure.dimensions
    object.__setattr__(measure, "dimensions", tuple(
        dataclasses.replace(d, max_parts=3) if d.name == "organisation" else d for d in dimensions))
    yield
    object.__setattr__(measure, "dimensions", dimensions)


@pytest.mark.django_db
def test_a_folded_breakdown_still_adds_up_to_the_total(lcamp_indicators, three_parts_at_most):
    for count, organisation in enumerate(OrganisationFactory.create_batch(5), start=1):
        MicroCredentialFactory.create_batch(count, awarding_body=organisation, published_on=datetime.date(2024, 1, 1))
    rollup_all(datetime.date(2024, 12, 31))
    snapshot = Snapshot.objects.get(indicator__measure_key="micro-credentials", date=datetime.date(2024, 12, 31))
    parts = dict(snapshot.breakdowns.filter(dimension="organisation").values_list("key", "value"))
    assert len(parts) == 3 and sum(parts.values()) == snapshot.value == 15
    assert parts[OTHER_PARTS_KEY] == 1 + 2 + 3
