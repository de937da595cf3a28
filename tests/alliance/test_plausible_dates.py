"""Plausible event dates: between 1990-01-01 and a year from today, one rule for forms, API and imports."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliance.models import AllianceMember, CooperationProject
from observatories.models import SkillGap
from registers.validators import latest_event_date, validate_event_date
from tests.api.conftest import send
from tests.factories import AllianceMemberFactory, ObservatoryFactory, OrganisationFactory
from training.models import MicroCredential

pytestmark = pytest.mark.django_db

IMPLAUSIBLE = ["0001-01-01", "0202-05-01", "2099-05-01"]


def test_the_range_is_1990_to_a_year_from_today():
    validate_event_date(datetime.date(1990, 1, 1))
    validate_event_date(latest_event_date())
    for bad in (datetime.date(1989, 12, 31), latest_event_date() + datetime.timedelta(days=1)):
        with pytest.raises(Exception) as refused:
            validate_event_date(bad)
        assert "between 1 Jan 1990 and" in str(refused.value)


@pytest.mark.parametrize("joined_on", IMPLAUSIBLE)
def test_member_form_refuses_an_implausible_join_date(manager_client, organisation, joined_on):
    response = manager_client.post(reverse("alliance:member-create"), {
        "organisation": organisation.pk, "category": "vet", "joined_on": joined_on, "note": "kept text"})
    assert response.status_code == 200
    assert "not a plausible date" in response.context["form"].errors["joined_on"][0]
    assert b"kept text" in response.content
    assert AllianceMember.objects.count() == 0


@pytest.mark.parametrize("joined_on", IMPLAUSIBLE)
def test_member_api_refuses_an_implausible_join_date(manager_client, organisation, joined_on):
    response = send(manager_client, "post", "/api/v1/alliance-members/",
                    {"organisation": organisation.pk, "category": "vet", "joined_on": joined_on})
    assert response.status_code == 400
    assert "not a plausible date" in response.json()["joined_on"][0]
    assert AllianceMember.objects.count() == 0


@pytest.mark.parametrize("left_on", IMPLAUSIBLE)
def test_member_api_refuses_an_implausible_leaving_date(manager_client, left_on):
    member = AllianceMemberFactory()
    response = send(manager_client, "patch", f"/api/v1/alliance-members/{member.pk}/", {"left_on": left_on})
    assert response.status_code == 400 and "left_on" in response.json()
    member.refresh_from_db()
    assert member.left_on is None and member.version == 1


@pytest.mark.parametrize("joined_on", IMPLAUSIBLE)
def test_member_import_refuses_an_implausible_join_date(manager_client, joined_on):
    upload = SimpleUploadedFile("members.csv", (
        "organisation,country,kind,category,joined_on,left_on,note\n"
        f"Centro Easo,ES,vet,vet,{joined_on},,\n").encode(), content_type="text/csv")
    response = manager_client.post(reverse("alliance:member-import"), {"file": upload})
    assert response.status_code == 200
    errors = response.context["bad_rows"][0]["errors"]
    assert any("joined_on" in e and "not a plausible date" in e for e in errors), errors
    assert "token" not in response.context
    assert AllianceMember.objects.count() == 0


@pytest.mark.parametrize("started_on", IMPLAUSIBLE)
def test_project_form_and_api_refuse_an_implausible_start(manager_client, organisation, started_on):
    other = OrganisationFactory()
    for org in (organisation, other):
        AllianceMemberFactory(organisation=org, joined_on=datetime.date(2023, 1, 1))
    data = {"title": "kept text", "lead_organisation": organisation.pk, "participants": [organisation.pk, other.pk],
            "started_on": started_on, "status": "ongoing"}
    response = manager_client.post(reverse("alliance:cooperation-project-create"), data)
    assert response.status_code == 200 and response.context["form"].errors["started_on"]
    api = send(manager_client, "post", "/api/v1/cooperation-projects/", data)
    assert api.status_code == 400 and "started_on" in api.json()
    assert CooperationProject.objects.count() == 0


@pytest.mark.parametrize("identified_on", IMPLAUSIBLE)
def test_skill_gap_api_refuses_an_implausible_identification_date(manager_client, identified_on):
    response = send(manager_client, "post", "/api/v1/skill-gaps/", {
        "observatory": ObservatoryFactory().pk, "title": "Cobots", "identified_on": identified_on,
        "esco_skill_uri": "http://data.europa.eu/esco/skill/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d"})
    assert response.status_code == 400 and "identified_on" in response.json()
    assert SkillGap.objects.count() == 0


@pytest.mark.parametrize("published_on", IMPLAUSIBLE)
def test_micro_credential_api_refuses_an_implausible_publication_date(manager_client, organisation, published_on):
    response = send(manager_client, "post", "/api/v1/micro-credentials/", {
        "title": "Cobots", "awarding_body": organisation.pk, "learning_outcomes": "Programme a cobot.",
        "ects": "3.0", "eqf_level": 4, "assessment_type": "Practical", "participation_form": "onsite",
        "quality_assurance": "Internal", "status": "published", "published_on": published_on})
    assert response.status_code == 400 and "published_on" in response.json()
    assert MicroCredential.objects.count() == 0
