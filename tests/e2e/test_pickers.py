"""A manager types three letters in the MoU form's counterpart field and picks an organisation among 20,000."""

import pytest

from organisations.models import Organisation

pytestmark = pytest.mark.e2e


@pytest.fixture
def role_groups(transactional_db):
    from django.contrib.auth.models import Group

    from accounts import roles

    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)


def test_manager_picks_a_counterpart_among_twenty_thousand(role_groups, demo_site, page, login):
    Organisation.objects.bulk_create(
        [Organisation(name=f"Organisation {i:05d}", country="FR", kind="company") for i in range(20_000)],
        batch_size=5000)
    wanted = Organisation.objects.create(name="Zubiri Manteo BHI", country="ES", kind="vet")
    login(page, "manager")
    page.goto("/mous/new/")
    assert page.content().count("<option") < 300
    page.locator("#id_counterpart").press_sequentially("Zub", delay=80)
    option = page.locator(".picker-results li[role=option]", has_text="Zubiri Manteo BHI")
    option.wait_for()
    option.click()
    assert page.locator("#id_counterpart").input_value() == "Zubiri Manteo BHI (ES)"
    assert page.locator("#id_counterpart_value").input_value() == str(wanted.pk)


def test_manager_adds_participants_by_typing_and_saves_the_project(role_groups, demo_site, page, login):
    import datetime

    from alliance.models import AllianceMember, CooperationProject

    Organisation.objects.bulk_create(
        [Organisation(name=f"Organisation {i:05d}", country="FR", kind="company") for i in range(5_000)],
        batch_size=5000)
    lead = Organisation.objects.create(name="Zubiri Manteo BHI", country="ES", kind="vet")
    partner = Organisation.objects.create(name="Omnia Espoo Test", country="FI", kind="vet")
    for organisation in (lead, partner):
        AllianceMember.objects.create(organisation=organisation, category="vet", joined_on=datetime.date(2023, 1, 1))
    login(page, "manager")
    page.goto("/registers/cooperation-projects/new/")
    assert page.content().count("<option") < 300
    page.fill("#id_title", "Robot cell shared by two schools")
    page.fill("#id_lead_organisation", "")  # the manager's own organisation is offered first
    page.locator("#id_lead_organisation").press_sequentially("Zub", delay=80)
    page.locator("#id_lead_organisation_results li[role=option]", has_text="Zubiri Manteo BHI").click()
    for text, name in (("Zub", "Zubiri Manteo BHI"), ("Omn", "Omnia Espoo Test")):
        page.locator("#id_participants").press_sequentially(text, delay=80)
        page.locator("#id_participants_results li[role=option]", has_text=name).click()
    chosen = page.locator("#id_participants_chosen input[type=checkbox]:checked")
    assert sorted(chosen.evaluate_all("boxes => boxes.map(b => b.value)")) == sorted([str(lead.pk), str(partner.pk)])
    page.fill("#id_started_on", "2024-03-01")
    page.locator("form.form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    project = CooperationProject.objects.get(title="Robot cell shared by two schools")
    assert set(project.participants.all()) == {lead, partner}
