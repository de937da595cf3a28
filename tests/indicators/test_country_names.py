"""Countries are named by CLDR in the reader's language wherever a breakdown shows them, whatever label the
roll-up stored (in English, in the worker): the dashboard, an indicator's page, the map, /public/ and the
CSV of each chart."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import csv
import datetime
import io
import json
import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import translation

from indicators.dashboard import breakdown_dimensions, part_label
from indicators.models import Breakdown, Indicator, Report, Snapshot
from indicators.registry import registry
from indicators.rollup import backfill
from organisations.labels import country_choices
from tests.factories import AllianceMemberFactory, IndicatorFactory, OrganisationFactory, ReportFactory
from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    members,
    project,
    test_measure,
)

pytestmark = pytest.mark.django_db


def _in(client, language):
    client.cookies["django_language"] = language
    return client


def _csv_links(html):
    """The rows of every chart's CSV (``data:`` links) on the page, read as the reader's Excel reads them
    (the page's language writes ';' and decimal commas but in English)."""
    delimiter = "," if '<html lang="en"' in html else ";"
    return [list(csv.reader(io.StringIO(unquote(link).lstrip("\ufeff")), delimiter=delimiter))
            for link in re.findall(r'href="data:text/csv;charset=utf-8,([^"]*)"', html)]


def test_the_dashboard_names_the_countries_in_basque(staff_client, members):
    html = _in(staff_client, "eu").get(reverse("indicators:dashboard")).content.decode()
    assert "Espainia" in html and "Italia" in html
    assert "Spain" not in html  # the label the roll-up stored
    # The country filter, the table by place and the map's table.
    assert '<option value="ES">Espainia</option>' in html
    assert "<td>Espainia</td>" in html
    rows = [row for table in _csv_links(html) for row in table]
    assert any(row[1:] == ["Espainia", "Italia"] for row in rows)  # the table by place's header
    assert not any("Spain" in cell for row in rows for cell in row)


def test_the_dashboard_scoped_to_a_country_names_it_in_swedish(staff_client, members):
    html = _in(staff_client, "sv").get(reverse("indicators:dashboard"), {"country": "ES"}).content.decode()
    assert "Spanien" in html and "Spain" not in html


def test_the_indicator_page_breakdown_table_chart_and_csv_name_the_countries_in_swedish(staff_client, members):
    html = _in(staff_client, "sv").get(reverse("indicators:indicator-detail", args=["members"])).content.decode()
    assert "<td>Spanien</td>" in html and "Italien" in html
    assert "Spain" not in html and "Italy" not in html
    figure = json.loads(re.search(r'<script id="breakdown-figure-country" type="application/json">(.*?)</script>',
                                  html, re.S).group(1))
    assert "Spanien" in json.dumps(figure, ensure_ascii=False)
    assert ["Spanien", "18,00"] in [row for table in _csv_links(html) for row in table]


def test_the_public_page_and_its_map_name_the_countries_in_basque(client, members):
    html = _in(client, "eu").get(reverse("indicators:public")).content.decode()
    assert '<td>Espainia</td><td class="num">18</td>' in html
    figure = json.loads(re.search(r'<script id="map-figure" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))
    shaded = figure["data"][1]
    assert dict(zip(shaded["locations"], shaded["text"], strict=True)) == {"ES": "Espainia", "IT": "Italia"}
    assert "Spain" not in html


def test_the_same_page_in_english_keeps_the_english_names(client, members):
    html = _in(client, "en").get(reverse("indicators:public")).content.decode()
    assert "<td>Spain</td>" in html and "Espainia" not in html


def test_a_rolled_up_breakdown_by_country_is_named_in_the_readers_language(lcamp_indicators):
    AllianceMemberFactory(organisation=OrganisationFactory(name="Tknika", country="ES"),
                          joined_on=datetime.date(2024, 1, 15))
    AllianceMemberFactory(organisation=OrganisationFactory(name="Curt Nicolin", country="SE"),
                          joined_on=datetime.date(2024, 2, 1))
    backfill(start=datetime.date(2024, 3, 1), end=datetime.date(2024, 3, 31))
    indicator = lcamp_indicators["alliance-members"]
    snapshot = Snapshot.objects.filter(indicator=indicator).latest("date")
    # The worker stores English.
    assert set(Breakdown.objects.filter(snapshot=snapshot, dimension="country").values_list("label", flat=True)) \
        == {"Spain", "Sweden"}
    measure = registry.for_indicator(indicator)
    for language, names in (("eu", {"Espainia", "Suedia"}), ("sv", {"Spanien", "Sverige"}),
                            ("fi", {"Espanja", "Ruotsi"})):
        with translation.override(language):
            country = next(d for d in breakdown_dimensions(snapshot, measure) if d.name == "country")
            assert {part.label for part in country.parts} == names


def test_a_reported_indicators_countries_have_no_measure_and_are_named_all_the_same(project):
    indicator = IndicatorFactory(project=project, code="hours", source=Indicator.Source.REPORTED,
                                 target=Decimal(100))
    ReportFactory(indicator=indicator, organisation=OrganisationFactory(country="FR"), value=Decimal(5),
                  as_of=datetime.date(2024, 3, 10), status=Report.Status.APPROVED)
    backfill(start=datetime.date(2024, 3, 1), end=datetime.date(2024, 3, 31))
    snapshot = Snapshot.objects.filter(indicator=indicator).latest("date")
    assert Breakdown.objects.get(snapshot=snapshot, dimension="country").label == "France"
    with translation.override("eu"):
        country = next(d for d in breakdown_dimensions(snapshot, None) if d.name == "country")
    assert [part.label for part in country.parts] == ["Frantzia"]


@pytest.mark.parametrize(("dimension", "key", "label", "expected"), [
    ("country", "ES", "Spain", "Espainia"),
    ("counterpart_country", "SE", "Sweden", "Suedia"),
    ("country", "ZZZ", "Somewhere", "Somewhere"),  # not an ISO code: the stored label
    ("country", "Q1", "Q1 label", "Q1 label"),  # two characters, not letters
    ("country", "", "Not given", "Not given"),  # no country ("Not given" in the reader's language)
    ("region", "ES", "ES21 País Vasco", "ES21 País Vasco"),  # not a country dimension: as stored
])
def test_part_label_of_a_country_dimension(dimension, key, label, expected):
    with translation.override("eu"):
        assert part_label(dimension, key, label) == translation.gettext(expected)


def test_country_choices_are_cldr_names_sorted_by_letter_whatever_the_accents():
    with translation.override("sv"):
        names = [name for _, name in country_choices()]
        assert dict(country_choices())["ES"] == "Spanien"
    assert names.index("Åland") < names.index("Albanien")  # Å with the A's, accents aside
    with translation.override("eu"):
        assert dict(country_choices())["DE"] == "Alemania"
        assert dict(country_choices())["ES"] == "Espainia"
