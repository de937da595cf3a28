"""schemathesis v4 over every operation of the API, through the WSGI app: as a manager (token) and anonymous.

Checks: no server error, status codes, content types and response bodies as the
schema documents them. Bounded by SCHEMATHESIS_MAX_EXAMPLES, else 10 a case under Hypothesis'
"ci" profile (fewer under "dev"; tests/hypothesis_profiles.py).
"""

import datetime
import os
from decimal import Decimal

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from indicators.models import Breakdown
from lcamp.wsgi import application
from reporting.models import Narrative, ReportingPeriod
from tests.factories import (
    IndicatorFactory,
    MicroCredentialFactory,
    MilestoneFactory,
    MoUFactory,
    ObservatoryFactory,
    SnapshotFactory,
)
from tests.hypothesis_profiles import examples

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES") or examples(10))

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests through the WSGI app fire request_started/finished, whose close_old_connections
    closes the connection holding the test's transaction on PostgreSQL; Django's test client
    disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db):
    """A few records, so that some generated ids and codes exist."""
    indicator = IndicatorFactory(code="alliance-members")
    snapshot = SnapshotFactory(indicator=indicator, date=datetime.date(2024, 12, 31))
    Breakdown.objects.create(snapshot=snapshot, dimension="country", key="ES", label="Spain", value=Decimal("30"))
    MilestoneFactory(indicator=indicator)
    period = ReportingPeriod.objects.create(project=indicator.project, name="Interim", start_on=datetime.date(2024, 1, 1),
                                            end_on=datetime.date(2024, 12, 31))
    Narrative.objects.create(indicator=indicator, period=period, what_happened="Two centres joined.")
    for _ in range(2):
        MoUFactory()
        ObservatoryFactory()
        MicroCredentialFactory()


@pytest.fixture
def manager_headers(seeded, manager_user):
    return {"Authorization": f"Token {Token.objects.create(user=manager_user).key}"}


# Loaded when the module is collected: the schema view reads no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


def run(case, headers):
    # Throttling is tested on its own; here every request gets a fresh budget.
    cache.clear()
    case.call_and_validate(headers=headers, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_as_a_manager(case, manager_headers):
    run(case, manager_headers)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_anonymously(case, seeded):  # noqa: ARG001 (records to find)
    run(case, {})
