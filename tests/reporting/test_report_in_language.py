"""The period report (XLSX and PDF) in the reader's language: the countries of a breakdown named by CLDR though the
roll-up stored them in English, the sheets' and columns' names, the dates."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

pytestmark = pytest.mark.django_db


def test_the_xlsx_breakdowns_name_the_countries_in_swedish(staff_client, period_data, period):
    staff_client.cookies["django_language"] = "sv"
    response = staff_client.get(reverse("reporting:period-report-xlsx", args=[period.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[2]  # the breakdowns
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True)
            if row[0] == "alliance-members" and row[2] in ("ES", "SE")]
    assert {row[2]: row[3] for row in rows} == {"ES": "Spanien", "SE": "Sverige"}


def test_the_pdf_names_the_countries_in_basque(staff_client, period_data, period):
    staff_client.cookies["django_language"] = "eu"
    response = staff_client.get(reverse("reporting:period-report-pdf", args=[period.pk]))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Espainia" in text and "Suedia" in text
    assert "Spain" not in text and "Sweden" not in text


def test_the_xlsx_names_its_sheets_and_columns_and_dates_in_the_readers_language(staff_client, period_data, period):
    from tests.i18n.catalogue import translated

    staff_client.cookies["django_language"] = "sv"
    words = {"Breakdowns": "Fördelningar", ("export column", "dimension"): "dimension (sv)",
             "Figures as of %(date)s": "Siffror per %(date)s", ("export column", "public"): "offentlig"}
    with translated("sv", words):
        response = staff_client.get(reverse("reporting:period-report-xlsx", args=[period.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[2].title == "Fördelningar"
    assert workbook.worksheets[2]["B1"].value == "dimension (sv)"
    assert workbook.worksheets[0]["A2"].value == "Siffror per 29 feb. 2024"  # the period's end, by CLDR
    assert workbook.worksheets[3]["H1"].value == "offentlig"
