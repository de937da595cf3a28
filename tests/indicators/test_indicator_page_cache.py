"""An indicator's page and the indicator workbook, cached: the content is built once per roll-up and
generation of the records it shows and role, and only the page around it is rendered per request; a roll-up, a
record change or another role never sees a stale or someone else's page."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.models import Snapshot
from registers import generations
from tests.factories import OrganisationFactory, ReportFactory
from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    members,
    observatories,
    project,
    reported,
    test_measure,
)


@pytest.fixture(autouse=True)
def _page_cache(settings):
    """The page cache is off in the other tests (their query counts measure the work)."""
    settings.PAGE_CACHE = True
    cache.clear()


def page(indicator):
    return reverse("indicators:indicator-detail", args=[indicator.code])


def tables(captured):
    return {match.group(1) for q in captured.captured_queries for match in [re.search(r'FROM "(\w+)"', q["sql"])]
            if match}


def main(response):
    assert response.status_code == 200
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def test_a_cached_indicator_page_reads_neither_the_indicator_nor_its_snapshots(staff_client, members):
    first = staff_client.get(page(members))
    with CaptureQueriesContext(connection) as again:
        second = staff_client.get(page(members))
    assert main(second) == main(first)
    assert "<title>Alliance members" in second.content.decode()
    assert not {t for t in tables(again) if t.startswith("indicators_")}


def test_a_rollup_shows_at_once_on_the_cached_page(staff_client, members):
    assert '<strong class="value">30</strong>' in main(staff_client.get(page(members)))
    Snapshot.objects.filter(pk=members.snapshots.latest().pk).update(value=Decimal("31"), computed_at=timezone.now())
    generations.bump(generations.ROLLUP)  # what the roll-up calls when it writes snapshots
    assert '<strong class="value">31</strong>' in main(staff_client.get(page(members)))


def test_an_edited_indicator_shows_at_once(staff_client, members):
    assert "Alliance members" in main(staff_client.get(page(members)))
    members.title = "Members of the Alliance"
    members.save()
    response = staff_client.get(page(members))
    assert "<title>Members of the Alliance" in response.content.decode()
    assert "Members of the Alliance" in main(response)


def test_a_new_report_shows_at_once(manager_client, reported):
    assert "No reports yet." in main(manager_client.get(page(reported)))
    ReportFactory(indicator=reported, organisation=OrganisationFactory(name="Reporting College"))
    content = main(manager_client.get(page(reported)))
    assert "Reporting College" in content and "No reports yet." not in content


def test_a_managers_cached_page_is_not_shown_to_staff(manager_client, staff_client, members):
    assert "Add a record" in main(manager_client.get(page(members)))
    assert "Add a record" not in main(staff_client.get(page(members)))
    assert "Add a record" in main(manager_client.get(page(members)))


def test_an_unknown_indicator_is_404_every_time(staff_client, members):
    for _ in range(2):
        assert staff_client.get("/indicators/no-such-thing/").status_code == 404


def test_the_page_works_with_the_cache_down(staff_client, members, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    monkeypatch.setattr(cache, "add", down)
    assert '<strong class="value">30</strong>' in main(staff_client.get(page(members)))


def test_a_malformed_period_or_breakdown_gives_todays_page(staff_client, members):
    today = main(staff_client.get(page(members)))
    for query in ("?period=abc", "?period=99999999999999999999", "?dimension=<script>", "?country=spain"):
        response = staff_client.get(page(members) + query)
        assert response.status_code == 200
        assert '<strong class="value">30</strong>' in main(response)
    assert "<script>" not in today


def test_a_cached_workbook_reads_no_snapshot(staff_client, members, observatories):
    url = reverse("indicators:export-xlsx")
    first = staff_client.get(url)
    with CaptureQueriesContext(connection) as again:
        second = staff_client.get(url)
    assert second.status_code == 200 and second.content == first.content
    assert not {t for t in tables(again) if t.startswith("indicators_")}
    Snapshot.objects.filter(pk=members.snapshots.latest().pk).update(value=Decimal("31"), computed_at=timezone.now())
    generations.bump(generations.ROLLUP)
    assert staff_client.get(url).content != first.content
