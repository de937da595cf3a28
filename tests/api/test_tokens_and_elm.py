"""API tokens on the profile page, the ELM export, the schema and throttling."""

import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import MicroCredentialFactory

ORGS = reverse("api:organisation-list")


def test_user_creates_a_token_on_the_profile_page_and_it_authenticates(manager_client, manager_user):
    response = manager_client.post(reverse("profile"), {"token": "create"})
    assert response.status_code == 200
    key = Token.objects.get(user=manager_user).key
    assert key in response.content.decode()
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get(ORGS).status_code == 200
    # Shown once: the next visit does not show it again.
    assert key not in manager_client.get(reverse("profile")).content.decode()


def test_replacing_a_token_invalidates_the_old_one(manager_client, manager_user):
    manager_client.post(reverse("profile"), {"token": "create"})
    old = Token.objects.get(user=manager_user).key
    manager_client.post(reverse("profile"), {"token": "create"})
    assert Client(HTTP_AUTHORIZATION=f"Token {old}").get(ORGS).status_code == 401


def test_user_revokes_its_token(manager_client, manager_user):
    manager_client.post(reverse("profile"), {"token": "create"})
    key = Token.objects.get(user=manager_user).key
    response = manager_client.post(reverse("profile"), {"token": "revoke"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=manager_user).exists()
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get(ORGS).status_code == 401


def test_token_actions_need_csrf_and_login(manager_user, client):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(manager_user)
    assert csrf_client.post(reverse("profile"), {"token": "create"}).status_code == 403
    assert client.post(reverse("profile"), {"token": "create"}).status_code == 302
    assert not Token.objects.exists()


def test_unknown_token_action_is_refused(manager_client):
    assert manager_client.post(reverse("profile"), {"token": "steal"}).status_code == 400
    assert not Token.objects.exists()


def test_a_partner_token_sees_only_the_partner_api(partner_client, partner_user):
    partner_client.post(reverse("profile"), {"token": "create"})
    token_client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=partner_user).key}")
    assert token_client.get(reverse("api:mou-list")).status_code == 200
    assert token_client.get(ORGS).status_code == 403


@pytest.fixture
def demo_micro_credential(organisation, other_organisation):
    awarding, co = organisation, other_organisation
    mc = MicroCredentialFactory(
        title="Collaborative robots in assembly", awarding_body=awarding, eqf_level=4, ects="3.0", hours=75,
        learning_outcomes="Programme a cobot for pick and place.\nAssess the risks of a cobot cell.",
        esco_skills=["http://data.europa.eu/esco/skill/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d"],
        participation_form="blended", assessment_type="Practical assessment in the learning factory",
        quality_assurance="EQAVET-aligned internal quality assurance", prerequisites="Basic PLC programming")
    mc.co_awarding_organisations.add(co)
    return mc


def test_elm_export_is_json_ld_with_the_elm_keys(manager_client, demo_micro_credential):
    response = manager_client.get(reverse("api:micro-credential-elm", args=[demo_micro_credential.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    doc = json.loads(response.content)
    assert doc["@context"] == "http://data.europa.eu/snb/model/context/edc-ap"
    assert doc["type"] == "LearningOpportunity"
    assert doc["title"] == {"en": "Collaborative robots in assembly"}
    assert doc["providedBy"]["legalName"] == {"en": "TKNIKA"}
    spec = doc["learningSpecification"]
    assert spec["type"] == "LearningAchievementSpecification"
    assert spec["title"] == {"en": "Collaborative robots in assembly"}
    assert spec["EQFLevel"]["id"] == "http://data.europa.eu/snb/eqf/4"
    assert spec["creditPoint"][0]["point"] == "3"
    assert spec["creditPoint"][0]["framework"]["id"] == "http://data.europa.eu/snb/education-credit/6fcec5c5af"
    assert spec["volumeOfLearning"] == "PT75H"
    assert [o["title"]["en"] for o in spec["learningOutcome"]] == [
        "Programme a cobot for pick and place.", "Assess the risks of a cobot cell."]
    assert spec["learningOutcome"][0]["relatedESCOSkill"][0]["id"] == (
        "http://data.europa.eu/esco/skill/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d")
    assert spec["mode"][0]["id"] == "http://data.europa.eu/snb/learning-assessment/e92d221e4d"
    assert spec["learningSetting"]["id"].startswith("http://data.europa.eu/snb/learning-setting/")
    assert spec["provenBy"][0]["title"] == {"en": "Practical assessment in the learning factory"}
    assert spec["additionalNote"][0]["noteLiteral"] == {"en": "EQAVET-aligned internal quality assurance"}
    assert spec["entryRequirement"]["noteLiteral"] == {"en": "Basic PLC programming"}
    bodies = spec["awardingOpportunity"][0]["awardingBody"]
    assert [b["legalName"]["en"] for b in bodies] == ["TKNIKA", "AFIL"]
    country = bodies[0]["location"][0]["address"][0]["countryCode"]["id"]
    assert country == "http://publications.europa.eu/resource/authority/country/ESP"
    # Every node of our own has an absolute IRI as its JSON-LD identifier (concepts are EU vocabulary IRIs).
    ids = []

    def walk(node):
        if isinstance(node, dict):
            if "type" in node and "id" in node and node["type"] not in ("Concept", "ConceptScheme"):
                ids.append(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(doc)
    assert ids
    assert all(i.startswith("urn:lcamp:") for i in ids)


def test_elm_export_as_plain_json_on_request_and_404_for_unknown(manager_client, demo_micro_credential):
    url = reverse("api:micro-credential-elm", args=[demo_micro_credential.pk])
    response = manager_client.get(url, HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["type"] == "LearningOpportunity"
    assert manager_client.get(reverse("api:micro-credential-elm", args=[999999])).status_code == 404


@pytest.mark.parametrize(("role", "expected"), [("manager", 200), ("staff", 200), ("partner", 403),
                                                 ("anonymous", 401)])
def test_elm_export_permissions(api_clients, demo_micro_credential, role, expected):
    url = reverse("api:micro-credential-elm", args=[demo_micro_credential.pk])
    assert api_clients[role].get(url).status_code == expected


def test_schema_is_valid_openapi_without_warnings(tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in ("/api/v1/indicators/{code}/breakdown/", "/api/v1/mous/{id}/approve/",
                 "/api/v1/micro-credentials/{id}/elm/", "/api/v1/reports/"):
        assert path in text


def test_docs_page_serves_its_assets_locally(client, db):
    page = client.get(reverse("api-docs")).content.decode()
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


def test_anonymous_requests_are_throttled(client, settings, db):
    from rest_framework.throttling import AnonRateThrottle

    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = {**original, "anon": "3/minute"}
    try:
        codes = [client.get(ORGS).status_code for _ in range(5)]
    finally:
        AnonRateThrottle.THROTTLE_RATES = original
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]
