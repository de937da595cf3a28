import datetime
from decimal import Decimal

import pytest
from django.db import connection  # noqa: F401 - read by skipif

from alliance.models import MoU
from indicators.models import Breakdown, Snapshot
from indicators.rollup import rollup_all
from tests.factories import (
    AllianceMemberFactory,
    MoUFactory,
    OrganisationFactory,
)

ON = datetime.date(2024, 12, 31)
pytestmark = pytest.mark.django_db


def snapshot_of(code, on=ON):
    return Snapshot.objects.get(indicator__code=code, date=on)


def test_rollup_writes_one_snapshot_per_indicator_with_its_breakdowns(lcamp_indicators):
    AllianceMemberFactory(organisation=OrganisationFactory(country="ES"))
    AllianceMemberFactory(organisation=OrganisationFactory(country="IT"))
    AllianceMemberFactory(organisation=OrganisationFactory(country="IT"))

    snapshots = rollup_all(ON)

    assert len(snapshots) == 8
    members = snapshot_of("alliance-members")
    assert members.value == 3
    assert members.target == 200
    parts = dict(Breakdown.objects.filter(snapshot=members, dimension="country").values_list("key", "value"))
    assert parts == {"ES": 1, "IT": 2}


def test_rejected_and_withdrawn_mous_never_count(lcamp_indicators):
    for status in MoU.Status:
        MoUFactory(status=status)

    rollup_all(ON)

    assert snapshot_of("mous").value == 1


def test_rolling_up_again_changes_nothing(lcamp_indicators):
    AllianceMemberFactory()
    first = rollup_all(ON)
    rows = list(Breakdown.objects.order_by("pk").values_list("pk", "snapshot_id", "dimension", "key", "value"))

    second = rollup_all(ON)

    assert [s.pk for s in first] == [s.pk for s in second]
    assert list(Breakdown.objects.order_by("pk").values_list("pk", "snapshot_id", "dimension", "key", "value")) == rows
    assert Snapshot.objects.count() == 8


def test_a_change_rewrites_the_snapshot_of_the_same_date(lcamp_indicators):
    rollup_all(ON)
    AllianceMemberFactory()

    rollup_all(ON)

    assert snapshot_of("alliance-members").value == Decimal(1)
    assert Snapshot.objects.filter(indicator__code="alliance-members").count() == 1
