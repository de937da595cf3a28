"""A dashboard left open keeps itself up to date: it polls /indicators/version/ every 30 seconds while
visible, swaps in the new cards when a roll-up stored snapshots, and says "updated N min ago"."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from indicators.models import OutboxEntry, Snapshot
from registers import generations
from tests.indicators.dashboard_fixtures import members, project, test_measure  # noqa: F401 - fixtures

DASHBOARD = "/"
VERSION = reverse("indicators:version")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def tables(captured):
    return [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in captured.captured_queries]


def test_the_version_says_the_generation_and_the_time_of_the_last_rollup(staff_client, members):
    OutboxEntry.objects.all().delete()  # drained
    body = staff_client.get(VERSION).json()
    latest = Snapshot.objects.latest("computed_at").computed_at
    assert body == {"generation": generations.current(generations.ROLLUP), "pending": [],
                    "as_of": latest.isoformat()}


def test_between_rollups_the_version_reads_no_snapshot(staff_client, members):
    staff_client.get(VERSION)
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(VERSION)
    assert response.status_code == 200
    # The session is read from the cache when REDIS_URL is set (lcamp.sessions).
    assert [table for table in tables(captured) if table != "django_session"] == [
        "accounts_user", "auth_group", "indicators_outboxentry"]


def test_after_a_rollup_the_version_reads_the_new_time_once(staff_client, members):
    before = staff_client.get(VERSION).json()
    later = timezone.now()
    Snapshot.objects.filter(pk=members.snapshots.latest().pk).update(computed_at=later)
    generations.bump(generations.ROLLUP)  # what a roll-up calls when it writes snapshots
    with CaptureQueriesContext(connection) as captured:
        after = staff_client.get(VERSION).json()
    assert after["generation"] != before["generation"]
    assert after["as_of"] == later.isoformat()
    assert tables(captured).count("indicators_snapshot") == 1
    with CaptureQueriesContext(connection) as captured:
        assert staff_client.get(VERSION).json() == after
    assert "indicators_snapshot" not in tables(captured)


def test_the_dashboard_loads_the_script_with_its_generation_and_translated_label(staff_client, members):
    html = staff_client.get(DASHBOARD).content.decode()
    assert '<script src="/static/indicators/updating.js" defer></script>' in html
    assert (f'<div id="dashboard-cards" data-version-url="{VERSION}" data-live="1" '
            f'data-generation="{generations.current(generations.ROLLUP)}">') in html
    assert ('<p class="updated-ago" id="dashboard-updated" role="status" data-just-now="updated just now" '
            'data-minutes="updated {minutes} min ago" hidden></p>') in html
    assert "<script>" not in html  # CSP: no inline script


def test_the_label_is_translated(staff_client, members):
    with translation.override("fr"):
        html = staff_client.get(DASHBOARD, headers={"accept-language": "fr"}).content.decode()
    assert 'data-minutes="mis à jour il y a {minutes} min"' in html
