"""The map of Europe: countries shaded from the country breakdown, a marker per region with coordinates."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from indicators import charts, dashboard
from indicators.models import Breakdown
from organisations.models import Region
from tests.factories import RegionFactory
from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    members,
    project,
    test_measure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_regions(members):
    """The members' latest snapshot gets a region breakdown: two regions placed, one without coordinates."""
    basque = RegionFactory(code="ES21", name="País Vasco", country="ES", latitude=Decimal("43.263"),
                           longitude=Decimal("-2.935"))
    lombardy = RegionFactory(code="ITC4", name="Lombardia", country="IT", latitude=Decimal("45.464"),
                             longitude=Decimal("9.19"))
    unplaced = RegionFactory(code="ES30", name="Madrid", country="ES")
    latest = members.snapshots.order_by("-date").first()
    Breakdown.objects.bulk_create([
        Breakdown(snapshot=latest, dimension="region", key=str(basque.pk), label="País Vasco", value=Decimal(10)),
        Breakdown(snapshot=latest, dimension="region", key=str(lombardy.pk), label="Lombardia", value=Decimal(12)),
        Breakdown(snapshot=latest, dimension="region", key=str(unplaced.pk), label="Madrid", value=Decimal(8)),
    ])
    return latest


def test_map_figure_has_the_countries_and_the_placed_regions(with_regions):
    figure = charts.figure_data(charts.map_figure(dashboard.map_data(with_regions), "members"))
    base, shaded, markers = figure["data"]
    assert base["hoverinfo"] == "skip" and set(base["locations"]) >= {"ES", "IT", "FR", "SE", "TR", "UA"}
    assert dict(zip(shaded["locations"], shaded["z"], strict=True)) == {"ES": 18.0, "IT": 12.0}
    assert shaded["featureidkey"] == "properties.iso_a2" and shaded["geojson"] == "/static/indicators/europe.geojson"
    assert markers["type"] == "scattergeo"
    assert markers["text"] == ["Lombardia", "País Vasco"]  # largest first; Madrid has no coordinates
    assert markers["lat"] == [45.464, 43.263] and markers["lon"] == [9.19, -2.935]
    assert figure["layout"]["geo"]["visible"] is False  # no base map from anywhere: only the shapes given


def test_europe_geojson_has_every_country_once():
    countries = charts.europe_countries()
    assert len(countries) == len(set(countries)) == 50
    assert {"ES", "MT", "XK", "CY", "IS", "TR"} <= set(countries)


def test_indicator_page_has_the_map_and_its_table(staff_client, with_regions):
    html = staff_client.get(reverse("indicators:indicator-detail", args=["members"])).content.decode()
    figure = json.loads(re.search(r'<script id="map-figure" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))
    assert [trace["type"] for trace in figure["data"]] == ["choropleth", "choropleth", "scattergeo"]
    assert 'data-topojson-url="/static/indicators/topojson/"' in html
    table = html[html.index('id="map-table"'):]
    assert "<td>Lombardia</td>" in table and "<td>Spain</td>" in table


def test_indicator_without_country_or_region_breakdown_has_no_map(staff_client, members):
    Breakdown.objects.filter(dimension="country").delete()
    html = staff_client.get(reverse("indicators:indicator-detail", args=["members"])).content.decode()
    assert 'id="map-figure"' not in html


@pytest.mark.parametrize(("latitude", "longitude", "field"), [
    (Decimal("91"), Decimal("0"), "latitude"),
    (Decimal("0"), Decimal("-181"), "longitude"),
    (Decimal("43"), None, "longitude"),
])
def test_region_coordinates_are_validated(latitude, longitude, field):
    region = Region(code="ES21", name="País Vasco", country="ES", level=2, latitude=latitude, longitude=longitude)
    with pytest.raises(ValidationError) as error:
        region.full_clean()
    assert field in error.value.message_dict


def test_database_refuses_a_latitude_out_of_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="ES21", name="País Vasco", country="ES", level=2, latitude=Decimal("95"),
                              longitude=Decimal("0"))


def test_seeded_regions_have_coordinates():
    from lcamp.reference import seed_reference_data

    seed_reference_data()
    assert not Region.objects.filter(latitude__isnull=True).exists()
    assert Region.objects.get(code="ES21").latitude == Decimal("43.26300")
