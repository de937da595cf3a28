"""The map of Europe in a real browser: drawn from the app's own GeoJSON and base map, with
no request leaving the loopback (plotly.js would fetch its base map from a CDN otherwise)."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    """The role groups come from a data migration, which the flush after a transactional test removes."""
    from django.contrib.auth.models import Group

    from accounts.roles import ROLES

    for name in ROLES:
        Group.objects.get_or_create(name=name)


def _watch(page):
    """Every URL the page requests (data: and blob: URLs aside), and the console errors."""
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return requests, errors


def _outside(requests):
    return [url for url in requests if urlsplit(url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(url).hostname not in LOOPBACK]


def _drawn_map(page):
    page.locator("#map-chart svg.main-svg").first.wait_for()
    page.locator("#map-chart path.choroplethlocation").first.wait_for()
    return page.locator("#map-chart path.choroplethlocation").count()


@pytest.mark.parametrize("code", ["observatories", "alliance-members"])
def test_indicator_map_draws_countries_and_regions_without_leaving_the_loopback(demo_site, page, login, code):
    requests, errors = _watch(page)
    login(page, "staff")
    page.goto(f"/indicators/{code}/")
    assert _drawn_map(page) > 50  # the grey countries and the shaded ones
    page.locator("#map-chart .scattergeo path.point").first.wait_for()
    assert page.locator("#map-chart .scattergeo path.point").count() >= 1  # region markers
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/static/indicators/europe.geojson") for url in requests)
    assert _outside(requests) == []
    assert not [e for e in errors if "topojson" in e.lower() or "geojson" in e.lower()]
    page.click("#map-table summary")
    assert page.locator("#map-table td").first.is_visible()


def test_public_map_draws_without_leaving_the_loopback(demo_site, page):
    requests, errors = _watch(page)
    page.goto("/public/")
    assert page.locator("#map-title").inner_text().startswith("Where:")
    assert _drawn_map(page) > 50
    page.wait_for_load_state("networkidle")
    assert _outside(requests) == []
    assert not [e for e in errors if "topojson" in e.lower()]
