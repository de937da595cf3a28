"""The indicator page's period selector (figures as of a period's end) and country filter
(one country's part over time, read from the stored Breakdown rows)."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Breakdown
from reporting.models import ReportingPeriod
from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    TODAY,
    members,
    project,
    snapshot_for,
    test_measure,
)

pytestmark = pytest.mark.django_db
MONTH_AGO = TODAY - datetime.timedelta(days=31)


def url(code="members"):
    return reverse("indicators:indicator-detail", args=[code])


def _figure(html, name):
    return json.loads(re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S).group(1))


@pytest.fixture
def period(members):
    """A period that ended on the date of the fixture's snapshot 31 days ago (value 22, Spain 9 then)."""
    earlier = members.snapshots.get(date=MONTH_AGO)
    Breakdown.objects.create(snapshot=earlier, dimension="country", key="ES", label="Spain", value=Decimal("9"))
    return ReportingPeriod.objects.create(project=members.project, name="Interim", start_on=MONTH_AGO.replace(day=1),
                                          end_on=MONTH_AGO)


def test_period_selector_shows_the_figures_at_the_periods_end(staff_client, period):
    html = staff_client.get(url(), {"period": period.pk}).content.decode()
    assert f'<option value="{period.pk}" selected>' in html
    actual = next(t for t in _figure(html, "history-figure")["data"] if t["name"] == "Actual")
    assert actual["x"][-1] == MONTH_AGO.isoformat() and actual["y"][-1] == 22.0  # nothing after the period's end
    assert "22</strong>" in html
    shaded = _figure(html, "map-figure")["data"][1]
    assert dict(zip(shaded["locations"], shaded["z"], strict=True)) == {"ES": 9.0}  # the map as of then
    assert f"?dimension=country&amp;period={period.pk}" in html  # the breakdown switch keeps the period


def test_without_a_period_the_page_shows_today(staff_client, period):
    html = staff_client.get(url()).content.decode()
    actual = next(t for t in _figure(html, "history-figure")["data"] if t["name"] == "Actual")
    assert actual["x"][-1] == TODAY.isoformat()
    assert f'<option value="{period.pk}">' in html


def test_country_filter_gives_that_countrys_history_from_the_breakdowns(staff_client, period):
    html = staff_client.get(url(), {"country": "es"}).content.decode()
    assert '<option value="ES" selected>Spain</option>' in html
    line = _figure(html, "country-figure")["data"][0]
    assert line["x"] == [MONTH_AGO.isoformat(), TODAY.isoformat()] and line["y"] == [9.0, 18.0]
    table = html[html.index('id="country-table"'):]
    assert '<td class="num">9</td>' in table and '<td class="num">18</td>' in table


def test_country_filter_with_a_period_stops_at_its_end(staff_client, period):
    html = staff_client.get(url(), {"country": "ES", "period": period.pk}).content.decode()
    assert _figure(html, "country-figure")["data"][0]["y"] == [9.0]
    assert f'<input type="hidden" name="period" value="{period.pk}">' in html


@pytest.mark.parametrize("query", [{"period": "abc"}, {"period": "999999"}, {"country": "<script>"},
                                   {"country": "ZZ"}, {"country": "ESP"}])
def test_bad_period_or_country_is_ignored(staff_client, members, query):
    response = staff_client.get(url(), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="country-figure"' not in html and "<script>" not in html.split("</head>")[1].split("<script")[0]
    actual = next(t for t in _figure(html, "history-figure")["data"] if t["name"] == "Actual")
    assert actual["x"][-1] == TODAY.isoformat()


@pytest.mark.parametrize("role", ["partner", "other_partner", "anonymous"])
def test_filters_are_for_viewers_only(role_clients, period, role):
    response = role_clients[role].get(url(), {"period": period.pk, "country": "ES"})
    assert response.status_code in (302, 403)


@pytest.mark.parametrize("role", ["admin", "staff", "manager"])
def test_viewers_use_the_filters(role_clients, period, role):
    assert role_clients[role].get(url(), {"period": period.pk, "country": "ES"}).status_code == 200
