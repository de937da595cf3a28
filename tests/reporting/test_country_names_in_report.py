"""The period report (XLSX and PDF) names the countries of a breakdown in the reader's language (CLDR), though
the roll-up stored them in English."""

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
