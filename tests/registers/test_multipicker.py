"""A choice of several records (a project's participants, a course's co-awarding organisations and skill
gaps, an exchange's partners, a product's factories) is a search field too: the chosen records are ticked
boxes, no form lists every organisation, and it works without JavaScript through a plain text step."""

import datetime
import re

import pytest
from django.urls import get_resolver, reverse

from alliance.models import CooperationProject
from organisations.models import Organisation
from registers.registry import REGISTER_PAGES
from tests.factories import (
    AllianceMemberFactory,
    CooperationProjectFactory,
    FactoryProductFactory,
    MicroCredentialFactory,
    ObservatoryFactory,
    OrganisationFactory,
    SkillGapFactory,
)

pytestmark = pytest.mark.django_db
get_resolver().url_patterns  # noqa: B018 - loading the URL conf declares every register
START = datetime.date(2024, 3, 1)


def many_organisations(n):
    Organisation.objects.bulk_create(
        [Organisation(name=f"Bulk organisation {i:04d}", country="FR", kind="vet") for i in range(n)])


def largest_select(html):
    return max([len(re.findall(r"<option", select)) for select in re.findall(r"<select.*?</select>", html, re.S)],
               default=0)


def members(*names):
    found = []
    for name in names:
        organisation = OrganisationFactory(name=name, country="ES")
        AllianceMemberFactory(organisation=organisation, joined_on=datetime.date(2022, 1, 1))
        found.append(organisation)
    return found


@pytest.fixture
def records():
    """One record of every register with a choice of several, so its edit and correct pages exist."""
    lead, other = members("Zubiri Manteo", "Omnia Espoo")
    project = CooperationProjectFactory(lead_organisation=lead, participants=[lead, other])
    gap = SkillGapFactory(observatory=ObservatoryFactory())
    credential = MicroCredentialFactory(awarding_body=lead)
    credential.co_awarding_organisations.set([other])
    credential.skill_gaps.set([gap])
    product = FactoryProductFactory(collaborating_organisations=[lead, other])
    return {"alliance:cooperation-project": project, "training:micro-credential": credential,
            "training:product": product}


@pytest.mark.parametrize("key", ["alliance:cooperation-project", "training:micro-credential", "training:exchange",
                                 "training:product"])
def test_no_register_form_lists_every_organisation(manager_client, records, key):
    many_organisations(400)
    register = REGISTER_PAGES[key]
    urls = [register.url("create")]
    if key in records:
        urls += [register.url("edit", records[key].pk), register.url("correct", records[key].pk)]
    for url in urls:
        response = manager_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert largest_select(html) < 300, url
        assert 'data-picker-url="/pickers/organisations/"' in html


def test_the_invitation_form_lists_no_organisation(manager_client):
    many_organisations(400)
    html = manager_client.get(reverse("invite")).content.decode()
    assert largest_select(html) < 300
    assert 'data-picker-url="/pickers/organisations/"' in html


def test_an_edit_form_shows_the_chosen_records_as_ticked_boxes(manager_client, records):
    project = records["alliance:cooperation-project"]
    html = manager_client.get(REGISTER_PAGES["alliance:cooperation-project"].url("edit", project.pk)).content.decode()
    for organisation in project.participants.all():
        assert re.search(rf'<input type="checkbox" name="participants" value="{organisation.pk}" checked> '
                         rf"{re.escape(str(organisation))}", html)


def _project_form(**extra):
    return {"title": "Shared robot cell", "description": "", "started_on": START.isoformat(), "status": "ongoing",
            **extra}


def test_without_javascript_a_typed_name_with_one_match_is_added(manager_client):
    lead, other = members("Zubiri Manteo", "Omnia Espoo")
    data = _project_form(lead_organisation=lead.pk, participants=[lead.pk], participants_search="omnia")
    response = manager_client.post(REGISTER_PAGES["alliance:cooperation-project"].url("create"), data)
    assert response.status_code == 302, response.context["form"].errors
    project = CooperationProject.objects.get(title="Shared robot cell")
    assert set(project.participants.all()) == {lead, other}


def test_without_javascript_several_matches_are_offered_as_boxes_and_nothing_is_written(manager_client):
    lead, _, _ = members("Zubiri Manteo", "Omnia Espoo", "Omnia Helsinki")
    data = _project_form(lead_organisation=lead.pk, participants=[lead.pk], participants_search="omnia")
    response = manager_client.post(REGISTER_PAGES["alliance:cooperation-project"].url("create"), data)
    assert response.status_code == 200
    assert "tick the ones to add" in str(response.context["form"].errors["participants"])
    html = response.content.decode()
    assert re.search(rf'name="participants" value="{lead.pk}" checked', html)  # the chosen one stays chosen
    offered = re.findall(r'<input type="checkbox" name="participants" value="(\d+)">', html)
    assert len(offered) == 2
    assert not CooperationProject.objects.exists()
    data["participants"] = [lead.pk, *offered]
    data["participants_search"] = ""
    response = manager_client.post(REGISTER_PAGES["alliance:cooperation-project"].url("create"), data)
    assert response.status_code == 302
    assert CooperationProject.objects.get().participants.count() == 3


@pytest.mark.parametrize(("participants", "search", "message"), [
    ([], "nothing like this", "No organisation matches"),
    (["abc"], "", "is not a valid value"),
    (["999999"], "", "Select a valid choice"),
])
def test_bad_choices_are_form_errors_and_nothing_is_written(manager_client, participants, search, message):
    lead, _ = members("Zubiri Manteo", "Omnia Espoo")
    data = _project_form(lead_organisation=lead.pk, participants=participants, participants_search=search)
    response = manager_client.post(REGISTER_PAGES["alliance:cooperation-project"].url("create"), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["participants"])
    assert not CooperationProject.objects.exists()


def test_at_most_max_chosen_records(manager_client, settings):
    from registers import pickers

    lead, _ = members("Zubiri Manteo", "Omnia Espoo")
    many_organisations(pickers.MAX_CHOSEN + 1)
    ids = list(Organisation.objects.filter(name__startswith="Bulk").values_list("pk", flat=True))
    data = _project_form(lead_organisation=lead.pk, participants=ids)
    response = manager_client.post(REGISTER_PAGES["alliance:cooperation-project"].url("create"), data)
    assert response.status_code == 200
    assert "at most" in str(response.context["form"].errors["participants"])
    assert not CooperationProject.objects.exists()


def test_skill_gaps_have_a_picker_for_those_who_see_the_registers(role_clients):
    SkillGapFactory(title="Cobot programming", observatory=ObservatoryFactory())
    url = reverse("registers-pick", args=["skill-gaps"])
    found = role_clients["manager"].get(url, {"q": "cobot"}).json()
    assert [r["label"] for r in found["results"]] == ["Cobot programming"]
    # A partner picks among its own organisation's records only: this gap's observatory is another's.
    partner = role_clients["partner"].get(url, {"q": "cobot"})
    assert partner.status_code == 200 and partner.json()["results"] == []
    assert role_clients["anonymous"].get(url, {"q": "cobot"}).status_code == 302
