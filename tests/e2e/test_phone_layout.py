"""A phone-sized layout (issue 23): at 360 × 740 every page fits the screen, the main menu folds
behind a "Menu" button (mouse, keyboard, and still reachable without JavaScript), the charts are
laid out again (no text over another, tick labels inside the chart), and a table wider than the
screen shows that it scrolls. At 1280 px the menu stays inline and nothing of this shows."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from .test_dashboard import _role_groups  # noqa: F401

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

# Every text Plotly draws outside the plot area (titles, legend, notes, tick labels), and its toolbar.
CHART_TEXTS = ".legend, .g-xtitle, .g-ytitle, .xtitle, .ytitle, .annotation, .modebar, g.xtick > text, g.ytick > text"

CHART_PROBLEMS = """(selector) => {
  const problems = [];
  const area = (r) => r.width * r.height;
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const plots = [...document.querySelectorAll('.js-plotly-plot')].filter((plot) => plot.offsetParent !== null);
  for (const plot of plots) {
    const name = plot.id || plot.className;
    // A title's group holds the title itself: only boxes that are not inside one another are compared.
    const texts = [...plot.querySelectorAll(selector)].filter((e) => area(e.getBoundingClientRect()) > 0);
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i], b = texts[j];
        if (a.contains(b) || b.contains(a)) continue;
        if (meet(a.getBoundingClientRect(), b.getBoundingClientRect())) {
          problems.push(`${name}: ${a.getAttribute('class')} overlaps ${b.getAttribute('class')}`);
        }
      }
    }
    const svg = plot.querySelector('svg.main-svg').getBoundingClientRect();
    for (const axis of ['xtick', 'ytick']) {
      const ticks = [...plot.querySelectorAll(`g.${axis} > text`)].map((t) => [t.textContent, t.getBoundingClientRect()])
        .filter(([, r]) => area(r) > 0);
      for (const [text, r] of ticks) {
        if (r.left < svg.left - 0.5 || r.right > svg.right + 0.5 || r.top < svg.top - 0.5 || r.bottom > svg.bottom + 0.5) {
          problems.push(`${name}: tick label ${text} is clipped`);
        }
      }
      for (let i = 0; i < ticks.length; i++) {
        for (let j = i + 1; j < ticks.length; j++) {
          if (meet(ticks[i][1], ticks[j][1])) problems.push(`${name}: tick labels ${ticks[i][0]} and ${ticks[j][0]} overlap`);
        }
      }
    }
    // On a phone the legend is below the plot area, not beside or over it.
    const legend = plot.querySelector('.legend'), plotArea = plot.querySelector('.nsewdrag');
    if (window.innerWidth < 600 && legend && plotArea && legend.getBoundingClientRect().top < plotArea.getBoundingClientRect().bottom) {
      problems.push(`${name}: the legend is not below the plot`);
    }
  }
  return {problems, charts: plots.length};
}"""


def _new_page(browser, live_url, viewport, javascript=True):
    context = browser.new_context(base_url=live_url, viewport=viewport, java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    return context.new_page()


def _fits_the_screen(page):
    widths = page.evaluate("""() => ({
        page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth,
        wide: [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
            .filter(e => e.checkVisibility())
            .map(e => e.tagName + '.' + e.className).slice(0, 5)})""")
    assert widths["page"] <= widths["viewport"], (page.url, widths)


def _chart_problems(page):
    """Waits for the charts shown to be drawn, then lists their overlapping and clipped texts."""
    for chart in page.locator(".chart[data-figure]").all():
        if chart.is_visible():
            chart.locator("svg.main-svg").first.wait_for()
    page.wait_for_timeout(300)  # a relayout after a resize is debounced
    return page.evaluate(CHART_PROBLEMS, CHART_TEXTS)


def _menu_folds_and_unfolds(page):
    toggle = page.locator(".nav-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_accessible_name("Menu")
    menu = page.locator("#" + toggle.get_attribute("aria-controls"))
    links, log_out = menu.locator(".nav-links a").first, menu.get_by_role("button", name="Log out")
    language = menu.get_by_label("Language")
    # Closed: the header is one line, the links are out of sight (and out of the tab order).
    expect(toggle).to_have_attribute("aria-expanded", "false")
    for hidden in (links, log_out, language):
        expect(hidden).to_be_hidden()
    assert page.locator(".site-header").bounding_box()["height"] <= 64
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for shown in (links, log_out, language):
        expect(shown).to_be_visible()
    _fits_the_screen(page)
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(links).to_be_hidden()


@pytest.fixture
def period_pk(demo_site):
    from reporting.models import ReportingPeriod

    return ReportingPeriod.objects.get(name="Interim report M1–M18").pk


def test_every_page_fits_a_phone_and_its_menu_folds(browser, live_url, demo_site, login, period_pk):
    page = _new_page(browser, live_url, PHONE)
    try:
        login(page, "manager")
        for path in ("/", "/indicators/alliance-members/", "/registers/alliance-members/", f"/periods/{period_pk}/",
                     "/inbox/"):
            page.goto(path)
            _fits_the_screen(page)
            _menu_folds_and_unfolds(page)
            if path in ("/", "/indicators/alliance-members/"):
                result = _chart_problems(page)
                assert result["charts"] >= 2, (path, result)
                assert result["problems"] == [], (path, result["problems"])
    finally:
        page.context.close()

    page = _new_page(browser, live_url, PHONE)
    try:
        login(page, "partner")
        for path in ("/mous/new/", "/inbox/", "/"):
            page.goto(path)
            _fits_the_screen(page)
            _menu_folds_and_unfolds(page)
        assert _chart_problems(page)["problems"] == []
    finally:
        page.context.close()


def test_the_menu_works_with_the_keyboard(browser, live_url, demo_site, login):
    page = _new_page(browser, live_url, PHONE)
    try:
        login(page, "manager")
        page.goto("/registers/alliance-members/")
        toggle = page.locator(".nav-toggle")
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the brand
        page.keyboard.press("Tab")
        expect(toggle).to_be_focused()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('#nav-menu') !== null")
        expect(page.locator("#nav-menu .nav-links a").first).to_be_focused()
        page.keyboard.press("Escape")  # closes the menu, the focus back on its button
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(toggle).to_be_focused()
        expect(page.locator("#nav-menu .nav-links a").first).to_be_hidden()
        page.keyboard.press("Space")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Space")
        expect(toggle).to_have_attribute("aria-expanded", "false")
    finally:
        page.context.close()


def test_without_javascript_the_menu_is_shown(browser, live_url, demo_site, login):
    page = _new_page(browser, live_url, PHONE, javascript=False)
    try:
        page.goto("/accounts/login/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", "lcamp-demo")
        page.click("button[type=submit]")
        page.goto("/registers/alliance-members/")
        expect(page.locator(".nav-toggle")).to_be_hidden()
        for name in ("Dashboard", "Registers", "Periods"):
            expect(page.locator("#nav-menu").get_by_role("link", name=name, exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        _fits_the_screen(page)
    finally:
        page.context.close()


def _edge_shades(wrap):
    """How dark the wrapper's left and right edges are drawn (0 white, 255 black), its table hidden."""
    wrap.evaluate("w => w.querySelector('table').style.visibility = 'hidden'")
    image = Image.open(io.BytesIO(wrap.screenshot())).convert("L")
    wrap.evaluate("w => w.querySelector('table').style.visibility = ''")
    width, height = image.size
    scale = width / wrap.bounding_box()["width"]

    def shade(left, right):
        pixels = [image.getpixel((x, y)) for x in range(int(left * scale), int(right * scale)) for y in range(height)]
        return 255 - sum(pixels) / len(pixels)

    return shade(0, 4), shade(width / scale - 4, width / scale)


def test_a_wide_table_shows_that_it_scrolls(browser, live_url, demo_site, login, period_pk):
    page = _new_page(browser, live_url, PHONE)
    try:
        login(page, "manager")
        page.goto(f"/periods/{period_pk}/")
        wrap = page.locator(".table-wrap").first
        wrap.scroll_into_view_if_needed()
        assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # wider than the phone: it scrolls
        left, right = _edge_shades(wrap)
        assert right > left + 10, (left, right)  # more to the right
        wrap.evaluate("w => w.scrollLeft = w.scrollWidth")
        left, right = _edge_shades(wrap)
        assert left > right + 10, (left, right)  # the end reached: more to the left only
        wrap.evaluate("w => w.scrollLeft = 100")
        left, right = _edge_shades(wrap)
        assert left > 10 and right > 10, (left, right)  # both ways
        # The table does not paint over the cue.
        assert wrap.evaluate("w => getComputedStyle(w.querySelector('table')).backgroundColor") == "rgba(0, 0, 0, 0)"

        page.set_viewport_size(DESKTOP)
        wrap.evaluate("w => w.scrollLeft = 0")
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
        left, right = _edge_shades(wrap)
        assert left < 3 and right < 3, (left, right)  # a table that fits shows no cue
    finally:
        page.context.close()


def test_on_a_desktop_the_menu_is_inline_and_charts_relayout_for_a_phone(browser, live_url, demo_site, login):
    page = _new_page(browser, live_url, DESKTOP)
    try:
        login(page, "manager")
        page.goto("/indicators/alliance-members/")
        expect(page.locator(".nav-toggle")).to_be_hidden()
        for name in ("Dashboard", "Registers", "Periods"):
            expect(page.locator("#nav-menu").get_by_role("link", name=name, exact=True)).to_be_visible()
        header = page.locator(".site-header").bounding_box()["height"]
        assert header <= 64, header  # one line
        _fits_the_screen(page)
        result = _chart_problems(page)
        assert result["charts"] >= 2 and result["problems"] == [], result
        # The desktop's layout: the figure's own type size for the tick labels.
        assert page.evaluate("document.getElementById('history-chart')._fullLayout.xaxis.tickfont.size") == 13

        page.set_viewport_size(PHONE)  # a window made narrow: the charts are laid out again
        page.wait_for_function("() => document.getElementById('history-chart')._fullLayout.xaxis.tickfont.size === 11")
        _fits_the_screen(page)
        result = _chart_problems(page)
        assert result["problems"] == [], result["problems"]
        expect(page.locator(".nav-toggle")).to_be_visible()
        expect(page.locator("#nav-menu .nav-links a").first).to_be_hidden()

        page.set_viewport_size(DESKTOP)  # and back
        page.wait_for_function("() => document.getElementById('history-chart')._fullLayout.xaxis.tickfont.size === 13")
        expect(page.locator(".nav-toggle")).to_be_hidden()
        expect(page.locator("#nav-menu .nav-links a").first).to_be_visible()
        assert _chart_problems(page)["problems"] == []
        # Resized twice, the chart keeps its figure's height (not its box's minimum).
        assert page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.offsetParent)
            .every(p => Math.abs(p.querySelector('svg.main-svg').getBoundingClientRect().height
                                 - p.lcampFigure.layout.height) < 1)""")

        page.goto("/")
        result = _chart_problems(page)
        assert result["charts"] >= 2 and result["problems"] == [], result
    finally:
        page.context.close()
