"""The funder-ready report of a period: PDF and XLSX with the same figures."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import narratives, periods, report
from tests.indicators.conftest import MEASURE_CODES

pytestmark = pytest.mark.django_db


def _pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return reader, [page.extract_text() for page in reader.pages]


@pytest.fixture
def titled(period_data):
    titles = {"alliance-members": "Members of the LCAMP Alliance", "mous": "Memoranda of understanding"}
    for code, indicator in period_data.items():
        indicator.title = titles.get(code, f"Indicator {code}")
        indicator.save()
    return period_data


def test_the_pdf_has_the_eight_indicators_values_narratives_and_page_numbers(staff_client, manager_user, titled,
                                                                             period):
    narratives.narrative_save(indicator=titled["alliance-members"], period=period, user=manager_user,
                              data={"what_happened": "Two VET centres joined the Alliance.",
                                    "next_steps": "An open call in March."})
    response = staff_client.get(reverse("reporting:period-report-pdf", args=[period.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader, pages = _pdf_text(response.content)
    text = "\n".join(pages)
    for code in MEASURE_CODES:
        assert titled[code].title in text
    assert "Two VET centres joined the Alliance." in text and "An open call in March." in text
    # Every page: its number, the generated-at date and the period's state.
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Generated" in page
        assert "Open — figures may still change" in page
    # The value at the period's end (2 members; the third joined after it) in the summary table.
    summary = next(page for page in pages if "Summary: the indicators" in page)
    # value 2, change +2, milestone 60 due in the period (the title may wrap)
    assert re.search(r"LCAMP\s+Alliance\s+2 \+2 60 by 31 Dec", summary)
    # The annex lists the counted records with their dates.
    assert "Ikaslan" in text and "15 Jan 2023" in text and "Late joiner" not in text


def test_a_closed_period_says_frozen_on_every_page(staff_client, manager_user, titled, period):
    periods.period_review(period=period, user=manager_user)
    periods.period_close(period=period, user=manager_user)
    _, pages = _pdf_text(staff_client.get(reverse("reporting:period-report-pdf", args=[period.pk])).content)
    assert all("Closed — figures frozen" in page for page in pages)


def test_the_xlsx_has_the_same_figures_as_sheets(staff_client, manager_user, titled, period):
    narratives.narrative_save(indicator=titled["alliance-members"], period=period, user=manager_user,
                              data={"why": "=HYPERLINK(\"http://evil\")"})
    response = staff_client.get(reverse("reporting:period-report-xlsx", args=[period.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "History", "Breakdowns", "Narratives", "Partner narratives",
                                   "Counted records", "Recorded after closing"]
    summary = {row[0]: row for row in workbook["Summary"].iter_rows(min_row=4, values_only=True)}
    assert set(summary) == set(MEASURE_CODES)
    assert summary["alliance-members"][3] == 2
    narrative = list(workbook["Narratives"].iter_rows(min_row=2, values_only=True))
    assert narrative[0][3] == "'=HYPERLINK(\"http://evil\")"   # never run as a formula
    records = [row for row in workbook["Counted records"].iter_rows(min_row=2, values_only=True)
               if row[0] == "alliance-members"]
    assert len(records) == 2
    history = [row for row in workbook["History"].iter_rows(min_row=2, values_only=True)
               if row[0] == "alliance-members"]
    assert history and all(row[1].date() <= period.end_on for row in history)


def test_the_report_is_cached_per_period_version(staff_client, manager_user, titled, period, monkeypatch):
    calls = []
    real = report.RENDERERS["xlsx"]
    monkeypatch.setitem(report.RENDERERS, "xlsx", lambda p, progress=None: calls.append(1) or real(p))
    url = reverse("reporting:period-report-xlsx", args=[period.pk])
    staff_client.get(url)
    staff_client.get(url)
    assert len(calls) == 1
    narratives.narrative_save(indicator=titled["mous"], period=period, user=manager_user, data={"why": "New"})
    staff_client.get(url)
    assert len(calls) == 2


@pytest.mark.parametrize(("role", "expected"), [("partner", 403), ("other_partner", 403), ("anonymous", 302),
                                                ("manager", 200), ("admin", 200)])
def test_only_staff_and_managers_download_the_report(role_clients, titled, period, role, expected):
    response = role_clients[role].get(reverse("reporting:period-report-xlsx", args=[period.pk]))
    assert response.status_code == expected


def test_a_large_report_is_built_by_a_worker_with_progress(staff_client, titled, period, settings, monkeypatch):
    from reporting import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REPORT_ASYNC_RECORDS = 1
    queued = []
    monkeypatch.setattr(tasks.period_report_task, "delay", lambda *args: queued.append(args))
    url = reverse("reporting:period-report-pdf", args=[period.pk])
    response = staff_client.get(url)
    assert response.status_code == 202
    assert "Preparing the PDF report" in response.content.decode()
    staff_client.get(url)
    assert queued == [(period.pk, "pdf", "en")]          # queued once, in the reader's language
    tasks.period_report_task.run(period.pk, "pdf", "en")  # what the worker does
    response = staff_client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_size_of_a_report_is_its_records_not_its_values(staff_client, titled, period, settings, monkeypatch):
    """A period without snapshots (values unknown) listing many records is still built by a worker."""
    from indicators.models import Snapshot
    from reporting import tasks

    Snapshot.objects.all().delete()
    assert report.annex_exceeds(period, 1)
    assert not report.annex_exceeds(period, 10_000)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REPORT_ASYNC_RECORDS = 1
    queued = []
    monkeypatch.setattr(tasks.period_report_task, "delay", lambda *args: queued.append(args))
    response = staff_client.get(reverse("reporting:period-report-xlsx", args=[period.pk]))
    assert response.status_code == 202 and queued == [(period.pk, "xlsx", "en")]
