"""A CSV export opens as columns in the reader's spreadsheet (issue 23): ``;`` and decimal commas for a
Spanish reader (Excel as in es-ES), ``,`` and decimal points in English, a BOM, headers in the reader's
language; ``?variant=`` overrides it either way; ``?variant=machine`` has stable column codes for scripts.

"A spreadsheet parser configured as Excel does for es-ES" is Python's csv reader with ``;`` and Babel's
``parse_decimal(…, locale="es_ES")``."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import csv
import io
import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from babel.numbers import NumberFormatError, parse_decimal
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from indicators import exports as indicator_exports
from organisations.models import Region
from registers import csvformat, tasks
from registers.models import Job
from registers.registry import REGISTER_PAGES
from tests.factories import IndicatorFactory, OrganisationFactory, RegionFactory
from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    members,
    project,
    test_measure,
)

pytestmark = pytest.mark.django_db
BOM = b"\xef\xbb\xbf"
REGIONS = reverse("organisations:region-export-csv")
ORGANISATIONS = reverse("organisations:organisation-export-csv")
INDICATORS = reverse("indicators:export-csv")


def content_of(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content) if response.streaming else response.content


def as_excel_es(content):
    """The rows as Excel set for es-ES reads the file: UTF-8 with its BOM, ``;`` between cells."""
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def es_number(text):
    return parse_decimal(text, locale="es_ES", strict=True)


@pytest.fixture
def regions():
    RegionFactory(code="ES21", name="País Vasco", country="ES", latitude=Decimal("43.26"),
                  longitude=Decimal("-2.93"))
    RegionFactory(code="ITC4", name="Lombardia; Milano", country="IT", latitude=Decimal("45.5"),
                  longitude=Decimal("9.25"))


def test_a_spanish_readers_export_opens_as_columns_with_decimal_commas(manager_client, regions):
    content = content_of(manager_client.get(REGIONS, HTTP_ACCEPT_LANGUAGE="es"))
    rows = as_excel_es(content)
    header = rows[0]
    with translation.override("es"):
        labels = REGISTER_PAGES["organisations:region"].export_labels()
    assert header == [labels[code] for code, _ in REGISTER_PAGES["organisations:region"].export_columns()]
    assert {"Código", "Nombre", "Latitud", "Longitud"} <= set(header)  # in Spanish
    assert all(len(row) == len(header) for row in rows)  # columns, not one cell per line
    basque = next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[header.index("Código")] == "ES21")
    assert basque["Latitud"] == "43,26000" and es_number(basque["Latitud"]) == Decimal("43.26")
    assert basque["Longitud"] == "-2,93000" and es_number(basque["Longitud"]) == Decimal("-2.93")
    milano = next(row for row in rows[1:] if row[header.index("Código")] == "ITC4")
    assert milano[header.index("Nombre")] == "Lombardia; Milano"  # a ';' in a cell stays in its cell


def test_an_english_readers_export_has_commas_and_decimal_points(manager_client, regions):
    content = content_of(manager_client.get(REGIONS, HTTP_ACCEPT_LANGUAGE="en"))
    assert content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header = rows[0]
    assert {"Code", "Name", "Latitude", "Longitude"} <= set(header) and all(len(r) == len(header) for r in rows)
    basque = next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[0] != "" and "ES21" in row)
    assert basque["Latitude"] == "43.26000" and basque["Longitude"] == "-2.93000"
    with pytest.raises(NumberFormatError):  # not what Excel for es-ES would read
        es_number("43.26000")


@pytest.mark.parametrize("language, variant, delimiter, number", [
    ("es", "comma", ",", "43.26000"),
    ("en", "semicolon", ";", "43,26000"),
    ("es", "semicolon", ";", "43,26000"),
    ("fi", "auto", ";", "43,26000"),
    ("en", "AUTO", ",", "43.26000"),
])
def test_the_variant_overrides_the_language_either_way(manager_client, regions, language, variant, delimiter,
                                                        number):
    content = content_of(manager_client.get(REGIONS, {"variant": variant}, HTTP_ACCEPT_LANGUAGE=language))
    assert content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))
    assert len(rows[0]) == len(REGISTER_PAGES["organisations:region"].export_columns())
    assert any(number in row for row in rows[1:])
    with translation.override(language):  # the headers stay in the reader's language
        assert rows[0][rows[0].index(str(Region._meta.get_field("name").verbose_name).capitalize())]


# The column codes of the variant for scripts: a script reads them, whatever the language. Changing one
# breaks the scripts: add a column rather than rename one (docs/csv.md).
REGION_CODES = ["id", "code", "nuts_version", "name", "country", "level", "is_nuts", "latitude", "longitude"]
ORGANISATION_CODES = ["name", "acronym", "kind", "country", "region", "city", "website", "erasmus_oid", "pic",
                      "is_consortium_partner"]
INDICATOR_CODES = ["code", "title", "pillar", "unit", "baseline", "target", "value", "expected",
                   "progress_percent", "status", "forecast", "as_of"]
INDICATOR_HISTORY_CODES = ["code", "date", "value", "target", "expected", "progress_percent", "status", "frozen"]


@pytest.mark.parametrize("language", ["en", "es", "eu", "sv"])
def test_the_machine_variant_has_stable_codes_points_and_no_bom(manager_client, regions, language):
    content = content_of(manager_client.get(REGIONS, {"variant": "machine"}, HTTP_ACCEPT_LANGUAGE=language))
    assert not content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert rows[0] == REGION_CODES
    basque = next(dict(zip(rows[0], row, strict=True)) for row in rows[1:] if "ES21" in row)
    assert basque["latitude"] == "43.26000" and basque["longitude"] == "-2.93000"
    assert basque["is_nuts"] in ("yes", "no")
    organisations = content_of(manager_client.get(ORGANISATIONS, {"variant": "machine"},
                                                  HTTP_ACCEPT_LANGUAGE=language))
    assert next(csv.reader(io.StringIO(organisations.decode("utf-8")))) == ORGANISATION_CODES


def test_the_indicator_codes_are_pinned():
    assert indicator_exports.CODES == INDICATOR_CODES
    assert indicator_exports.HISTORY_CODES == INDICATOR_HISTORY_CODES
    with translation.override("es"):
        assert len(indicator_exports.labels()) == len(INDICATOR_CODES)
        assert len(indicator_exports.history_labels()) == len(INDICATOR_HISTORY_CODES)


@pytest.mark.parametrize("url", [REGIONS, INDICATORS, INDICATORS + "?history=1"])
@pytest.mark.parametrize("variant", ["excel", "tab", "", "machine;", "x" * 300])
def test_an_unknown_variant_is_a_400_naming_the_valid_ones(staff_client, manager_client, regions, url, variant):
    if variant == "":  # empty: the default
        assert manager_client.get(url, {"variant": variant}).status_code == 200
        return
    response = manager_client.get(url, {"variant": variant}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    text = response.content.decode()
    assert all(name in text for name in csvformat.VARIANTS) and len(text) < 300
    assert "text/plain" in response["Content-Type"] and "attachment" not in response.get("Content-Disposition", "")


def test_an_unknown_variant_starts_no_job(manager_client, regions, settings):
    settings.EXPORT_ASYNC_ROWS = 0
    assert manager_client.get(REGIONS, {"variant": "excel"}).status_code == 400
    assert not Job.objects.exists()


def test_the_variant_is_ignored_by_the_xlsx(manager_client, regions):
    response = manager_client.get(reverse("organisations:region-export-xlsx"), {"variant": "bogus"})
    assert response.status_code == 200 and response.content.startswith(b"PK")


def test_formulas_are_still_neutralised_in_the_semicolon_variant(manager_client):
    OrganisationFactory(name="=HYPERLINK(\"http://evil\";\"x\")", acronym="-2", city="@SUM(A1)", website="")
    OrganisationFactory(name="+cmd|' /C calc'!A0", acronym="ok")
    rows = as_excel_es(content_of(manager_client.get(ORGANISATIONS, HTTP_ACCEPT_LANGUAGE="es")))
    cells = {cell for row in rows[1:] for cell in row}
    assert {"'=HYPERLINK(\"http://evil\";\"x\")", "'-2", "'@SUM(A1)", "'+cmd|' /C calc'!A0"} <= cells
    assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells)


def test_a_large_export_job_keeps_the_requests_variant_and_language(
        manager_client, regions, settings, django_capture_on_commit_callbacks):
    """The request in Spanish starts the job; the worker (whose language is the default) writes the
    Spanish reader's file: the language and the variant go with the job."""
    settings.EXPORT_ASYNC_ROWS = 1
    with django_capture_on_commit_callbacks(execute=False):  # the worker runs it later, below
        response = manager_client.get(REGIONS, HTTP_ACCEPT_LANGUAGE="es")
    job = Job.objects.get()
    assert response.status_code == 302
    assert job.params["language"] == "es" and job.params["variant"] == "semicolon"
    with translation.override("en"):
        tasks.export_task(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    with job.file.open("rb") as file:
        rows = as_excel_es(file.read())
    assert {"Código", "Latitud"} <= set(rows[0])
    basque = next(row for row in rows[1:] if "ES21" in row)
    assert es_number(basque[rows[0].index("Latitud")]) == Decimal("43.26")

    # Asked for the variant for scripts in Spanish: codes, points, no BOM.
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.get(REGIONS, {"variant": "machine"}, HTTP_ACCEPT_LANGUAGE="es")
    machine = Job.objects.exclude(pk=job.pk).get()
    assert machine.params["variant"] == "machine" and machine.status == Job.Status.DONE, machine.message
    with machine.file.open("rb") as file:
        content = file.read()
    assert not content.startswith(BOM)
    assert content.decode("utf-8").splitlines()[0] == ",".join(REGION_CODES)


def test_a_job_queued_without_a_variant_writes_the_machine_variant(manager_user, regions, settings):
    from registers import jobs

    settings.CELERY_TASK_ALWAYS_EAGER = True
    job = jobs.job_start(kind=Job.Kind.EXPORT, subject="organisations:region", title="Regions", user=manager_user,
                         task=tasks.export_task, total=2,
                         params={"query": "", "list_url": "/registers/regions/", "format": "csv"})
    tasks.export_task(job.pk)
    job.refresh_from_db()
    with job.file.open("rb") as file:
        assert file.read().decode("utf-8").splitlines()[0] == ",".join(REGION_CODES)


def test_a_spanish_export_imports_back(manager_client, manager_user, regions):
    """The file a Spanish reader exports (Spanish headers, decimal commas) is the import's file too."""
    content = content_of(manager_client.get(REGIONS, HTTP_ACCEPT_LANGUAGE="es"))
    Region.objects.all().delete()
    url = REGISTER_PAGES["organisations:region"].url("import")
    preview = manager_client.post(url, {"file": SimpleUploadedFile("regiones.csv", content)},
                                  HTTP_ACCEPT_LANGUAGE="es")
    assert preview.status_code == 200 and not preview.context.get("bad_rows"), (
        preview.context.get("bad_rows"), preview.context["form"].errors)
    assert manager_client.post(url, {"token": preview.context["token"]}).status_code == 302
    basque = Region.objects.get(code="ES21")
    assert basque.latitude == Decimal("43.26") and basque.longitude == Decimal("-2.93")
    assert Region.objects.get(code="ITC4").name == "Lombardia; Milano"


def test_numbers_are_never_grouped_and_never_in_exponent_notation():
    semicolon, comma, machine = (csvformat.dialect(v) for v in ("semicolon", "comma", "machine"))
    assert semicolon.number(Decimal("1234.5")) == "1234,5" and comma.number(Decimal("1234.5")) == "1234.5"
    assert semicolon.number(1234567) == "1234567" and machine.number(Decimal("1E+3")) == "1000"
    assert semicolon.number(0.1) == "0,1" and semicolon.number(-1234.25) == "-1234,25"
    assert semicolon.cell(True) == "yes" and semicolon.cell(None) == ""
    assert es_number(semicolon.number(Decimal("1234567.89"))) == Decimal("1234567.89")


def test_the_indicator_export_in_spanish(staff_client, members, project):
    IndicatorFactory(project=project, code="big", title="Big", target=Decimal("1234.5"))
    rows = as_excel_es(content_of(staff_client.get(INDICATORS, HTTP_ACCEPT_LANGUAGE="es")))
    header = rows[0]
    with translation.override("es"):
        assert header == indicator_exports.labels()
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["big"][5] == "1234,50" and es_number(by_code["big"][5]) == Decimal("1234.5")  # not 1.234,50
    assert es_number(by_code["members"][6]) == 30 and es_number(by_code["members"][8]) == Decimal("15.0")
    english = content_of(staff_client.get(INDICATORS, {"variant": "comma"}, HTTP_ACCEPT_LANGUAGE="es"))
    assert "1234.50" in english.decode("utf-8-sig") and english.decode("utf-8-sig").count(";") == 0


def test_a_charts_csv_is_in_the_readers_variant(staff_client, members):
    def links(language):
        html = staff_client.get("/indicators/members/", {"country": "ES"},
                                HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return dict((name, href) for href, name in
                    re.findall(r'<a href="(data:text/csv[^"]+)" download="([^"]+)"', html))

    spanish = unquote(links("es")["lcamp-members-by-country.csv"].split(",", 1)[1])
    assert spanish.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(spanish[1:]), delimiter=";"))
    assert [row[1] for row in rows] == ["Valor", "18,00", "12,00"]
    assert es_number(rows[1][1]) == 18
    english = unquote(links("en")["lcamp-members-by-country.csv"].split(",", 1)[1])
    assert list(csv.reader(io.StringIO(english[1:])))[1][1] == "18.00"


def test_the_lists_and_the_dashboard_offer_the_variants_with_their_filters(manager_client, staff_client, regions,
                                                                          members):
    page = manager_client.get(reverse("organisations:region-list"), {"q": "ES21"}).content.decode()
    for variant in ("semicolon", "comma", "machine"):
        assert f'href="{REGIONS}?q=ES21&amp;variant={variant}"' in page
    assert manager_client.get(f"{REGIONS}?q=ES21&variant=machine").status_code == 200
    unfiltered = manager_client.get(reverse("organisations:region-list")).content.decode()
    assert f'href="{REGIONS}?variant=semicolon"' in unfiltered
    spanish = manager_client.get(reverse("organisations:region-list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'class="csv-variants"' in spanish
    dashboard = staff_client.get("/", {"country": "ES"}).content.decode()
    assert f'href="{INDICATORS}?country=ES&amp;variant=machine"' in dashboard
