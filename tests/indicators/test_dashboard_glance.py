"""The dashboard at a glance (issue 27): the summary strip, the trend lines, the progress chart, the filters
that apply to the whole page and its exports, the demo's date, the CSV under each chart."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import csv
import datetime
import io
import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import charts, dashboard
from indicators.models import Breakdown, Snapshot
from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    TODAY,
    members,
    observatories,
    project,
    reported,
    snapshot_for,
    test_measure,
)

DASHBOARD = "/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def page(client, **query):
    response = client.get(DASHBOARD, query)
    assert response.status_code == 200
    return response.content.decode()


def card(html, code):
    match = re.search(rf'<article class="card[^"]*" aria-labelledby="card-{code}">(.*?)</article>', html, re.S)
    assert match, f"no card for {code}"
    return match.group(0)


def strip(html):
    return dict(re.findall(r'data-status="(\w+)"><span class="summary-count">(\d+)</span>', html))


def test_the_summary_strip_counts_the_cards_statuses(staff_client, members, observatories, reported):
    html = page(staff_client)
    counts = strip(html)
    cards = re.findall(r'<article class="card status-(\w+)"', html)
    assert counts == {status: str(cards.count(status)) for status in ("achieved", "on_track", "at_risk", "behind")}
    assert counts["behind"] == "1" and counts["achieved"] == "1"
    assert "of the project&#x27;s time elapsed" in html or "of the project's time elapsed" in html


def test_a_card_draws_its_trend_from_the_stored_snapshots(staff_client, members, observatories):
    html = page(staff_client)
    # Two snapshots (a month ago and today) give a line; one gives none.
    points = re.search(r'<polyline points="([^"]+)"', card(html, "members")).group(1).split()
    assert len(points) == 2
    assert "<polyline" not in card(html, "observatories")
    # No inline script: the CSP forbids it.
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)


def test_sparkline_points_rise_with_the_value():
    points = dashboard.sparkline_points([(datetime.date(2024, 1, 31), Decimal(0)),
                                         (datetime.date(2024, 2, 29), Decimal(10))], Decimal(10))
    (x0, y0), (x1, y1) = (tuple(map(float, p.split(","))) for p in points.split())
    assert x0 == 0 and x1 == dashboard.SPARKLINE_WIDTH and y1 < y0
    assert dashboard.sparkline_points([(datetime.date(2024, 1, 31), Decimal(3))], Decimal(10)) == ""


def test_the_dashboard_draws_the_overall_progress_chart(staff_client, members, observatories):
    html = page(staff_client)
    assert 'id="progress-chart"' in html and 'id="progress-figure"' in html
    assert '<script src="/static/plotly/plotly.min.js" defer></script>' in html
    link = re.search(r'<a href="(data:text/csv[^"]+)" download="lcamp-progress.csv"', html).group(1)
    rows = list(csv.reader(io.StringIO(unquote(link.split(",", 1)[1]).removeprefix("\ufeff"))))
    assert rows[0][0] == "Indicator" and {"Alliance members", "Regional observatories"} <= {r[0] for r in rows[1:]}


def test_a_country_filters_the_cards_the_charts_the_breakdowns_and_the_exports(staff_client, members,
                                                                                 observatories):
    html = page(staff_client, country="es")
    assert "Spain only" in html
    members_card = card(html, "members")
    assert '<strong class="value">18</strong>' in members_card
    assert "status-badge" not in members_card and "Expected by now" not in members_card
    # Observatories have no country part: none in Spain.
    assert '<strong class="value">0</strong>' in card(html, "observatories")
    # The export links carry the filter, and the file holds Spain's part.
    assert 'href="/indicators/export.csv?country=ES"' in html
    assert 'href="/indicators/export.xlsx?country=ES"' in html
    response = staff_client.get("/indicators/export.csv", {"country": "ES", "variant": "machine"})
    assert "lcamp-indicators-ES-" in response["Content-Disposition"]
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["members"]["value"] == "18.00" and rows["members"]["status"] == "" and rows["members"]["expected"] == ""
    # The summary says the statuses are the whole project's; the progress chart has no expected marks.
    assert "the statuses below are the whole project" in html
    figure = re.search(r'<script id="progress-figure" type="application/json">(.*?)</script>', html, re.S).group(1)
    assert "Expected by now" not in figure
    # Without the filter: the totals.
    whole = page(staff_client)
    assert '<strong class="value">30</strong>' in card(whole, "members") and "Spain only" not in whole
    assert rows != {row["code"]: row for row in csv.DictReader(io.StringIO(
        staff_client.get("/indicators/export.csv?variant=machine").content.decode()))}


def test_the_breakdown_by_place_lists_countries_then_one_countrys_regions(staff_client, members, observatories):
    from tests.factories import RegionFactory

    basque = RegionFactory(code="ES21", name="País Vasco", country="ES", latitude=Decimal("43.26"),
                           longitude=Decimal("-2.93"))
    latest = members.snapshots.latest()
    Breakdown.objects.create(snapshot=latest, dimension="region", key=str(basque.pk), label="País Vasco",
                             value=Decimal(18))
    html = page(staff_client)
    table = html[html.index('id="places-table"'):]
    assert 'data-key="ES"' in table and 'data-key="IT"' in table
    spain = page(staff_client, country="ES")
    table = spain[spain.index('id="places-table"'):]
    assert f'data-key="{basque.pk}"' in table and 'data-key="IT"' not in table
    assert "By region of Spain" in spain


def test_a_country_nobody_has_or_a_bad_value_is_ignored(staff_client, members):
    for bad in ("XX", "spain", "E", "<b>", "ES1"):
        html = page(staff_client, country=bad)
        assert "only" not in html.split('id="dashboard-shows"', 1)[1].split("</p>", 1)[0]
        assert '<strong class="value">30</strong>' in card(html, "members")


def test_a_period_and_a_country_together(staff_client, members, monkeypatch):
    from types import SimpleNamespace

    from indicators import period_source

    month_ago = TODAY - datetime.timedelta(days=31)
    old = members.snapshots.get(date=month_ago)
    Breakdown.objects.create(snapshot=old, dimension="country", key="ES", label="Spain", value=Decimal(11))
    period = SimpleNamespace(pk=7, project_id=members.project_id, project=members.project, name="P1",
                             start_on=members.project.start_on, end_on=month_ago, is_closed=True,
                             get_absolute_url=lambda: "/periods/7/")

    class Source(period_source.PeriodSource):
        def get(self, pk):
            return period if pk == 7 else None

        def choices(self, project_id=None):
            return [period]

    monkeypatch.setattr(period_source, "_source", Source())
    html = page(staff_client, period=7, country="ES")
    assert '<strong class="value">11</strong>' in card(html, "members")
    assert 'href="/indicators/export.csv?period=7&amp;country=ES"' in html
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(
        staff_client.get("/indicators/export.csv", {"period": 7, "country": "ES", "variant": "machine"}).content.decode()))}
    assert rows["members"]["value"] == "11.00"


def test_with_the_demo_setting_the_dashboard_opens_at_its_date(staff_client, members, settings):
    settings.DASHBOARD_AS_OF = TODAY - datetime.timedelta(days=31)
    html = page(staff_client)
    assert "the DASHBOARD_AS_OF setting" in html and "Show today" in html
    assert '<strong class="value">22</strong>' in card(html, "members")
    assert 'href="/?today=1"' in html
    # Not live: a past date's figures do not move.
    assert 'data-live="1"' not in html
    today = page(staff_client, today="1")
    assert '<strong class="value">30</strong>' in card(today, "members") and "DASHBOARD_AS_OF" not in today
    # The export from that page is today's, from the first page the demo's date.
    assert 'href="/indicators/export.csv?today=1"' in today
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(
        staff_client.get("/indicators/export.csv?variant=machine").content.decode()))}
    assert rows["members"]["value"] == "22.00"


def test_without_the_setting_the_dashboard_shows_today(staff_client, members, settings):
    settings.DASHBOARD_AS_OF = None
    html = page(staff_client)
    assert "DASHBOARD_AS_OF" not in html and '<strong class="value">30</strong>' in card(html, "members")


def test_counted_indicators_show_whole_expected_and_forecast_values(staff_client, members):
    Snapshot.objects.filter(indicator=members, date=TODAY).update(expected=Decimal("6.41"), forecast=Decimal("61.6"))
    html = card(page(staff_client), "members")
    assert "6.41" not in html and "<dd>6</dd>" in html and "<dd>62</dd>" in html


def test_the_sparklines_cost_one_query_for_all_cards(staff_client, members, observatories, reported):
    with CaptureQueriesContext(connection) as captured:
        page(staff_client)
    snapshots = [q["sql"] for q in captured.captured_queries if 'FROM "indicators_snapshot"' in q["sql"]]
    # The cards (two), the sparklines (one).
    assert len(snapshots) == 3


def test_the_map_is_fitted_to_its_places_and_lists_those_outside(staff_client, members):
    latest = members.snapshots.latest()
    Breakdown.objects.create(snapshot=latest, dimension="country", key="CA", label="Canada", value=Decimal(2))
    html = page(staff_client)
    aside = html[html.index('class="map-outside"'):]
    assert "Canada: 2" in aside[:aside.index("</aside>")]
    figure = dashboard.MapData([dashboard.BreakdownPart("ES", "Spain", Decimal(18)),
                                dashboard.BreakdownPart("IT", "Italy", Decimal(3))], [])
    layout = charts.map_figure(figure, "organisations").to_plotly_json()["layout"]
    west, east = layout["geo"]["lonaxis"]["range"]
    south, north = layout["geo"]["lataxis"]["range"]
    assert -12 < west < -9 and 19 < east < 22 and 33 < south < 37 and 48 < north < 50
    bar = [trace for trace in charts.map_figure(figure).to_plotly_json()["data"] if "colorbar" in trace][0]["colorbar"]
    assert bar["tickformat"] == ",d" and bar["dtick"] >= 1


def test_the_page_allows_plotly_to_draw_a_png(staff_client, members):
    csp = staff_client.get(DASHBOARD)["Content-Security-Policy"]
    img = re.search(r"img-src ([^;]+)", csp).group(1).split()
    assert "blob:" in img and "'self'" in img
    assert "'unsafe-inline'" not in re.search(r"script-src ([^;]+)", csp).group(1)


def test_a_card_says_whether_its_latest_milestone_is_met(staff_client, members, observatories):
    from tests.factories import MilestoneFactory

    MilestoneFactory(indicator=members, date=TODAY - datetime.timedelta(days=10), value=Decimal(25))
    MilestoneFactory(indicator=members, date=TODAY + datetime.timedelta(days=100), value=Decimal(80),
                     is_assumed=True)
    MilestoneFactory(indicator=observatories, date=TODAY - datetime.timedelta(days=10), value=Decimal(12))
    html = page(staff_client)
    members_card = card(html, "members")
    assert 'class="milestone-met">25' in members_card and "Next milestone" in members_card
    assert "80<span class=\"visually-hidden\"> (assumed)" in members_card
    assert 'class="milestone-missed">12' in card(html, "observatories")


def test_each_chart_of_an_indicator_page_has_its_csv(staff_client, members):
    html = staff_client.get("/indicators/members/", {"country": "ES"}).content.decode()
    links = dict((name, href) for href, name in re.findall(r'<a href="(data:text/csv[^"]+)" download="([^"]+)"', html))
    assert {"lcamp-members-history.csv", "lcamp-members-by-country.csv", "lcamp-members-by-kind.csv",
            "lcamp-members-ES.csv", "lcamp-map.csv"} <= set(links)
    rows = list(csv.reader(io.StringIO(unquote(links["lcamp-members-by-country.csv"].split(",", 1)[1]).removeprefix("\ufeff"))))
    assert rows == [["Country", "Value"], ["Spain", "18.00"], ["Italy", "12.00"]]


def test_a_region_narrows_a_country_where_the_indicator_has_one(staff_client, members, observatories):
    from tests.factories import RegionFactory

    basque = RegionFactory(code="ES21", name="País Vasco", country="ES", latitude=Decimal("43.26"),
                           longitude=Decimal("-2.93"))
    lombardy = RegionFactory(code="ITC4", name="Lombardia", country="IT")
    Breakdown.objects.create(snapshot=members.snapshots.latest(), dimension="region", key=str(basque.pk),
                             label="País Vasco", value=Decimal(7))
    spain = page(staff_client, country="ES")
    assert f'<option value="{basque.pk}">País Vasco</option>' in spain
    html = page(staff_client, country="ES", region=basque.pk)
    assert "País Vasco (Spain) only" in html
    assert '<strong class="value">7</strong>' in card(html, "members")
    assert f'href="/indicators/export.csv?country=ES&amp;region={basque.pk}"' in html
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(staff_client.get(
        "/indicators/export.csv", {"country": "ES", "region": basque.pk, "variant": "machine"}).content.decode()))}
    assert rows["members"]["value"] == "7.00"
    # A region of another country, or no region at all, is ignored: Spain's figures.
    for bad in (lombardy.pk, "x", "99999"):
        html = page(staff_client, country="ES", region=bad)
        assert '<strong class="value">18</strong>' in card(html, "members") and "(Spain) only" not in html
