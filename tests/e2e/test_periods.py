"""Reporting periods in a real browser: a manager writes a narrative, reviews and closes a period,
downloads the PDF and the XLSX; axe finds no serious issue; 360 px wide pages do not scroll sideways."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from .test_dashboard import _role_groups, blocking_violations  # noqa: F401

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_a_manager_writes_a_narrative_closes_the_period_and_downloads_the_report(demo_site, page, login):
    login(page, "manager")
    page.goto("/periods/")
    assert not blocking_violations(page), blocking_violations(page)
    page.get_by_role("link", name="Interim report M1–M18").click()
    assert page.locator("h1").inner_text() == "Interim report M1–M18"
    assert page.locator("table").first.locator("tbody tr").count() == 8
    assert not blocking_violations(page), blocking_violations(page)

    page.get_by_role("link", name="Write the narrative of Members of the LCAMP Alliance").first.click()
    assert not blocking_violations(page), blocking_violations(page)
    page.get_by_role("button", name="Save the narrative").click()
    assert "Write at least one part" in page.locator("form.form").inner_text()   # nothing typed: refused
    page.get_by_label("What happened").fill("Thirty **members** joined, mostly VET centres.")
    page.get_by_label("Next steps").fill("- an open call\n- regional events")
    page.get_by_role("button", name="Save the narrative").click()
    assert "Narrative of" in page.locator(".messages").inner_text()
    assert page.locator(".narrative strong").first.inner_text() == "members"
    assert not blocking_violations(page), blocking_violations(page)

    page.goto("/periods/")
    page.get_by_role("link", name="Interim report M1–M18").click()
    page.get_by_role("button", name="Put in review").click()
    page.get_by_role("link", name="Close the period…").click()
    assert not blocking_violations(page), blocking_violations(page)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Close the period").click()
    assert "is closed" in page.locator(".messages").inner_text()
    assert "Closed" in page.locator("dl.facts").inner_text()

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download the PDF").click()
    pdf = PdfReader(io.BytesIO(open(pdf_download.value.path(), "rb").read()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Thirty members joined, mostly VET centres." in text
    assert "Closed — figures frozen" in pdf.pages[0].extract_text()
    assert f"Page 1 of {len(pdf.pages)}" in pdf.pages[0].extract_text()

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download the spreadsheet (XLSX)").click()
    workbook = load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read()))
    assert workbook.sheetnames == ["Summary", "History", "Breakdowns", "Narratives", "Partner narratives",
                                   "Counted records", "Recorded after closing"]
    assert len(list(workbook["Summary"].iter_rows(min_row=4))) == 8


def test_period_pages_fit_a_360_pixel_screen(demo_site, page, login):
    login(page, "manager")
    page.set_viewport_size({"width": 360, "height": 780})
    for path in ("/periods/", "/accounts/profile/"):
        page.goto(path)
        assert _no_sideways_scroll(page), path
    page.goto("/periods/")
    page.locator("table a").first.click()
    assert _no_sideways_scroll(page), page.url
    page.locator("a", has_text="Write").first.click()
    assert _no_sideways_scroll(page), page.url
    page.goto("/accounts/profile/")
    assert not blocking_violations(page), blocking_violations(page)
