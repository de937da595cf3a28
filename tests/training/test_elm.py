"""The ELM export is a valid learning opportunity: expanded with the official context nothing is
lost, and the official SHACL shapes report no violation, for every demo micro-credential."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import MicroCredentialFactory
from training.models import MicroCredential

from . import elm_validation

pytestmark = pytest.mark.django_db


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


def test_elm_export_is_json_ld_with_the_elm_terms(manager_client, demo_micro_credential):
    response = manager_client.get(reverse("api:micro-credential-elm", args=[demo_micro_credential.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    doc = json.loads(response.content)
    assert doc["@context"][0] == "http://data.europa.eu/snb/model/context/edc-ap"
    assert doc["@context"][1]["id"] == "@id" and doc["@context"][1]["type"] == "@type"
    assert doc["type"] == "LearningOpportunity"
    assert doc["title"] == {"en": "Collaborative robots in assembly"}
    assert doc["providedBy"][0]["legalName"] == {"en": "TKNIKA"}
    spec = doc["learningAchievementSpecification"]
    assert spec["type"] == "LearningAchievementSpecification"
    assert spec["title"] == {"en": "Collaborative robots in assembly"}
    assert spec["educationLevel"][0]["id"] == "http://data.europa.eu/snb/eqf/4"
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
    walk({key: value for key, value in doc.items() if key != "@context"})
    assert ids
    assert [i for i in ids if not i.startswith("urn:lcamp:")] == []


def test_elm_export_as_plain_json_on_request_and_404_for_unknown(manager_client, demo_micro_credential):
    url = reverse("api:micro-credential-elm", args=[demo_micro_credential.pk])
    response = manager_client.get(url, HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["type"] == "LearningOpportunity"
    assert manager_client.get(reverse("api:micro-credential-elm", args=[999999])).status_code == 404


@pytest.mark.parametrize(("role", "expected"), [("admin", 200), ("manager", 200), ("staff", 200),
                                                 ("partner", 200), ("other_partner", 404), ("anonymous", 401)])
def test_elm_export_permissions(role_clients, demo_micro_credential, role, expected):
    """A partner finds only its own organisation's credentials (the awarding body's): another's is not found."""
    url = reverse("api:micro-credential-elm", args=[demo_micro_credential.pk])
    assert role_clients[role].get(url).status_code == expected


@pytest.fixture
def demo_credentials(db):
    call_command("seed_lcamp", verbosity=0)
    call_command("demo_data", verbosity=0)
    return list(MicroCredential.objects.order_by("pk"))


def _export(client, micro_credential):
    response = client.get(reverse("api:micro-credential-elm", args=[micro_credential.pk]))
    assert response.status_code == 200
    return json.loads(response.content)


def test_every_demo_micro_credential_expands_without_loss_and_has_no_shacl_violation(manager_client,
                                                                                    demo_credentials):
    assert len(demo_credentials) >= 30
    for micro_credential in demo_credentials:
        document = _export(manager_client, micro_credential)
        expanded = elm_validation.expand(document)
        nodes = elm_validation.node_objects(expanded)
        assert nodes
        assert all("@id" in node and "@type" in node for node in nodes), micro_credential
        graph = elm_validation.to_graph(expanded)
        targeted = elm_validation.targeted_nodes(graph)
        assert len(targeted) > 5  # a document of untyped nodes would "conform" vacuously
        assert elm_validation.violations(graph) == [], micro_credential


def test_every_key_of_the_export_is_a_term_of_the_elm_context(manager_client, demo_credentials):
    document = _export(manager_client, demo_credentials[0])
    dropped = []
    for key in sorted(elm_validation.compact_keys(document)):
        probe = {"@context": document["@context"], "@id": "urn:probe:x", key: "x"}
        try:
            expanded = elm_validation.expand(probe)
        except elm_validation.jsonld.JsonLdError:  # a term whose values must be nodes
            probe[key] = {"@id": "urn:probe:y"}
            expanded = elm_validation.expand(probe)
        if not expanded or not [k for k in expanded[0] if not k.startswith("@")]:
            dropped.append(key)
    assert dropped == []


def test_export_is_a_learning_opportunity_with_its_specification(manager_client, demo_micro_credential):
    document = _export(manager_client, demo_micro_credential)
    assert document["type"] == "LearningOpportunity"
    assert "credentialSubject" not in document and "issuanceDate" not in document
    spec = document["learningAchievementSpecification"]
    assert spec["type"] == "LearningAchievementSpecification"
    assert spec["educationLevel"][0]["id"] == "http://data.europa.eu/snb/eqf/4"
    back_link = spec["awardingOpportunity"][0]["learningAchievementSpecification"]
    assert back_link == {"id": spec["id"], "type": "LearningAchievementSpecification"}
    graph = elm_validation.to_graph(elm_validation.expand(document))
    assert elm_validation.violations(graph) == []


def test_languages_come_from_the_record(manager_client, demo_micro_credential):
    demo_micro_credential.default_language = "es"
    demo_micro_credential.languages = ["es", "eu"]
    demo_micro_credential.save()
    document = _export(manager_client, demo_micro_credential)
    assert document["title"] == {"es": "Collaborative robots in assembly"}
    assert document["defaultLanguage"]["id"] == "http://publications.europa.eu/resource/authority/language/SPA"
    spec = document["learningAchievementSpecification"]
    assert [language["id"].rsplit("/", 1)[1] for language in spec["language"]] == ["SPA", "EUS"]
    assert spec["learningOutcome"][0]["title"] == {"es": "Programme a cobot for pick and place."}
    assert elm_validation.violations(elm_validation.to_graph(elm_validation.expand(document))) == []


def test_record_fields_the_shapes_require_are_exported(manager_client, demo_micro_credential):
    demo_micro_credential.homepage = "https://lcamp.example.eu/courses/cobots/"
    demo_micro_credential.isced_f = "0714"
    demo_micro_credential.learning_opportunity_type = "course"
    demo_micro_credential.identity_verification = "unsupervised-with-id"
    demo_micro_credential.save()
    document = _export(manager_client, demo_micro_credential)
    assert document["homepage"][0]["contentURL"] == "https://lcamp.example.eu/courses/cobots/"
    assert document["dcType"][0]["id"] == "http://data.europa.eu/snb/learning-opportunity/05053c1cbe"
    spec = document["learningAchievementSpecification"]
    assert spec["thematicArea"][0]["id"] == "http://data.europa.eu/snb/isced-f/0714"
    subject = spec["provenBy"][0]["additionalNote"][0]["subject"]
    assert subject["id"] == "http://data.europa.eu/snb/supervision-verification/df2880c5cb"
    assert elm_validation.violations(elm_validation.to_graph(elm_validation.expand(document))) == []


def test_blank_homepage_falls_back_to_the_record_page(manager_client, demo_micro_credential, settings):
    settings.SITE_URL = "https://tracker.lcamp.example"
    document = _export(manager_client, demo_micro_credential)
    assert document["homepage"][0]["contentURL"] == (
        f"https://tracker.lcamp.example/registers/micro-credentials/{demo_micro_credential.pk}/")


def test_acronym_is_an_alt_label_only_when_it_differs_from_the_name(manager_client, demo_micro_credential):
    body = demo_micro_credential.awarding_body
    body.acronym = body.name
    body.save()
    organisation = _export(manager_client, demo_micro_credential)["providedBy"][0]
    assert "altLabel" not in organisation
    body.acronym = "TKN"
    body.save()
    organisation = _export(manager_client, demo_micro_credential)["providedBy"][0]
    assert organisation["altLabel"] == {"en": "TKN"}


def test_a_misnamed_key_is_caught_by_the_checks(manager_client, demo_micro_credential):
    """The checks themselves can fail: the old key names give violations."""
    document = _export(manager_client, demo_micro_credential)
    document["learningSpecification"] = document.pop("learningAchievementSpecification")
    assert elm_validation.violations(elm_validation.to_graph(elm_validation.expand(document)))
