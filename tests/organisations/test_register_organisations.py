"""Organisation, region and cooperation project registers: create, edit, bad input, stale edits, history."""

import datetime

import pytest
from django.urls import reverse

from alliance.models import CooperationProject
from organisations.models import Organisation, Region
from tests.factories import (
    AllianceMemberFactory,
    CooperationProjectFactory,
    OrganisationFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


def test_manager_creates_organisation(manager_client):
    response = manager_client.post(reverse("organisations:organisation-create"), {
        "name": "Centro Easo", "kind": "vet", "country": "ES", "city": "Donostia", "pic": "949640498"})
    assert response.status_code == 302
    assert Organisation.objects.get(name="Centro Easo").pic == "949640498"


@pytest.mark.parametrize("data, field", [
    ({"name": "", "kind": "vet", "country": "ES"}, "name"),
    ({"name": "X", "kind": "vet", "country": "XX"}, "country"),
    ({"name": "X", "kind": "vet", "country": "ES", "pic": "12"}, "pic"),
    ({"name": "X", "kind": "vet", "country": "ES", "erasmus_oid": "X123"}, "erasmus_oid"),
    ({"name": "tknika", "kind": "vet", "country": "ES"}, "name"),  # already registered, case ignored
    ({"name": "X", "kind": "vet", "country": "FR", "region": "REGION"}, "region"),  # region in another country
])
def test_organisation_bad_input_keeps_input_and_writes_nothing(manager_client, organisation, data, field):
    region = RegionFactory()
    data = {k: (region.pk if v == "REGION" else v) for k, v in data.items()}
    data["city"] = "Typed city"
    response = manager_client.post(reverse("organisations:organisation-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert b"Typed city" in response.content
    assert Organisation.objects.count() == 1


def test_region_create_and_bad_code(manager_client):
    response = manager_client.post(reverse("organisations:region-create"),
                                   {"code": "FR10", "nuts_version": "2021", "name": "Ile-de-France", "country": "FR",
                                    "level": 2, "is_nuts": "on"})
    assert response.status_code == 302
    bad = manager_client.post(reverse("organisations:region-create"),
                              {"code": "ES30", "nuts_version": "2021", "name": "Madrid", "country": "FR",
                               "level": 2, "is_nuts": "on"})
    assert bad.status_code == 200 and bad.context["form"].errors["code"]
    assert list(Region.objects.values_list("code", flat=True)) == ["FR10"]


def test_two_stale_region_edits_second_refused(manager_client):
    region = RegionFactory()
    url = reverse("organisations:region-edit", args=[region.pk])
    version = manager_client.get(url).context["form"]["version"].value()
    data = {"code": "ES21", "nuts_version": "2021", "name": "Basque Country", "country": "ES", "level": 2,
            "is_nuts": "on", "version": version}
    assert manager_client.post(url, data).status_code == 302
    stale = manager_client.post(url, {**data, "name": "Euskadi"})
    assert stale.status_code == 200 and "Somebody else saved" in stale.content.decode()
    region.refresh_from_db()
    assert region.name == "Basque Country"


def members(*organisations, on=datetime.date(2023, 1, 1)):
    for organisation in organisations:
        AllianceMemberFactory(organisation=organisation, joined_on=on)
    return organisations


def test_cooperation_project_create_adds_lead_to_participants(manager_client, organisation):
    other = OrganisationFactory()
    members(organisation, other)
    response = manager_client.post(reverse("alliance:cooperation-project-create"), {
        "title": "Digital twins", "lead_organisation": organisation.pk, "participants": [other.pk],
        "started_on": "2024-01-10", "status": "ongoing"})
    assert response.status_code == 302
    project = CooperationProject.objects.get()
    assert set(project.participants.all()) == {organisation, other}


def test_cooperation_project_create_defaults_to_manager_organisation_and_today(manager_client, organisation):
    form = manager_client.get(reverse("alliance:cooperation-project-create")).context["form"]
    assert form["lead_organisation"].value() == organisation.pk
    assert form["started_on"].value() == datetime.date.today()


@pytest.mark.parametrize("case", ["one participant", "outsider", "ends before start", "no title"])
def test_cooperation_project_bad_input(manager_client, organisation, case):
    other, outsider = OrganisationFactory(), OrganisationFactory(name="Not A Member")
    members(organisation, other)
    data = {"title": "Digital twins", "description": "kept text", "lead_organisation": organisation.pk,
            "participants": [other.pk], "started_on": "2024-01-10", "status": "ongoing"}
    field = "participants"
    if case == "one participant":
        data["participants"] = [organisation.pk]
    elif case == "outsider":
        data["participants"] = [other.pk, outsider.pk]
    elif case == "ends before start":
        data["ended_on"], field = "2023-01-01", "ended_on"
    else:
        data["title"], field = "", "title"
    response = manager_client.post(reverse("alliance:cooperation-project-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert b"kept text" in response.content
    if case == "outsider":
        assert "Not A Member" in str(response.context["form"].errors[field])
    assert CooperationProject.objects.count() == 0


def test_cancel_project_by_status_and_history_shows_it(manager_client, organisation):
    other = OrganisationFactory()
    members(organisation, other)
    project = CooperationProjectFactory(lead_organisation=organisation, participants=[organisation, other])
    url = reverse("alliance:cooperation-project-status", args=[project.pk])
    response = manager_client.post(url, {"status": "cancelled", "cancelled_on": "2024-06-30",
                                         "version": project.version})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "cancelled" and project.cancelled_on.isoformat() == "2024-06-30"
    history = manager_client.get(reverse("alliance:cooperation-project-detail", args=[project.pk])).context["history"]
    assert any(c["field"] == "status" and c["new"] == "Cancelled" for e in history for c in e["changes"])


def test_list_with_a_doubled_minus_in_sort_falls_back_to_the_default(manager_client, organisation):
    response = manager_client.get(reverse("organisations:organisation-list"), {"sort": "--name"})
    assert response.status_code == 200
    assert response.context["sort"] == "name"


def test_a_new_organisations_type_must_be_chosen(manager_client, organisation):
    page = manager_client.get(reverse("organisations:organisation-create")).content.decode()
    kind = page[page.index('name="kind"'):]
    kind = kind[:kind.index("</select>")]
    # An empty first choice, selected; no type preselected.
    assert '<option value="" selected>Choose a type…</option>' in kind
    assert "selected" not in kind.replace('<option value="" selected>', "")
    for missing in ({}, {"kind": ""}, {"kind": "castle"}):
        response = manager_client.post(reverse("organisations:organisation-create"),
                                       {"name": "Centro Easo", "country": "ES", "city": "Donostia", **missing})
        assert response.status_code == 200
        assert response.context["form"].errors["kind"]
        assert b"Donostia" in response.content
    assert not Organisation.objects.filter(name="Centro Easo").exists()


def test_an_organisations_edit_keeps_its_type(manager_client, organisation):
    page = manager_client.get(reverse("organisations:organisation-edit", args=[organisation.pk])).content.decode()
    kind = page[page.index('name="kind"'):]
    assert f'<option value="{organisation.kind}" selected>' in kind[:kind.index("</select>")]
