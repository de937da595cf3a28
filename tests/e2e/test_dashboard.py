"""The dashboard in a real browser: cards, charts drawn by plotly.js, breakdown switch,
XLSX download, the public page, axe-core's accessibility check, and a dashboard left open."""

import io
import re
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    """The role groups come from a data migration, which the flush after a transactional
    test removes: put them back before the next test's demo_site."""
    from django.contrib.auth.models import Group

    from accounts.roles import ROLES

    for name in ROLES:
        Group.objects.get_or_create(name=name)

BLOCKING_IMPACTS = {"serious", "critical"}


def blocking_violations(page):
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING_IMPACTS
    ]


def visible_bar_labels(page):
    """The category labels of the breakdown chart shown now (read from the drawn SVG)."""
    chart = page.locator(".breakdown:not([hidden]) .chart svg.main-svg").first
    chart.wait_for()
    return page.locator(".breakdown:not([hidden]) .chart .ytick text").all_text_contents()


def test_staff_follows_the_alliance_indicator_from_the_dashboard(demo_site, page, login):
    login(page, "staff")
    page.goto("/")
    cards = page.locator("article.card")
    assert cards.count() == 8
    alliance = page.locator("article.card", has=page.locator("#card-alliance-members"))
    assert " ".join(alliance.locator(".card-value").inner_text().split()).startswith("30 of 200")
    assert not blocking_violations(page), blocking_violations(page)

    alliance.locator("h3 a").click()
    page.wait_for_url("**/indicators/alliance-members/")
    page.locator("#history-chart svg.main-svg").first.wait_for()
    assert page.locator("#history-chart .scatterlayer .trace").count() >= 3

    before = visible_bar_labels(page)
    assert before
    options = page.locator(".switch-option")
    assert options.count() >= 2
    url_before = page.url
    options.nth(1).click()
    page.wait_for_function("document.querySelectorAll('.breakdown:not([hidden]) .chart svg.main-svg').length > 0")
    after = visible_bar_labels(page)
    assert after and after != before
    assert options.nth(1).get_attribute("aria-current") == "true"
    assert "dimension=" in page.url and page.url.split("?")[0] == url_before.split("?")[0]  # no reload needed
    assert not blocking_violations(page), blocking_violations(page)

    page.goto("/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export XLSX").click()
    download = download_info.value
    assert download.suggested_filename.startswith("lcamp-indicators-") and download.suggested_filename.endswith(
        ".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(rows) == 8
    assert sheet.cell(1, 1).font.bold


def test_public_page_works_without_login_and_is_accessible(demo_site, page):
    response = page.goto("/public/")
    assert response.status == 200
    assert "/accounts/login/" not in page.url
    assert page.locator("h1").inner_text() == "LCAMP indicators"
    if page.locator("#progress-chart").count():
        page.locator("#progress-chart svg.main-svg").first.wait_for()
    assert not blocking_violations(page), blocking_violations(page)


def test_manager_refreshes_on_a_360_pixel_screen(demo_site, page, login):
    login(page, "manager")
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto("/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    page.get_by_role("button", name="Refresh now").click()
    page.wait_for_load_state("networkidle")
    assert "Roll-up queued" in page.locator(".messages").inner_text()
    assert page.locator("article.card").count() == 8
    page.goto("/indicators/alliance-members/")
    page.locator("#history-chart svg.main-svg").first.wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_a_dashboard_left_open_shows_the_next_rollup_by_itself(demo_site, page, login):
    from indicators.models import Snapshot
    from registers import generations

    login(page, "staff")
    page.clock.install()  # the 30-second poll is fast-forwarded, not waited for
    page.goto("/")
    label = page.locator("#dashboard-updated")
    label.wait_for()
    assert label.inner_text() == "updated just now"
    alliance = page.locator("article.card", has=page.locator("#card-alliance-members"))
    assert " ".join(alliance.locator(".card-value").inner_text().split()).startswith("30 of 200")

    # A roll-up in a worker: new snapshots, a new generation.
    latest = Snapshot.objects.filter(indicator__code="alliance-members").latest("date", "computed_at")
    Snapshot.objects.filter(pk=latest.pk).update(value=Decimal("31"))
    generations.bump(generations.ROLLUP)
    page.clock.fast_forward("02:01")
    expect(alliance.locator(".card-value")).to_have_text(re.compile(r"^\s*31\s+of\s+200"))
    assert re.fullmatch(r"updated [23] min ago", label.inner_text())  # 2 min and the seconds the set-up took
