"""The review inbox (issue 21): coordinators decide everything waiting in one list; partners follow theirs."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import MoU
from registers import submissions
from registers.models import Approval, Submission
from tests.factories import (
    FactoryExchangeFactory,
    LearningFactoryFactory,
    MicroCredentialFactory,
    MoUFactory,
    OrganisationFactory,
    UserFactory,
)
from training.models import FactoryExchange, MicroCredential

URL = reverse("reporting:inbox")


def submitted_credential(user, organisation, **fields):
    """A partner editor's new micro-credential, waiting for a coordinator."""
    credential = MicroCredentialFactory(awarding_body=organisation, approval=Approval.SUBMITTED, **fields)
    return submissions.submit_new(credential, "training:micro-credential", user)


def submitted_exchange(user, organisation):
    """A partner editor's new exchange with a foreign partner (it counts once approved)."""
    factory = LearningFactoryFactory(host_organisation=organisation)
    exchange = FactoryExchangeFactory(factory=factory, approval=Approval.SUBMITTED,
                                      partner_organisations=[OrganisationFactory(country="FI")])
    return submissions.submit_new(exchange, "training:exchange", user)


def key(submission):
    return f"submission:{submission.pk}"


# --- Who sees what ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_user_without_role_is_refused(db, client):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_staff_read_the_waiting_list_without_buttons(staff_client, partner_user, organisation):
    submission = submitted_credential(partner_user, organisation)
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert [item.key for item in response.context["items"]] == [key(submission)]
    assert b'name="keys"' not in response.content and b'name="one"' not in response.content
    assert staff_client.post(URL, {"decision": "approve", "keys": [key(submission)]}).status_code == 403
    assert Submission.objects.get().status == Submission.Status.SUBMITTED


def test_coordinator_sees_every_source_oldest_first(manager_client, partner_user, organisation):
    mou = MoUFactory(partner_organisation=organisation)
    MoU.objects.filter(pk=mou.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=3))
    submission = submitted_credential(partner_user, organisation)
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert [item.key for item in response.context["items"]] == [f"mou:{mou.pk}", key(submission)]
    assert b"Signed document" in response.content  # the MoU's evidence
    assert response.context["items"][1].facts  # the new record's key facts


def test_the_header_counts_what_waits_for_coordinators(manager_client, partner_client, partner_user, organisation):
    submitted_credential(partner_user, organisation)
    MoUFactory(partner_organisation=organisation)
    page = manager_client.get(reverse("reporting:period-list")).content.decode()
    assert 'class="badge"' in page and ">2</span>" in page
    partner_page = partner_client.get(URL).content.decode()
    assert 'href="/inbox/"' in partner_page and 'class="badge"' not in partner_page


def test_partner_sees_its_own_organisation_only_with_the_reason_and_the_fix(
        partner_client, partner_user, other_partner_user, organisation, other_organisation, manager_user):
    mine = submitted_credential(partner_user, organisation, title="Ours")
    submitted_credential(other_partner_user, other_organisation, title="Theirs")
    submissions.decide(submission=mine, reviewer=manager_user, decision="reject", note="Give the EQF level proof.")
    response = partner_client.get(URL)
    assert response.status_code == 200
    items = response.context["items"]
    assert [item.title for item in items] == ["Ours"]
    assert items[0].status == "rejected"
    page = response.content.decode()
    assert "Give the EQF level proof." in page
    assert reverse("training:micro-credential-edit", args=[mine.object_id]) in page
    assert partner_client.post(URL, {"decision": "approve", "keys": [key(mine)]}).status_code == 403


# --- Deciding --------------------------------------------------------------------------------


def test_bulk_approve_makes_the_partners_records_count(manager_client, partner_user, organisation):
    credential = submitted_credential(partner_user, organisation)
    exchange = submitted_exchange(partner_user, organisation)
    assert not MicroCredential.objects.countable().exists()
    assert not FactoryExchange.objects.international().exists()
    response = manager_client.post(URL, {"decision": "approve", "keys": [key(credential), key(exchange)]})
    assert response.status_code == 302
    assert MicroCredential.objects.countable().count() == 1
    assert FactoryExchange.objects.international().count() == 1
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}
    assert not manager_client.get(URL).context["items"]


def test_bulk_reject_needs_a_reason_and_writes_nothing(manager_client, partner_user, organisation):
    credential = submitted_credential(partner_user, organisation)
    mou = MoUFactory(partner_organisation=organisation)
    response = manager_client.post(URL, {"decision": "reject", "keys": [key(credential), f"mou:{mou.pk}"],
                                         "reason": "  "})
    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    assert Submission.objects.get().status == "submitted"
    assert MoU.objects.get().status == "submitted"
    ok = manager_client.post(URL, {"decision": "reject", "keys": [key(credential), f"mou:{mou.pk}"],
                                   "reason": "Not ours to count."})
    assert ok.status_code == 302
    assert Submission.objects.get().review_note == "Not ours to count."
    assert MoU.objects.get().status == "rejected"
    assert MicroCredential.objects.get().approval == Approval.REJECTED


def test_one_row_button_decides_that_item(manager_client, partner_user, organisation):
    first = submitted_credential(partner_user, organisation)
    second = submitted_credential(partner_user, organisation)
    assert manager_client.post(URL, {"one": f"approve {key(second)}"}).status_code == 302
    assert Submission.objects.get(pk=second.pk).status == "approved"
    assert Submission.objects.get(pk=first.pk).status == "submitted"


def test_own_submission_is_refused_and_the_others_go_through(db, client, organisation, partner_user):
    coordinator = UserFactory(role="coordinator", organisation=organisation)
    own = MoUFactory(partner_organisation=organisation, submitted_by=coordinator)
    other = submitted_credential(partner_user, organisation)
    client.force_login(coordinator)
    page = client.get(URL).content.decode()
    assert "You submitted this" in page
    response = client.post(URL, {"decision": "approve", "keys": [f"mou:{own.pk}", key(other)]}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any("1 item approved" in m for m in shown)
    assert any(own.title in m and "you cannot approve" in m for m in shown)
    assert MoU.objects.get().status == "submitted"
    assert Submission.objects.get().status == "approved"


@pytest.mark.parametrize("data", [
    {"decision": "approve"},                                   # nothing ticked
    {"decision": "maybe", "keys": ["mou:1"]},                  # no such decision
    {"decision": "approve", "keys": ["mou:abc"]},              # not a key
    {"decision": "approve", "keys": ["nothing:1"]},            # no such source
    {"one": "approve"},                                        # a button without its item
    {"decision": "approve", "keys": ["mou:" + "9" * 30]},      # too large
])
def test_bad_decisions_are_form_errors(manager_client, partner_user, organisation, data):
    submitted_credential(partner_user, organisation)
    response = manager_client.post(URL, data)
    assert response.status_code == 400
    assert Submission.objects.get().status == "submitted"


def test_unknown_or_decided_items_are_named_not_a_500(manager_client, partner_user, organisation, manager_user):
    decided = submitted_credential(partner_user, organisation)
    waiting = submitted_credential(partner_user, organisation)
    manager_client.post(URL, {"decision": "approve", "keys": [key(decided)]})
    response = manager_client.post(URL, {"decision": "approve", "keys": [key(decided), "mou:999999", key(waiting)]},
                                   follow=True)
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "not waiting any more" in shown and "No such item" in shown and "1 item approved" in shown


# --- Filters, pages, queries -----------------------------------------------------------------


def test_filters_by_register_organisation_and_age(manager_client, partner_user, other_partner_user, organisation,
                                                 other_organisation):
    credential = submitted_credential(partner_user, organisation)
    exchange = submitted_exchange(other_partner_user, other_organisation)
    mou = MoUFactory(partner_organisation=organisation)
    Submission.objects.filter(pk=credential.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=10))

    def keys(**query):
        response = manager_client.get(URL, query)
        assert response.status_code == 200
        return [item.key for item in response.context["items"]]

    assert keys(register="training:micro-credential") == [key(credential)]
    assert keys(register="mou") == [f"mou:{mou.pk}"]
    assert keys(organisation=other_organisation.pk) == [key(exchange)]
    assert keys(older_than=7) == [key(credential)]
    assert keys(organisation=organisation.pk, register="training:exchange") == []


@pytest.mark.parametrize("query", [{"register": "nope"}, {"organisation": "x"}, {"organisation": "999999"},
                                   {"older_than": "-1"}, {"older_than": "ten"}, {"older_than": "99999999999"}])
def test_bad_filters_are_named(manager_client, query):
    response = manager_client.get(URL, query)
    assert response.status_code == 400
    assert response.context["filter_form"].errors


def test_pages_of_fifty(manager_client, partner_user, organisation):
    made = [submitted_credential(partner_user, organisation) for _ in range(55)]
    first = manager_client.get(URL)
    assert len(first.context["items"]) == 50 and first.context["page"].paginator.count == 55
    second = manager_client.get(URL, {"page": 2})
    assert [item.key for item in second.context["items"]] == [key(s) for s in made[50:]]
    assert manager_client.get(URL, {"page": "zzz"}).status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_the_page_costs_the_same_queries_whatever_waits(manager_client, partner_user, organisation, count,
                                                       django_assert_num_queries):
    for n in range(count):
        submitted_credential(partner_user, organisation)
        MoUFactory(partner_organisation=organisation)
    manager_client.get(URL)  # the session and roles, once
    # session, user, roles, the filter's organisations, the count (the badge's too), the page of keys,
    # then one query per source and register on the page: submissions, their micro-credentials, MoUs
    with django_assert_num_queries(9):
        response = manager_client.get(URL)
    assert len(response.context["items"]) == min(50, 2 * count)


def test_reminders_name_waiting_partner_submissions_and_link_the_inbox(manager_user, partner_user, organisation):
    from reporting import reminders

    manager_user.email = "manager@example.org"
    manager_user.save()
    submission = submitted_credential(partner_user, organisation, title="Cobot basics")
    Submission.objects.filter(pk=submission.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=30))
    due = [r for r in reminders.review_waiting(timezone.localdate()) if r.user == manager_user]
    assert len(due) == 1 and due[0].keys == [key(submission)]
    assert due[0].url.endswith(URL)
    body = reminders.message(due[0]).body
    assert "New record: Cobot basics" in body and URL in body
    # The kind of submission in the recipient's language, though the queue is read once for everyone.
    due[0].user.language = "fi"
    body = reminders.message(due[0]).body
    assert "Uusi tietue: Cobot basics" in body and "New record" not in body


def test_the_cached_list_carries_each_viewers_own_csrf_token_and_follows_a_decision(
        settings, manager_user, partner_user, organisation):
    """With the page cache on, the list is built once per viewer and generation: a second load
    reads it from the cache with the viewer's own CSRF token put in, and a decision rebuilds it."""
    from django.test import Client

    settings.PAGE_CACHE = True
    settings.CACHE_IS_SHARED = True
    first = submitted_credential(partner_user, organisation, title="Cobot basics")
    submitted_credential(partner_user, organisation, title="Laser safety")
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    client.get(URL)
    page = client.get(URL).content.decode()
    assert "Cobot basics" in page and "csrf-slot" not in page
    import re

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.split('id="inbox-decisions"')[1])[1]
    response = client.post(URL, {"one": f"approve submission:{first.pk}", "csrfmiddlewaretoken": token})
    assert response.status_code == 302  # the token in the cached form is accepted
    page = client.get(URL).content.decode()
    assert "Cobot basics" not in page and "Laser safety" in page
