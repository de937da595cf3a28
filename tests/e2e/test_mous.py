"""A partner submits an MoU with its PDF in a real browser; a manager approves it; the dashboard moves."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.alliance.pdf_samples import make_pdf

pytestmark = pytest.mark.e2e


def blocking_violations(page):
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]


@pytest.fixture
def role_groups(transactional_db):
    """The role groups come from a data migration, and an earlier transactional test's flush
    removes them; put them back before ``demo_site`` gives the demo accounts their roles."""
    from django.contrib.auth.models import Group

    from accounts import roles

    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)


def mous_card_value(page):
    page.goto("/")
    card = page.locator("article.card", has=page.locator("#card-mous"))
    text = card.locator(".card-value .value").inner_text().strip()
    return 0 if text == "—" else int(text.replace(",", ""))


def test_a_partner_submits_an_mou_and_the_managers_approval_moves_the_dashboard(role_groups, demo_site,
                                                                               page, login):
    from alliance.models import MoU

    login(page, "manager")
    before = mous_card_value(page)
    page.context.clear_cookies()

    login(page, "partner")
    # The demo project lets partners read the dashboard: they land on it, read-only, and find their MoUs in the header.
    assert page.url.endswith("/") and page.get_by_role("link", name="Our MoUs").count() == 1
    page.goto("/mous/new/")
    assert not blocking_violations(page), blocking_violations(page)
    # The counterpart is a search-as-you-type picker: type, then pick from the matches.
    page.locator("#id_counterpart").press_sequentially("Ideko", delay=50)
    page.locator(".picker-results li[role=option]", has_text="Ideko").first.click()
    page.fill("#id_title", "MoU with Ideko on machining training")
    page.fill("#id_scope", "Joint CNC machining courses and <b>internships</b>.")
    page.fill("#id_areas", "machining, internships")
    page.fill("#id_signed_on", "2024-06-01")
    page.fill("#id_valid_until", "2027-06-01")
    page.fill("#id_signatories", "Jean Martin, Director\nAne Uranga, CEO")
    page.set_input_files("#id_document", files=[{"name": "signed.pdf", "mimeType": "application/pdf",
                                                 "buffer": make_pdf()}])
    page.click("#mou-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/mous/\d+/$"))
    facts = page.locator("#mou-facts").inner_text()
    assert "Ideko" in facts and "1 June 2024" in facts and "signed.pdf" in facts
    assert "Joint CNC machining courses and <b>internships</b>." in facts  # shown as text
    assert page.locator(".mou-status").first.inner_text() == "Submitted"
    mou_url = page.url
    assert not blocking_violations(page), blocking_violations(page)

    page.goto("/mous/")
    row = page.locator("#mou-table tr", has_text="MoU with Ideko on machining training")
    assert "Submitted" in row.inner_text()
    page.context.clear_cookies()

    login(page, "manager")
    page.goto("/mous/")
    assert not blocking_violations(page), blocking_violations(page)
    page.locator("#review-queue a", has_text="MoU with Ideko on machining training").click()
    page.wait_for_url(mou_url)
    with page.expect_download() as download:
        page.locator("#mou-facts a", has_text="signed.pdf").click()
    with open(download.value.path(), "rb") as handle:
        assert handle.read() == make_pdf()
    page.click("#approve-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".mou-status").first.inner_text() == "Approved"
    assert MoU.objects.get(title="MoU with Ideko on machining training").status == MoU.Status.APPROVED

    assert mous_card_value(page) == before + 1
