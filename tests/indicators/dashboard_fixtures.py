"""Shared set-up of the dashboard tests: indicators with snapshots, a test measure."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.models import Breakdown, Indicator, Snapshot
from indicators.registry import Dimension, Interval, Measure, registry
from organisations.models import Organisation
from tests.factories import IndicatorFactory, PillarFactory, ProjectFactory, SnapshotFactory

TODAY = timezone.localdate()
TEST_MEASURE_KEY = "test-organisations"

# A measure over the organisations register, with URL names that exist (the admin's).
TEST_MEASURE = Measure(
    key=TEST_MEASURE_KEY,
    label="Organisations",
    records=lambda on: Organisation.objects.filter(created_at__date__lte=on),
    aggregate="count",
    models=("organisations.Organisation",),
    dimensions=(
        Dimension("country", "Country", "country"),
        Dimension("kind", "Organisation kind", "kind"),
    ),
    date_field="created_at",
    interval=Interval(Organisation.objects.all, "created_at__date"),
    add_url_name="admin:organisations_organisation_add",
    detail_url_name="admin:organisations_organisation_change",
)


@pytest.fixture
def test_measure(monkeypatch):
    monkeypatch.setitem(registry._measures, TEST_MEASURE_KEY, TEST_MEASURE)
    return TEST_MEASURE


def snapshot_for(indicator, *, date=TODAY, value, expected, status=Snapshot.Status.ON_TRACK, forecast=None, **kw):
    return SnapshotFactory(
        indicator=indicator, date=date, value=Decimal(value), target=indicator.target, expected=Decimal(expected),
        progress=(Decimal(value) / indicator.target).quantize(Decimal("0.0001")), status=status,
        forecast=None if forecast is None else Decimal(forecast), **kw,
    )


@pytest.fixture
def project(db):
    return ProjectFactory()


@pytest.fixture
def members(project, test_measure):
    """A counted indicator: 30 of 200, behind, with a snapshot 31 days ago and a breakdown."""
    pillar = PillarFactory(project=project, code="alliance", name="Alliance", order=2)
    indicator = IndicatorFactory(project=project, pillar=pillar, code="members", title="Alliance members",
                                 measure_key=TEST_MEASURE_KEY, target=Decimal("200"), order=1, is_public=True)
    snapshot_for(indicator, date=TODAY - datetime.timedelta(days=31), value="22", expected="90",
                 status=Snapshot.Status.BEHIND)
    latest = snapshot_for(indicator, value="30", expected="100", status=Snapshot.Status.BEHIND, forecast="61")
    Breakdown.objects.bulk_create([
        Breakdown(snapshot=latest, dimension="country", key="ES", label="Spain", value=Decimal("18")),
        Breakdown(snapshot=latest, dimension="country", key="IT", label="Italy", value=Decimal("12")),
        Breakdown(snapshot=latest, dimension="kind", key="vet", label="VET provider", value=Decimal("25")),
        Breakdown(snapshot=latest, dimension="kind", key="sme", label="SME", value=Decimal("5")),
    ])
    return indicator


@pytest.fixture
def observatories(project):
    pillar = PillarFactory(project=project, code="observatories", name="Observatories", order=1)
    indicator = IndicatorFactory(project=project, pillar=pillar, code="observatories", title="Regional observatories",
                                 measure_key=TEST_MEASURE_KEY, target=Decimal("10"), order=1)
    snapshot_for(indicator, value="10", expected="5", status=Snapshot.Status.ACHIEVED, forecast="10")
    return indicator


@pytest.fixture
def reported(project):
    pillar = PillarFactory(project=project, code="training", name="Training", order=3)
    return IndicatorFactory(project=project, pillar=pillar, code="students", title="Students abroad",
                            source=Indicator.Source.REPORTED, target=Decimal("80"), order=1)
