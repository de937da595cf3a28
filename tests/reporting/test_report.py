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
    summary = next(page for page in pages if page.startswith("Summary: the indicators"))  # not the contents
    # value 2, change +2, milestone 60 due in the period (the title may wrap)
    assert re.search(r"LCAMP\s+Alliance\s+2 \+2 60 by 31\s+Dec", summary)
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


# --- What the funder expects: the EU's visibility rules, a table of contents, a tagged PDF, a DOCX ---------

def _structure(reader):
    """[(type, alternative text, page index)] of the PDF's structure elements, depth first."""
    found = []

    def walk(node):
        node = node.get_object()
        if not isinstance(node, dict):
            return
        page = node.get("/Pg")
        found.append((node.get("/S"), node.get("/Alt"), reader.get_page_number(page.get_object()) if page else None))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


@pytest.fixture
def granted(titled, project):
    project.grant_agreement_number = "101104712"
    project.project_reference = "ERASMUS-EDU-2022-PEX-COVE"
    project.save()
    return titled


def test_the_cover_has_the_eu_emblem_the_funding_statement_and_the_grant_number(staff_client, granted, period):
    reader, pages = _pdf_text(staff_client.get(reverse("reporting:period-report-pdf", args=[period.pk])).content)
    cover = pages[0]
    assert "Co-funded by the European Union" in cover
    assert "101104712" in cover and "ERASMUS-EDU-2022-PEX-COVE" in cover
    # The emblem is an image on the cover, tagged as a figure with its text.
    assert ("/Figure", "Emblem of the European Union", 0) in _structure(reader)
    assert reader.pages[0]["/Resources"]["/XObject"]
    assert all("Co-funded by the European Union" not in page for page in pages[1:])


def test_a_project_without_a_grant_number_gets_a_cover_without_one(staff_client, titled, period):
    _, pages = _pdf_text(staff_client.get(reverse("reporting:period-report-pdf", args=[period.pk])).content)
    assert "Co-funded by the European Union" in pages[0]
    assert "Grant agreement number" not in pages[0] and "Project reference" not in pages[0]


def test_the_table_of_contents_lists_the_eight_indicators_at_their_pages(staff_client, titled, period):
    _, pages = _pdf_text(staff_client.get(reverse("reporting:period-report-pdf", args=[period.pk])).content)
    contents = pages[1]
    assert "Contents" in contents
    rows = periods.period_rows(period, with_breakdowns=False)
    assert len(rows) == 8
    for number, row in enumerate(rows, start=1):
        heading = f"{number}. {row.indicator.title}"
        line = re.search(re.escape(heading) + r"[ .]*?(\d+)\s*$", contents, re.MULTILINE)
        assert line, heading
        page = int(line.group(1))
        # The number is the page where the indicator's section starts (its heading opens the page's text).
        first = next(index for index, text in enumerate(pages[2:], start=3) if heading in text)
        assert page == first
        assert pages[page - 1].lstrip().startswith(heading)
    summary = re.search(r"Summary: the indicators at the period's end[ .]*?(\d+)\s*$", contents, re.MULTILINE)
    assert "Summary: the indicators" in pages[int(summary.group(1)) - 1]


def test_the_pdf_is_tagged_pdf_ua(staff_client, titled, period):
    reader, _ = _pdf_text(staff_client.get(reverse("reporting:period-report-pdf", args=[period.pk])).content)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    structure = _structure(reader)
    assert {"/H1", "/H2", "/Table", "/TH", "/TD"} <= {kind for kind, _, _ in structure}
    # Every figure (the emblem, the charts) has its alternative text.
    figures = [alt for kind, alt, _ in structure if kind == "/Figure"]
    assert len(figures) >= 2 and all(figures)
    assert b"pdfuaid" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()


def test_the_summary_has_the_expected_value_at_the_period_end_and_a_target_on_one_line(staff_client, titled,
                                                                                     period):
    _, pages = _pdf_text(staff_client.get(reverse("reporting:period-report-pdf", args=[period.pk])).content)
    summary = next(page for page in pages if page.startswith("Summary: the indicators"))
    assert "Expected" in summary
    # Members: 60 by the milestone of 31 Dec 2023, on the way to 200 by 31 Aug 2026: 69 on 29 Feb 2024
    # (a whole number: members are counted). The target stays on one line.
    expected = report.expected_at_end(titled["alliance-members"], period)
    assert expected == 69
    assert re.search(r"60 by 31\s+Dec 2023\s+69 200 by Aug 2026", summary)


def test_a_reported_indicators_expected_value_keeps_its_decimals(titled, period):
    indicator = titled["alliance-members"]
    indicator.source = indicator.Source.REPORTED
    assert report.expected_at_end(indicator, period) == indicator.expected_value(period.end_on)
    assert report.expected_at_end(indicator, period) != int(report.expected_at_end(indicator, period))


def test_the_xlsx_has_widths_frozen_headers_and_progress_as_a_percentage(staff_client, titled, period):
    workbook = load_workbook(io.BytesIO(staff_client.get(
        reverse("reporting:period-report-xlsx", args=[period.pk])).content))
    summary = workbook["Summary"]
    assert summary.freeze_panes == "C4"
    assert summary.column_dimensions["B"].width == 48
    header = [cell.value for cell in summary[3]]
    assert header[7] == "expected at the period end" and header[11] == "progress"
    members = next(row for row in summary.iter_rows(min_row=4) if row[0].value == "alliance-members")
    assert members[7].value == 69
    assert members[11].value == pytest.approx(0.01) and members[11].number_format == "0.0%"
    history = workbook["History"]
    assert history.freeze_panes == "B2"
    progress = [row[6] for row in history.iter_rows(min_row=2) if row[6].value is not None]
    assert progress and all(cell.number_format == "0.0%" and cell.value <= 1 for cell in progress)
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes, sheet.title
        assert sheet.column_dimensions["A"].width > 10, sheet.title


def test_the_docx_holds_every_narrative_and_opens_in_word(staff_client, manager_user, granted, period):
    from docx import Document

    narratives.narrative_save(indicator=granted["alliance-members"], period=period, user=manager_user,
                              data={"what_happened": "Two VET centres joined.\n\nA third one signed in March.",
                                    "next_steps": "An open call in March."})
    narratives.narrative_save(indicator=granted["mous"], period=period, user=manager_user,
                              data={"why": "Partners waited for the template."})
    detail = staff_client.get(reverse("reporting:period-detail", args=[period.pk])).content.decode()
    url = reverse("reporting:period-narratives-docx", args=[period.pk])
    assert f'href="{url}"' in detail
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == report.CONTENT_TYPES["docx"]
    assert response["Content-Disposition"].endswith('.docx"')
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    for sentence in ("Two VET centres joined.", "A third one signed in March.", "An open call in March.",
                     "Partners waited for the template."):
        assert sentence in paragraphs
    assert "Grant agreement 101104712" in text
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "1. Members of the LCAMP Alliance" in headings and "What happened" in headings
    assert text.count("No narrative was written for this period.") == 6


@pytest.mark.parametrize(("role", "expected"), [("partner", 403), ("other_partner", 403), ("anonymous", 302)])
def test_only_staff_and_managers_download_the_narratives(role_clients, titled, period, role, expected):
    response = role_clients[role].get(reverse("reporting:period-narratives-docx", args=[period.pk]))
    assert response.status_code == expected


def test_the_narratives_of_a_missing_period_are_404(staff_client, titled):
    assert staff_client.get(reverse("reporting:period-narratives-docx", args=[999_999])).status_code == 404


def test_the_narratives_are_built_at_once_even_where_the_report_needs_a_worker(staff_client, titled, period,
                                                                                settings, monkeypatch):
    from reporting import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REPORT_ASYNC_RECORDS = 1
    queued = []
    monkeypatch.setattr(tasks.period_report_task, "delay", lambda *args: queued.append(args))
    assert staff_client.get(reverse("reporting:period-report-pdf", args=[period.pk])).status_code == 202
    response = staff_client.get(reverse("reporting:period-narratives-docx", args=[period.pk]))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert queued == [(period.pk, "pdf", "en")]
