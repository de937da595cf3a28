import datetime
from decimal import Decimal

import pytest

from indicators.registry import registry
from tests.factories import IndicatorFactory, ProjectFactory

MEASURE_CODES = [
    "observatories", "alliance-members", "cooperation-projects", "mous", "micro-credentials", "skill-gaps",
    "students-international", "collaborative-products",
]
TARGETS = {"observatories": 10, "alliance-members": 200, "cooperation-projects": 20, "mous": 150,
           "micro-credentials": 100, "skill-gaps": 60, "students-international": 80, "collaborative-products": 8}


@pytest.fixture
def project(db):
    return ProjectFactory(start_on=datetime.date(2022, 9, 1), end_on=datetime.date(2026, 8, 31))


@pytest.fixture
def lcamp_indicators(project):
    """The eight register indicators of LCAMP, by code."""
    assert set(MEASURE_CODES) <= set(registry.keys())
    return {code: IndicatorFactory(project=project, code=code, title=code, target=Decimal(TARGETS[code]),
                                   target_date=project.end_on)
            for code in MEASURE_CODES}
