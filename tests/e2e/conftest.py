"""Browser tests: Playwright drives Debian's Chromium against a live server of the app.

The live server runs in a thread of the test process on the test database; the
tests are marked ``e2e`` and skipped when /usr/bin/chromium is missing.
"""

import os
import shutil

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DEMO_PASSWORD = "lcamp-demo"


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.e2e)
            if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


# Module scope, not session: Playwright's event loop stops after each browser-test
# module, so the rest of the suite runs without it.
@pytest.fixture(scope="module")
def _playwright():
    """Playwright's sync API runs an event loop in this thread; the ORM calls that tests and
    fixtures make from the same thread are still synchronous and safe, so Django is told so
    while a browser-test module runs, and only then (other tests' subprocesses must not
    inherit it)."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def live_url(live_server, settings):
    # The live server answers on 127.0.0.1 / localhost; both are in ALLOWED_HOSTS by default.
    settings.ALLOWED_HOSTS = ["*"]
    settings.AXES_ENABLED = False
    return live_server.url


@pytest.fixture
def page(browser, live_url):
    context = browser.new_context(base_url=live_url, accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_site(transactional_db, live_url):
    """The reference data, the December 2024 demo records, the demo accounts, and a roll-up."""
    call_command("seed_lcamp", verbosity=0)
    call_command("demo_data", verbosity=0)
    from lcamp.demo import create_demo_accounts

    create_demo_accounts()
    try:
        from indicators.rollup import rollup_all
    except ImportError:  # the engine has not landed yet
        return
    rollup_all()


@pytest.fixture
def login():
    def _login(page, username, password=DEMO_PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "/accounts/login/" not in page.url, f"login as {username} failed"
        return page

    return _login
