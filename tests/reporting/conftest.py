"""A project with its eight indicators, some records, month-end history and two periods."""

import datetime
from decimal import Decimal

import pytest

import tests.indicators.conftest
from indicators.models import Milestone
from indicators.rollup import backfill
from reporting.models import ReportingPeriod
from tests.factories import AllianceMemberFactory, OrganisationFactory

# The engine's project and its eight indicators.
project = tests.indicators.conftest.project
lcamp_indicators = tests.indicators.conftest.lcamp_indicators

FIRST_START = datetime.date(2022, 9, 1)
FIRST_END = datetime.date(2024, 2, 29)


@pytest.fixture
def period_data(lcamp_indicators, project):
    """Two alliance members in 2023 and one in 2024 (after the first period); history to Jun 2024."""
    AllianceMemberFactory(organisation=OrganisationFactory(name="Ikaslan", country="ES"),
                          joined_on=datetime.date(2023, 1, 15))
    AllianceMemberFactory(organisation=OrganisationFactory(name="Curt Nicolin", country="SE"),
                          joined_on=datetime.date(2023, 5, 2))
    AllianceMemberFactory(organisation=OrganisationFactory(name="Late joiner", country="FI"),
                          joined_on=datetime.date(2024, 4, 10))
    Milestone.objects.create(indicator=lcamp_indicators["alliance-members"], date=datetime.date(2023, 12, 31),
                             value=Decimal("60"), label="M16")
    # Month-ends from Nov 2023 only: enough history, and quick.
    backfill(start=datetime.date(2023, 11, 1), end=datetime.date(2024, 6, 30))
    return lcamp_indicators


@pytest.fixture
def period(project):
    return ReportingPeriod.objects.create(project=project, name="Interim M1–M18", start_on=FIRST_START,
                                          end_on=FIRST_END)
