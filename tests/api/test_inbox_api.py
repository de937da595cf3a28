"""The review inbox through the API (issue 21): coordinators list what waits and decide it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import MoU
from registers.models import Approval, Submission
from tests.api.conftest import send
from tests.factories import MoUFactory, UserFactory
from tests.reporting.test_inbox import key, submitted_credential, submitted_exchange
from training.models import FactoryExchange, MicroCredential

LIST = reverse("api:inbox-list")


def url(item_key, action):
    return reverse(f"api:inbox-{action}", args=[item_key])


@pytest.mark.parametrize("role, expected", [
    ("anonymous", 401), ("bad_token", 401), ("outsider", 403), ("partner", 403), ("other_partner", 403),
    ("staff", 403), ("manager", 200), ("admin", 200)])
def test_only_coordinators_list_the_inbox(api_clients, role, expected):
    assert api_clients[role].get(LIST).status_code == expected


def test_partners_may_not_decide(partner_client, partner_user, organisation):
    submission = submitted_credential(partner_user, organisation)
    assert send(partner_client, "post", url(key(submission), "approve")).status_code == 403
    assert Submission.objects.get().status == "submitted"


def test_list_oldest_first_with_filters(manager_token_client, partner_user, other_partner_user, organisation,
                                        other_organisation):
    credential = submitted_credential(partner_user, organisation)
    exchange = submitted_exchange(other_partner_user, other_organisation)
    mou = MoUFactory(partner_organisation=organisation)
    Submission.objects.filter(pk=credential.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=9))
    body = manager_token_client.get(LIST).json()
    assert body["count"] == 3
    assert [row["key"] for row in body["results"]] == [key(credential), key(exchange), f"mou:{mou.pk}"]
    first = body["results"][0]
    assert first["organisation"] == organisation.pk and first["facts"] and first["status"] == "submitted"

    def keys(**query):
        response = manager_token_client.get(LIST, query)
        assert response.status_code == 200
        return [row["key"] for row in response.json()["results"]]

    assert keys(register="training:exchange") == [key(exchange)]
    assert keys(organisation=organisation.pk) == [key(credential), f"mou:{mou.pk}"]
    assert keys(older_than=5) == [key(credential)]


@pytest.mark.parametrize("query, field", [({"register": "nope"}, "register"), ({"organisation": "x"}, "organisation"),
                                          ({"older_than": "-3"}, "older_than"), ({"page_size": "0"}, "page_size")])
def test_bad_filters_answer_400_naming_the_field(manager_client, query, field):
    response = manager_client.get(LIST, query)
    assert response.status_code == 400
    assert field in response.json()


def test_approve_makes_the_records_count(manager_token_client, partner_user, organisation):
    credential = submitted_credential(partner_user, organisation)
    exchange = submitted_exchange(partner_user, organisation)
    for submission in (credential, exchange):
        response = send(manager_token_client, "post", url(key(submission), "approve"))
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "approved"
    assert MicroCredential.objects.countable().count() == 1
    assert FactoryExchange.objects.international().count() == 1
    assert manager_token_client.get(LIST).json()["count"] == 0


def test_reject_needs_a_reason(manager_token_client, partner_user, organisation):
    submission = submitted_credential(partner_user, organisation)
    response = send(manager_token_client, "post", url(key(submission), "reject"), {"note": " "})
    assert response.status_code == 400 and "note" in response.json()
    assert Submission.objects.get().status == "submitted"
    ok = send(manager_token_client, "post", url(key(submission), "reject"), {"note": "The hours are missing."})
    assert ok.status_code == 200 and ok.json()["review_note"] == "The hours are missing."
    assert MicroCredential.objects.get().approval == Approval.REJECTED


def test_own_submission_refused_with_the_reason(db, organisation):
    from tests.api.conftest import token_client

    coordinator = UserFactory(role="coordinator", organisation=organisation)
    mou = MoUFactory(partner_organisation=organisation, submitted_by=coordinator)
    response = send(token_client(coordinator), "post", url(f"mou:{mou.pk}", "approve"))
    assert response.status_code == 403
    assert "yourself" in response.json()["detail"]
    assert MoU.objects.get().status == "submitted"


def test_decided_items_answer_400_and_unknown_keys_404(manager_client, partner_user, organisation):
    submission = submitted_credential(partner_user, organisation)
    assert send(manager_client, "post", url(key(submission), "approve")).status_code == 200
    again = send(manager_client, "post", url(key(submission), "approve"))
    assert again.status_code == 400 and "status" in again.json()
    assert send(manager_client, "post", url("mou:999999", "approve")).status_code == 404
    assert send(manager_client, "post", url("nothing:1", "approve")).status_code == 404
    assert send(manager_client, "post", "/api/v1/inbox/mou:abc/approve/").status_code == 404


def test_the_schema_documents_the_inbox(manager_client):
    schema = manager_client.get(reverse("api-schema"), {"format": "json"}).json()
    assert "/api/v1/inbox/" in schema["paths"]
    assert "/api/v1/inbox/{item}/approve/" in schema["paths"]
