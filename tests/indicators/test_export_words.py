"""The indicators' CSV and XLSX speak the reader's language: the columns' names, the status, yes and no."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.i18n.catalogue import translated
from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    members,
    project,
    test_measure,
)
from tests.indicators.test_exports import members_history  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

SWEDISH = {"Code": "kod", "Status": "status (sv)", "Frozen": "låst", "As of": "per", "Behind": "Efter",
           "History": "Historik"}


def swedish_rows(response):
    """A Swedish reader's CSV: ';' between cells (Excel in sv-SE), a BOM first."""
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_names_its_columns_and_statuses_in_swedish(staff_client, members):
    staff_client.cookies["django_language"] = "sv"
    with translated("sv", SWEDISH):
        response = staff_client.get(reverse("indicators:export-csv"))
    rows = swedish_rows(response)
    assert rows[0][0] == "kod" and rows[0][9] == "status (sv)" and rows[0][-1] == "per"
    assert rows[1][0] == "members" and rows[1][9] == "Efter"


def test_the_history_csv_says_yes_and_no_in_the_readers_language(staff_client, members_history):
    staff_client.cookies["django_language"] = "sv"
    with translated("sv", {**SWEDISH, "no": "nej", "yes": "ja"}):
        rows = swedish_rows(staff_client.get(reverse("indicators:export-csv"), {"history": "1"}))
    assert rows[0][-1] == "låst"
    assert [row[-1] for row in rows[1:]] == ["ja", "nej"]  # the earlier month end is frozen


def test_the_xlsx_names_its_columns_and_sheets_in_swedish(staff_client, members):
    staff_client.cookies["django_language"] = "sv"
    with translated("sv", SWEDISH):
        response = staff_client.get(reverse("indicators:export-xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[1] == "Historik"
    assert workbook.worksheets[0]["A1"].value == "kod" and workbook.worksheets[1]["A1"].value == "kod"


def test_in_english_the_columns_keep_their_names(staff_client, members):
    staff_client.cookies["django_language"] = "en"
    rows = list(csv.reader(io.StringIO(staff_client.get(reverse("indicators:export-csv")).content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Code", "Title", "Pillar"]
    machine = staff_client.get(reverse("indicators:export-csv"), {"variant": "machine"}).content.decode()
    assert machine.startswith("code,title,pillar,")
