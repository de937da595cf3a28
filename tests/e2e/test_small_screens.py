"""On a 360 px phone the MoU review queue fits the screen: no sideways scrolling."""


def test_review_queue_fits_a_360_px_screen(browser, live_url, demo_site, login):
    context = browser.new_context(base_url=live_url, viewport={"width": 360, "height": 740})
    context.set_default_timeout(15_000)
    try:
        page = login(context.new_page(), "manager")
        page.goto("/mous/")
        assert page.locator("#review-queue tbody tr").count() >= 1
        widths = page.evaluate("""() => ({
            page: document.documentElement.scrollWidth,
            viewport: document.documentElement.clientWidth,
            queue: document.querySelector('#review-queue').closest('.table-wrap').scrollWidth,
            queueBox: document.querySelector('#review-queue').closest('.table-wrap').clientWidth,
        })""")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
            .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))
            .slice(0, 8)""")
        assert widths["page"] <= widths["viewport"], (widths, wide)
        assert widths["queue"] <= widths["queueBox"], widths
        # Each cell still says what it is once the header row is out of sight.
        assert page.locator("#review-queue td[data-label='Brought by']").first.is_visible()
    finally:
        context.close()
