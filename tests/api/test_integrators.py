"""What an integration's generated client meets (issue 25): Bearer or Token, a replayed submission
answered as the first, the MoU's document required in the schema and in the answer, messages that
speak of no form, and a filter on an unknown id that finds nothing instead of answering 400."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from alliance.models import AllianceMember, MoU
from tests.alliance.pdf_samples import make_pdf
from tests.api.conftest import send
from tests.factories import AllianceMemberFactory, CooperationProjectFactory, MoUFactory, OrganisationFactory

MEMBERS = reverse("api:alliance-member-list")
MOUS = reverse("api:mou-list")


def authorised(user, header):
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=header.format(key=token.key))


@pytest.mark.parametrize("header", ["Token {key}", "Bearer {key}", "bearer {key}", "TOKEN {key}"])
def test_the_token_is_taken_after_token_or_bearer(manager_user, header):
    assert authorised(manager_user, header).get(MEMBERS).status_code == 200


@pytest.mark.parametrize("header", ["Bearer 0123456789abcdef0123456789abcdef01234567", "Bearer", "Bearer a b",
                                    "Basic {key}", "Bearer{key}"])
def test_a_bad_bearer_or_another_scheme_answers_401(manager_user, header):
    response = authorised(manager_user, header).get(MEMBERS)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_a_bearer_token_writes_as_its_user_and_a_bad_one_writes_nothing(manager_user, organisation):
    body = {"organisation": organisation.pk, "category": "vet", "joined_on": "2024-01-01"}
    bad = Client(HTTP_AUTHORIZATION="Bearer not-a-key")
    assert send(bad, "post", MEMBERS, body).status_code == 401
    assert not AllianceMember.objects.exists()
    response = send(authorised(manager_user, "Bearer {key}"), "post", MEMBERS, body)
    assert response.status_code == 201
    assert AllianceMember.objects.get().history.first().history_user == manager_user


def test_a_replayed_submission_answers_201_with_the_same_body(partner_client):
    def submit(key):
        document = SimpleUploadedFile("signed.pdf", make_pdf(), content_type="application/pdf")
        return partner_client.post(MOUS, {"title": "MoU with a cobot maker", "counterpart": counterpart.pk,
                                          "scope": "Training.", "signed_on": "2024-05-02", "signatories": "A. B",
                                          "document": document}, headers={"Idempotency-Key": key})

    counterpart = OrganisationFactory(kind="company")
    first, again = submit("k-1"), submit("k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert MoU.objects.count() == 1


def test_a_submission_without_its_document_names_it_with_the_other_mistakes(partner_client):
    response = partner_client.post(MOUS, {"title": "No file", "signed_on": "not a date"})
    assert response.status_code == 400
    errors = response.json()
    assert "document" in errors and "signed_on" in errors and "counterpart" in errors
    response = partner_client.post(MOUS, {"title": "No file", "counterpart": OrganisationFactory(kind="company").pk,
                                          "scope": "Training.", "signed_on": "2024-05-02", "signatories": "A. B"})
    assert response.status_code == 400 and list(response.json()) == ["document"]
    assert not MoU.objects.exists()


def test_the_schema_requires_the_document_of_a_submission_only(client, db):
    schema = client.get("/api/schema/?format=json").json()
    submit = schema["components"]["schemas"]["MoUSubmitRequest"]
    assert "document" in submit["required"]
    assert "document" not in schema["components"]["schemas"]["PatchedMoURequest"]["properties"]
    post = schema["paths"]["/api/v1/mous/"]["post"]
    assert post["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].endswith("/MoUSubmitRequest")
    assert "200" not in post["responses"] and "Idempotent-Replayed" in post["responses"]["201"]["description"]
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]["tokenAuth"][
            "description"]}


def test_a_stale_update_answers_409_without_speaking_of_a_form(manager_client):
    member = AllianceMemberFactory()
    assert send(manager_client, "patch", reverse("api:alliance-member-detail", args=[member.pk]),
                {"note": "first"}).status_code == 200
    response = send(manager_client, "patch", reverse("api:alliance-member-detail", args=[member.pk]),
                    {"note": "second", "version": 1})
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "note" in detail and "version 2" in detail
    assert "below" not in detail and "form" not in detail.lower()
    member.refresh_from_db()
    assert member.note == "first"


@pytest.mark.parametrize("url, name", [(MEMBERS, "organisation"), (MOUS, "counterpart"),
                                       (MOUS, "partner_organisation"),
                                       (reverse("api:cooperation-project-list"), "participants"),
                                       (reverse("api:cooperation-project-list"), "lead_organisation")])
@pytest.mark.parametrize("value", ["999999", "0", "-5", str(2**63), str(10**30)])
def test_a_filter_on_an_unknown_id_is_an_empty_list(manager_client, url, name, value):
    AllianceMemberFactory()
    MoUFactory()
    CooperationProjectFactory()
    response = manager_client.get(url, {name: value})
    assert response.status_code == 200, response.json()
    assert response.json()["results"] == [] and response.json()["count"] == 0


@pytest.mark.parametrize("value", ["abc", "1.5", "1e3"])
def test_a_filter_id_that_is_not_a_whole_number_answers_400_under_its_name(manager_client, value):
    response = manager_client.get(MEMBERS, {"organisation": value})
    assert response.status_code == 400 and list(response.json()) == ["organisation"]


def test_a_filter_on_a_known_id_still_filters(manager_client):
    ours = AllianceMemberFactory()
    AllianceMemberFactory()
    results = manager_client.get(MEMBERS, {"organisation": ours.organisation_id}).json()["results"]
    assert [row["id"] for row in results] == [ours.pk]
