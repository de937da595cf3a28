"""The scripts' words in the reader's language: Django's JavaScript catalogue (/jsi18n/) on every page, the
pickers' strings through gettext(), and Plotly's own locale file for each language but English."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    members,
    project,
    test_measure,
)

pytestmark = pytest.mark.django_db

PLOTLY_LOCALES = ("es", "eu", "fr", "it", "sv", "fi")


def _static_text(path):
    found = finders.find(path)
    assert found, path
    with open(found, encoding="utf-8") as file:
        return file.read()


@pytest.mark.parametrize("language", ["en", "es", "sv"])
def test_the_javascript_catalogue_answers_in_the_readers_language(client, language):
    client.cookies["django_language"] = language
    response = client.get(reverse("javascript-catalog"), {"language": language})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "django.gettext" in body and "django.ngettext" in body and "django.interpolate" in body
    assert response.has_header("Last-Modified")  # a browser revalidates its copy


def test_every_page_loads_the_catalogue_of_its_language_before_its_scripts(client):
    client.cookies["django_language"] = "fi"
    html = client.get(reverse("login")).content.decode()
    catalogue = f'<script src="{reverse("javascript-catalog")}?language=fi"></script>'
    assert catalogue in html
    later = [match.start() for match in re.finditer(r"<script src=\"/static/", html)]
    assert all(html.index(catalogue) < position for position in later)


@pytest.mark.parametrize(("path", "strings"), [
    ("registers/picker.js", ['gettext("Type to filter the list…")', 'gettext("Filter %(field)s")',
                             'ngettext("%(count)s match", "%(count)s matches", shown)']),
    ("registers/search-picker.js", ['gettext("No match")']),
    ("indicators/charts.js", ['gettext("Download the chart as SVG")', 'gettext("Download the chart as PNG")']),
])
def test_the_scripts_words_go_through_gettext(path, strings):
    source = _static_text(path)
    for string in strings:
        assert string in source
    # No English text set on the page without it (the old literals).
    for literal in ('"No match"', '= "Type to filter', '" matches"', 'name: "Download as SVG"'):
        assert literal not in source.replace(f"gettext({literal})", "")


@pytest.mark.parametrize("language", PLOTLY_LOCALES)
def test_plotlys_locale_file_of_each_language_is_served_by_the_app(client, language):
    source = _static_text(f"indicators/plotly-locales/plotly-locale-{language}.js")
    assert f'name:"{language}"' in source and "Plotly.register(locale)" in source


def test_the_plotly_locales_say_where_they_come_from():
    note = _static_text("indicators/plotly-locales/LICENSE")
    assert "plotly.js 4.1.1" in note and "MIT" in note


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_the_chart_pages_include_plotlys_locale_for_their_language_but_english(client, staff_client, members,
                                                                               language):
    locale_script = f'<script src="/static/indicators/plotly-locales/plotly-locale-{language}.js" defer></script>'
    for page_client, url in ((client, reverse("indicators:public")), (staff_client, reverse("indicators:dashboard")),
                             (staff_client, reverse("indicators:indicator-detail", args=["members"]))):
        page_client.cookies["django_language"] = language
        html = page_client.get(url).content.decode()
        assert "/static/plotly/plotly.min.js" in html, url
        if language == "en":
            assert "plotly-locales" not in html, url
        else:
            # After plotly.js (which it registers with) and before charts.js (which draws).
            assert locale_script in html, url
            assert html.index("plotly.min.js") < html.index(locale_script) < html.index("indicators/charts.js"), url


def test_charts_js_passes_the_pages_language_to_plotly():
    source = _static_text("indicators/charts.js")
    assert 'var language = document.documentElement.lang || "en";' in source
    assert "locale: language" in source
