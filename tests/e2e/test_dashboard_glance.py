"""The dashboard at a glance in a real browser (issue 27): the summary strip agrees with the cards, a period
and a country change the cards, the charts, the breakdowns and the exported file alike, the PNG and SVG
downloads arrive under the page's CSP, the page fits 360 px, axe finds no serious issue, and with the demo
setting the first screen is 31 December 2024's."""

import csv
import datetime
import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

STATUSES = ("achieved", "on_track", "at_risk", "behind")


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    from django.contrib.auth.models import Group

    from accounts.roles import ROLES

    for name in ROLES:
        Group.objects.get_or_create(name=name)


def csp_errors(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    return errors


def strip_counts(page):
    return {status: int(page.locator(f".summary-item[data-status='{status}'] .summary-count").inner_text())
            for status in STATUSES}


def card_statuses(page):
    classes = page.locator("article.card").evaluate_all("cards => cards.map(c => c.className)")
    return {status: sum(f"status-{status}" in c.split() for c in classes) for status in STATUSES}


def card_value(page, code):
    card = page.locator("article.card", has=page.locator(f"#card-{code}"))
    return card.locator(".card-value .value").inner_text().strip()


def test_the_summary_strip_counts_the_cards(demo_site, page, login):
    login(page, "staff")
    page.goto("/")
    assert page.locator("article.card").count() == 8
    assert strip_counts(page) == card_statuses(page)
    assert sum(strip_counts(page).values()) == 8
    assert page.locator(".summary-time .summary-count").inner_text().endswith("%")
    # Every card with history draws its trend line.
    assert page.locator("article.card svg.sparkline polyline").count() >= 6
    page.locator("#progress-chart svg.main-svg").first.wait_for()


def test_a_period_and_a_country_change_the_whole_page_and_its_export(demo_site, page, login):
    errors = csp_errors(page)
    login(page, "staff")
    page.goto("/")
    total = card_value(page, "alliance-members")
    page.locator("#places-chart svg.main-svg").first.wait_for()
    countries_before = page.locator("#places-table thead th").all_inner_texts()
    progress_before = page.locator("#progress-figure").inner_text()

    period = page.locator("#period-select option", has_text="M19–M36").get_attribute("value")
    page.select_option("#period-select", period)
    page.select_option("#country-select", "ES")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"period=\d+.*country=ES|country=ES.*period=\d+"))

    shows = page.locator("#dashboard-shows").inner_text()
    assert "Spain only" in shows and "2025" in shows
    spain = card_value(page, "alliance-members")
    assert int(spain) < int(total)
    # The cards show no status of their own; the charts and breakdowns follow.
    assert page.locator("article.card .status-badge").count() == 0
    assert page.locator("#progress-figure").inner_text() != progress_before
    assert "By region of Spain" in page.locator("#places-title").inner_text()
    assert page.locator("#places-table thead th").all_inner_texts() != countries_before
    page.locator("#places-chart svg.main-svg").first.wait_for()
    assert page.locator("#map-chart svg.main-svg").first.is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert "-ES-2025-08-31" in download.suggested_filename
    # The reader's (English) variant: a BOM, commas, headers for people.
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = {row["Code"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["alliance-members"]["Value"] == f"{int(spain)}.00"
    # The CSV under the table holds the same figures as the table.
    href = page.locator("a[download='lcamp-by-place.csv']").get_attribute("href")
    assert href.startswith("data:text/csv")
    assert not errors, errors


def _chart_download(page, chart, title):
    page.locator(f"#{chart} svg.main-svg").first.wait_for()
    page.locator(f"#{chart}").hover()
    button = page.locator(f"#{chart} .modebar-btn[data-title='{title}']")
    with page.expect_download() as download_info:
        button.click()
    return download_info.value


def test_a_chart_downloads_as_png_and_svg_under_the_pages_csp(demo_site, page, login):
    errors = csp_errors(page)
    login(page, "staff")
    page.goto("/")
    png = _chart_download(page, "progress-chart", "Download the chart as PNG")
    assert png.suggested_filename.endswith(".png")
    assert open(png.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    svg = _chart_download(page, "progress-chart", "Download the chart as SVG")
    assert svg.suggested_filename.endswith(".svg") and b"<svg" in open(svg.path(), "rb").read(2000)
    assert not errors, errors


def test_the_dashboard_fits_a_360_px_screen_and_axe_finds_no_serious_issue(browser, live_url, demo_site, login):
    context = browser.new_context(base_url=live_url, viewport={"width": 360, "height": 740})
    context.set_default_timeout(15_000)
    try:
        page = login(context.new_page(), "manager")
        for url in ("/", "/?country=ES"):
            page.goto(url)
            page.locator("#progress-chart svg.main-svg").first.wait_for()
            widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                .map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 8)""")
            assert widths[0] <= widths[1], (url, widths, wide)
            results = Axe().run(page)
            serious = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
                       for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
            assert not serious, (url, serious)
    finally:
        context.close()


def test_with_the_demo_setting_the_first_screen_is_december_2024(demo_site, page, login, settings):
    settings.DASHBOARD_AS_OF = datetime.date(2024, 12, 31)
    login(page, "staff")
    page.goto("/")
    banner = page.locator(".as-of-banner")
    assert "31 December 2024" in banner.inner_text()
    assert card_value(page, "observatories") == "10" and card_value(page, "alliance-members") == "30"
    alliance = page.locator("article.card", has=page.locator("#card-alliance-members"))
    assert "met" in alliance.locator(".milestone-met").inner_text()
    assert strip_counts(page) == card_statuses(page)
    page.get_by_role("link", name="Show today's figures").click()
    page.wait_for_url(re.compile(r"today=1"))
    assert page.locator(".as-of-banner").count() == 0
    assert datetime.date.today().strftime("%Y") in page.locator(".timeline").inner_text()


def test_a_dashboard_left_open_draws_the_charts_it_swaps_in(demo_site, page, login):
    from indicators.models import Snapshot
    from registers import generations

    login(page, "staff")
    page.goto("/")
    page.locator("#progress-chart svg.main-svg").first.wait_for()
    latest = Snapshot.objects.filter(indicator__code="alliance-members").latest("date", "computed_at")
    Snapshot.objects.filter(pk=latest.pk).update(value=latest.value + 1)
    generations.bump(generations.ROLLUP)
    alliance = page.locator("article.card", has=page.locator("#card-alliance-members"))
    # The page polls every 30 seconds; the new cards and charts come in place of the old ones.
    expect(alliance.locator(".card-value .value")).to_have_text(str(int(latest.value) + 1), timeout=45_000)
    page.locator("#progress-chart svg.main-svg").first.wait_for()
