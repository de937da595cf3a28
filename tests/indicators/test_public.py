"""The public page: no login, the public indicators only, aggregates only, cacheable."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import json
import re

from django.urls import reverse

from tests.factories import OrganisationFactory, UserFactory
from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    members,
    observatories,
    project,
    test_measure,
)

PUBLIC = reverse("indicators:public")


def test_anonymous_sees_the_public_indicators_only(client, members, observatories):
    assert members.is_public and not observatories.is_public
    response = client.get(PUBLIC)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alliance members" in html
    assert "Regional observatories" not in html
    assert "30</strong> of <span class=\"target\">200" in html


def test_it_is_cacheable_for_five_minutes(client, members):
    response = client.get(PUBLIC)
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "private" not in response["Cache-Control"]


def test_it_shows_no_breakdown_records_or_names(client, members):
    OrganisationFactory(name="Secret Organisation")
    UserFactory(username="alice", first_name="Alice", last_name="Private")
    html = client.get(PUBLIC).content.decode()
    # The map's country parts (issue 14) are the only breakdown shown; no other dimension, no records.
    for text in ("VET provider", "Secret Organisation", "Alice", "Private", "?next="):
        assert text not in html
    assert "/indicators/members/" not in html  # no links into the login-only pages


def test_it_has_a_map_of_the_first_public_indicator_by_country_with_its_table(client, members):
    html = client.get(PUBLIC).content.decode()
    figure = json.loads(re.search(r'<script id="map-figure" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))
    shaded = figure["data"][1]
    assert shaded["type"] == "choropleth" and shaded["geojson"] == "/static/indicators/europe.geojson"
    assert dict(zip(shaded["locations"], shaded["z"], strict=True)) == {"ES": 18.0, "IT": 12.0}
    assert "Where: Alliance members" in html
    assert "<td>Spain</td><td class=\"num\">18</td>" in html  # the table alternative
    assert 'data-topojson-url="/static/indicators/topojson/"' in html


def test_it_has_a_progress_chart_with_its_table(client, members):
    html = client.get(PUBLIC).content.decode()
    figure = json.loads(re.search(r'<script id="progress-figure" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))
    bars = figure["data"][0]
    assert bars["y"] == ["Alliance members"] and bars["x"] == [15.0]
    assert "<td class=\"num\">15.0%</td>" in html
    assert '<script src="/static/plotly/plotly.min.js" defer></script>' in html


def test_without_public_indicators_it_says_so(client, observatories):
    response = client.get(PUBLIC)
    assert response.status_code == 200
    assert "No indicators are published yet." in response.content.decode()
    assert "plotly.min.js" not in response.content.decode()


def test_logged_in_users_see_it_too_but_only_their_browser_caches_it(partner_client, members):
    response = partner_client.get(PUBLIC)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_it_is_read_only(client, members):
    assert client.post(PUBLIC).status_code == 405


def test_its_cost_is_fixed(client, members, observatories, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # the cards, the timeline, the public narratives
        client.get(PUBLIC)
