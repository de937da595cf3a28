"""One indicator's page at /indicators/<code>/: charts, breakdown switch, records, reports, cost."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Breakdown, Snapshot
from organisations.models import Organisation
from registers import generations
from tests.factories import MilestoneFactory, OrganisationFactory, ReportFactory
from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    TODAY,
    members,
    project,
    reported,
    snapshot_for,
    test_measure,
)


def url(code):
    return reverse("indicators:indicator-detail", args=[code])


def embedded(response, element_id):
    html = response.content.decode()
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no figure {element_id}"
    return json.loads(match.group(1))


def test_anonymous_is_sent_to_login(client, members):
    response = client.get(url("members"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["partner", "other_partner"])
def test_partner_gets_403(role_clients, role, members):
    assert role_clients[role].get(url("members")).status_code == 403


def test_user_without_a_role_gets_403(outsider_client, members):
    assert outsider_client.get(url("members")).status_code == 403


@pytest.mark.parametrize("role", ["admin", "staff", "manager"])
def test_staff_managers_and_admins_open_an_indicator(role_clients, role, members):
    response = role_clients[role].get(url("members"))
    assert response.status_code == 200
    assert "<h1>Alliance members</h1>" in response.content.decode()


def test_unknown_indicator_is_404(staff_client, members):
    assert staff_client.get(url("no-such-indicator")).status_code == 404


def test_history_chart_has_actual_expected_milestones_and_target(staff_client, members):
    MilestoneFactory(indicator=members, date=datetime.date(2024, 12, 31), value=Decimal("50"))
    figure = embedded(staff_client.get(url("members")), "history-figure")
    traces = {trace["name"]: trace for trace in figure["data"]}
    assert set(traces) == {"Actual", "Expected", "Milestones", "Target"}
    assert traces["Actual"]["y"] == [22.0, 30.0]
    assert traces["Actual"]["x"][-1] == TODAY.isoformat()
    assert traces["Expected"]["x"] == ["2022-09-01", "2024-12-31", "2026-08-31"]
    assert traces["Expected"]["y"] == [0.0, 50.0, 200.0]
    assert traces["Milestones"]["y"] == [50.0]
    assert traces["Target"]["y"] == [200.0]


def test_history_has_a_table_of_its_numbers(staff_client, members):
    html = staff_client.get(url("members")).content.decode()
    rows = re.findall(r'<tr><td><time datetime="([\d-]+)">[^<]*</time></td><td class="num">([^<]*)</td>', html)
    assert (TODAY.isoformat(), "30") in rows
    assert ((TODAY - datetime.timedelta(days=31)).isoformat(), "22") in rows


def test_breakdown_embeds_every_dimension_with_a_switch_link(staff_client, members):
    response = staff_client.get(url("members"))
    html = response.content.decode()
    country = embedded(response, "breakdown-figure-country")
    kind = embedded(response, "breakdown-figure-kind")
    assert country["data"][0]["y"] == ["Italy", "Spain"]  # largest part on top: drawn last
    assert country["data"][0]["x"] == [12.0, 18.0]
    assert kind["data"][0]["y"] == ["SME", "VET provider"]
    assert 'href="?dimension=country" data-dimension="country" aria-current="true"' in html
    assert 'href="?dimension=kind" data-dimension="kind">' in html
    assert re.search(r'id="breakdown-kind" data-dimension="kind" hidden', html)
    assert "Organisation kind" in html  # the measure's label for the dimension


def test_dimension_link_selects_that_breakdown_without_javascript(staff_client, members):
    html = staff_client.get(url("members") + "?dimension=kind").content.decode()
    assert 'data-dimension="kind" aria-current="true"' in html
    assert re.search(r'id="breakdown-country" data-dimension="country" hidden', html)
    assert not re.search(r'id="breakdown-kind" data-dimension="kind" hidden', html)


def test_unknown_dimension_falls_back_to_the_first(staff_client, members):
    html = staff_client.get(url("members") + "?dimension=<script>").content.decode()
    assert 'data-dimension="country" aria-current="true"' in html
    assert "<script>" not in html.split("</header>")[1].split('<script id="history-figure"')[0]


def test_breakdown_beyond_25_parts_sums_the_rest_as_other(staff_client, members):
    latest = members.snapshots.latest()
    Breakdown.objects.bulk_create([
        Breakdown(snapshot=latest, dimension="region", key=f"R{n:02}", label=f"Region {n:02}", value=Decimal(100 - n))
        for n in range(30)
    ])
    response = staff_client.get(url("members") + "?dimension=region")
    figure = embedded(response, "breakdown-figure-region")
    labels = figure["data"][0]["y"]
    assert len(labels) == 26 and labels[0] == "Other"
    assert figure["data"][0]["x"][0] == sum(100 - n for n in range(25, 30))
    assert "5 smaller parts summed as “Other”" in response.content.decode()


def test_overlapping_breakdown_says_its_parts_overlap(staff_client, members):
    Breakdown.objects.create(snapshot=members.snapshots.latest(), dimension="eqf", key="4", label="EQF 4",
                             value=Decimal(3), overlapping=True)
    html = staff_client.get(url("members") + "?dimension=eqf").content.decode()
    assert "add up to more than the total" in html


def test_latest_records_newest_first_linked_and_limited_to_ten(staff_client, members):
    organisations = [OrganisationFactory(name=f"Member {n:02}") for n in range(12)]
    for n, organisation in enumerate(organisations):  # created_at is auto_now_add: spread them out
        Organisation.objects.filter(pk=organisation.pk).update(
            created_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=n))
    html = staff_client.get(url("members")).content.decode()
    section = html.split('id="records-title"')[1]
    names = re.findall(r"Member (\d\d)", section)
    assert names == [f"{n:02}" for n in range(11, 1, -1)]
    newest = organisations[-1]
    assert f'href="{reverse("admin:organisations_organisation_change", args=[newest.pk])}"' in section


def test_reported_indicator_lists_its_reports_with_evidence_and_status(staff_client, reported):
    ReportFactory(indicator=reported, organisation=OrganisationFactory(name="TKNIKA"), value=Decimal("12"),
                  evidence_url="https://example.org/list.pdf", status="approved")
    ReportFactory(indicator=reported, organisation=OrganisationFactory(name="AFIL"), value=Decimal("4"),
                  evidence_url="", status="submitted")
    html = staff_client.get(url("students")).content.decode()
    section = html.split('id="reports-title"')[1]
    assert "TKNIKA" in section and "Approved" in section and 'href="https://example.org/list.pdf"' in section
    assert "AFIL" in section and "Submitted" in section
    assert 'id="records-title"' not in html
    for report in reported.reports.all():
        assert f'href="{reverse("indicators:report-detail", args=[report.pk])}"' in section


def test_manager_reports_a_value_from_a_reported_indicator(manager_client, reported):
    html = manager_client.get(url("students")).content.decode()
    assert f'href="{reverse("indicators:report-create")}?indicator=students"' in html


def test_indicator_without_snapshots_still_renders(staff_client, reported):
    response = staff_client.get(url("students"))
    assert response.status_code == 200
    assert "No breakdown yet." in response.content.decode()
    assert embedded(response, "history-figure")["data"]


def test_manager_gets_the_add_action(manager_client, members):
    html = manager_client.get(url("members")).content.decode()
    assert reverse("admin:organisations_organisation_add") + "?next=/indicators/members/" in html


def test_page_loads_plotly_from_the_app_not_a_cdn(staff_client, members):
    html = staff_client.get(url("members")).content.decode()
    assert '<script src="/static/plotly/plotly.min.js" defer></script>' in html
    assert '<script src="/static/indicators/charts.js" defer></script>' in html
    assert not re.search(r'<script[^>]+src="(https?:)?//', html)


def test_plotly_is_served_from_the_installed_package():
    from django.contrib.staticfiles import finders

    found = finders.find("plotly/plotly.min.js")
    assert found and found.endswith("plotly/package_data/plotly.min.js")


# --- cost -----------------------------------------------------------------------

def _grow(indicator, count, prefix, start=40):
    dates = [TODAY - datetime.timedelta(days=start + n) for n in range(count)]
    Snapshot.objects.bulk_create([
        Snapshot(indicator=indicator, date=d, value=Decimal(n % 30), target=indicator.target, expected=Decimal(1),
                 progress=Decimal("0.01"), status="behind")
        for n, d in enumerate(dates)
    ])
    Organisation.objects.bulk_create([Organisation(name=f"{prefix} {n}", country="FR") for n in range(count)])


def _queries(client, path):
    generations.bump(generations.ROLLUP)  # a roll-up: measure the page as its first viewer sees it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_indicator_page_query_count_does_not_grow_with_the_data(staff_client, members):
    _grow(members, 10, "small")
    small = _queries(staff_client, url("members"))
    _grow(members, 10_000, "large", start=100)
    latest = members.snapshots.latest()
    Breakdown.objects.bulk_create([
        Breakdown(snapshot=latest, dimension="organisation", key=str(n), label=f"Org {n}", value=Decimal(1))
        for n in range(500)
    ])
    large = _queries(staff_client, url("members"))
    assert small == large
    # 8, the latest narrative beside the chart, the map's country/region parts, the period selector's periods
    # and the facts recorded after a period's closing
    assert large <= 12


def test_reported_indicator_page_query_count_does_not_grow(staff_client, reported):
    ReportFactory(indicator=reported)
    small = _queries(staff_client, url("students"))
    for _ in range(30):
        ReportFactory(indicator=reported)
    large = _queries(staff_client, url("students"))
    assert small == large <= 10  # 8, the latest narrative beside the chart, the facts recorded after closing


def test_figures_are_built_once_per_rollup_that_changed_them(staff_client, members, monkeypatch):
    from indicators import charts

    built = []
    history_figure = charts.history_figure
    monkeypatch.setattr(charts, "history_figure", lambda *args: built.append(1) or history_figure(*args))
    staff_client.get(url("members"))
    with CaptureQueriesContext(connection) as cached:
        html = staff_client.get(url("members")).content.decode()
    assert len(built) == 1
    assert "history-figure" in html
    assert not any("organisations_organisation" in q["sql"] for q in cached.captured_queries)  # no records query
    generations.bump(generations.ROLLUP)  # a roll-up that changed nothing: the records are read again, the figure kept
    with CaptureQueriesContext(connection) as rebuilt:
        staff_client.get(url("members"))
    assert any("organisations_organisation" in q["sql"] for q in rebuilt.captured_queries)
    assert len(built) == 1
    Snapshot.objects.filter(pk=members.snapshots.latest().pk).update(value=Decimal("31"))
    generations.bump(generations.ROLLUP)
    assert staff_client.get(url("members")).status_code == 200
    assert len(built) == 2


def test_records_saved_show_with_the_next_rollup(staff_client, members):
    from indicators.rollup import rollup_all

    staff_client.get(url("members"))
    OrganisationFactory(name="Newly counted")
    rollup_all(on=TODAY)
    assert "Newly counted" in staff_client.get(url("members")).content.decode()


def test_indicator_page_works_with_the_cache_down(staff_client, members, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    monkeypatch.setattr(cache, "add", down)
    response = staff_client.get(url("members"))
    assert response.status_code == 200
    assert "history-figure" in response.content.decode()


def test_between_rollups_the_page_costs_the_session_the_user_and_the_indicator(staff_client, members):
    cache.clear()
    staff_client.get(url("members"))
    with CaptureQueriesContext(connection) as captured:
        assert staff_client.get(url("members")).status_code == 200
    tables = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in captured.captured_queries]
    # The session is read from the cache when REDIS_URL is set (lcamp.sessions).
    assert [table for table in tables if table != "django_session"] == ["accounts_user", "indicators_indicator"]


def test_each_breakdown_selection_is_cached_on_its_own(staff_client, members):
    first = staff_client.get(url("members") + "?dimension=kind").content.decode()
    second = staff_client.get(url("members") + "?dimension=country").content.decode()
    assert re.search(r'data-dimension="kind" aria-current="true"', first)
    assert re.search(r'data-dimension="country" aria-current="true"', second)
