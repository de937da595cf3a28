"""A partner editor keeps its own records in the browser and a coordinator validates them (issue 21):
partner2 (Curt Nicolin Gymnasiet) adds a micro-credential and an exchange of its learning factory; the
coordinator approves both from the inbox in one bulk action; the dashboard counts them; a proposed change
to the approved credential changes nothing until it is approved."""

import re

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    from django.contrib.auth.models import Group

    from accounts.roles import ROLES

    for name in ROLES:
        Group.objects.get_or_create(name=name)


def own_share(page, code):
    """The organisation's count in the indicator ``code`` on its contribution page."""
    text = page.locator(f"#ind-{code} td.num").first.inner_text().strip()
    return 0 if text in ("—", "") else int(float(text.replace(",", "").replace("\u202f", "").replace("\xa0", "")))


def card_value(page, code):
    text = page.locator(f"article:has(#card-{code}) .card-value .value").inner_text()
    return int(float(text.replace(",", "").replace("\u202f", "").replace("\xa0", "")))


def pick(page, field, text, name):
    page.locator(f"#id_{field}").press_sequentially(text, delay=60)
    page.locator(f"#id_{field}_results li[role=option]", has_text=name).first.click()


def submit(page):
    page.locator("main form.form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def test_partner_adds_records_and_the_coordinator_approves_them_in_bulk(browser, live_url, demo_site, login):
    from registers.models import Approval
    from training.models import FactoryExchange, MicroCredential

    partner = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900}).new_page()
    coordinator = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900}).new_page()
    for tab in (partner, coordinator):
        tab.set_default_timeout(15_000)
    login(coordinator, "manager")
    coordinator.goto("/")
    credentials_before = card_value(coordinator, "micro-credentials")
    students_before = card_value(coordinator, "students-international")

    # The partner editor adds a micro-credential: its organisation is the awarding body.
    login(partner, "partner2")
    partner.goto("/registers/micro-credentials/new/")
    partner.fill("#id_title", "Cobot cell operation (CNG)")
    partner.fill("#id_learning_outcomes", "Operate and program a collaborative robot cell safely.")
    partner.fill("#id_ects", "3")
    partner.fill("#id_eqf_level", "4")
    partner.fill("#id_assessment_type", "Practical assessment")
    partner.select_option("#id_participation_form", "blended")
    partner.fill("#id_quality_assurance", "Internal quality assurance")
    partner.select_option("#id_status", "published")
    partner.fill("#id_published_on", "2024-10-01")
    partner.select_option("#id_learning_opportunity_type", "course")
    submit(partner)
    assert "Submitted micro-credential for validation" in partner.locator(".messages").inner_text()
    credential = MicroCredential.objects.get(title="Cobot cell operation (CNG)")
    assert credential.approval == Approval.SUBMITTED

    # ... and an international exchange of its own learning factory.
    partner.goto("/registers/factory-exchanges/new/")
    pick(partner, "factory", "Lea", "Learning factory CNG")
    partner.fill("#id_title", "Robotics week with TKNIKA")
    pick(partner, "partner_organisations", "TKN", "TKNIKA")
    partner.fill("#id_students", "12")
    partner.fill("#id_started_on", "2024-10-07")
    submit(partner)
    assert "Submitted factory exchange for validation" in partner.locator(".messages").inner_text()
    exchange = FactoryExchange.objects.get(title="Robotics week with TKNIKA")
    assert exchange.approval == Approval.SUBMITTED

    # Nothing counts yet; the partner's contribution page shows both waiting.
    coordinator.goto("/")
    assert card_value(coordinator, "micro-credentials") == credentials_before
    from organisations.models import Organisation

    contribution = f"/organisations/{Organisation.objects.get(name='Curt Nicolin Gymnasiet').pk}/contribution/"
    partner.goto(contribution)
    own_credentials, own_students = own_share(partner, "micro-credentials"), own_share(partner, "students-international")
    assert "(2)" in partner.locator("#pending-title").inner_text()

    # The coordinator approves both from the inbox, in one bulk action.
    coordinator.goto("/inbox/")
    for record in ("Cobot cell operation (CNG)", "Robotics week with TKNIKA"):
        coordinator.locator("#inbox tr", has_text=record).locator("input[name=keys]").check()
    coordinator.get_by_role("button", name="Approve the ticked items").click()
    coordinator.wait_for_load_state("networkidle")
    credential.refresh_from_db()
    exchange.refresh_from_db()
    assert credential.approval == exchange.approval == Approval.APPROVED

    coordinator.goto("/")
    assert card_value(coordinator, "micro-credentials") == credentials_before + 1
    assert card_value(coordinator, "students-international") == students_before + 12
    # The partner's contribution page counts them as its own.
    partner.goto(contribution)
    assert own_share(partner, "micro-credentials") == own_credentials + 1
    assert own_share(partner, "students-international") == own_students + 12
    assert "(0)" in partner.locator("#pending-title").inner_text()

    # A proposed change to the approved credential: EQF 7 would stop it counting, but not before approval.
    partner.goto(f"/registers/micro-credentials/{credential.pk}/edit/")
    partner.fill("#id_eqf_level", "7")
    submit(partner)
    assert "submitted for validation" in partner.locator(".messages").inner_text()
    partner.wait_for_url(re.compile(rf"/registers/micro-credentials/{credential.pk}/$"))
    assert "Proposed" in partner.locator("section.validation").inner_text()
    coordinator.goto("/")
    assert card_value(coordinator, "micro-credentials") == credentials_before + 1

    coordinator.goto("/inbox/")
    row = coordinator.locator("#inbox tr", has_text="Cobot cell operation (CNG)")
    assert "EQF" in row.inner_text() or "7" in row.locator("ins").inner_text()
    row.get_by_role("button", name="Approve").click()
    coordinator.wait_for_load_state("networkidle")
    credential.refresh_from_db()
    assert credential.eqf_level == 7
    coordinator.goto("/")
    assert card_value(coordinator, "micro-credentials") == credentials_before
