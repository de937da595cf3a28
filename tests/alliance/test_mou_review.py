"""Reviewing MoUs: the queue, approve, reject with a reason, withdraw, e-mails on the decision, filters."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from alliance.models import MoU
from alliance.tasks import notify_managers_of_submission, notify_partner_of_decision
from tests.factories import MoUFactory, OrganisationFactory


@pytest.fixture
def mou(partner_user):
    return MoUFactory(partner_organisation=partner_user.organisation, submitted_by=partner_user,
                      title="MoU with Siemens")


def detail(mou):
    return reverse("alliance:mou-detail", args=[mou.pk])


def test_approving_makes_the_mou_count_and_emails_the_partner(manager_client, manager_user, mou, partner_user,
                                                              django_capture_on_commit_callbacks):
    assert not MoU.objects.countable().filter(pk=mou.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("alliance:mou-approve", args=[mou.pk]), {"approve-review_note": "Fine."})
    mou.refresh_from_db()
    assert (mou.status, mou.reviewed_by, mou.review_note) == (MoU.Status.APPROVED, manager_user, "Fine.")
    assert MoU.objects.countable().filter(pk=mou.pk).exists()
    [message] = mail.outbox
    assert message.to == [partner_user.email]
    assert "approved" in message.subject and "MoU with Siemens" in message.subject
    assert detail(mou) in message.body


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(manager_client, mou,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("alliance:mou-reject", args=[mou.pk]), {"reject-review_note": "  "})
    assert response.status_code == 400
    assert "Give the reason for the rejection" in response.content.decode()
    mou.refresh_from_db()
    assert mou.status == MoU.Status.SUBMITTED and mou.reviewed_by is None
    assert mail.outbox == []


def test_the_rejection_reason_reaches_the_partner(manager_client, mou, partner_user,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("alliance:mou-reject", args=[mou.pk]),
                                       {"reject-review_note": "The PDF is not signed."})
    assert response.status_code == 302
    mou.refresh_from_db()
    assert (mou.status, mou.review_note) == (MoU.Status.REJECTED, "The PDF is not signed.")
    [message] = mail.outbox
    assert message.to == [partner_user.email] and "rejected" in message.subject
    assert "The PDF is not signed." in message.body
    page = manager_client.get(detail(mou)).content.decode()
    assert "Reason for rejection" in page and "The PDF is not signed." in page


def test_a_decided_mou_cannot_be_decided_again(manager_client, mou, django_capture_on_commit_callbacks):
    manager_client.post(reverse("alliance:mou-approve", args=[mou.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("alliance:mou-reject", args=[mou.pk]), {"reject-review_note": "No"},
                                       follow=True)
    assert "Only a submitted MoU can be rejected" in response.content.decode()
    mou.refresh_from_db()
    assert mou.status == MoU.Status.APPROVED
    assert mail.outbox == []


def test_the_partner_withdraws_only_while_submitted(partner_client, mou):
    partner_client.post(reverse("alliance:mou-withdraw", args=[mou.pk]))
    mou.refresh_from_db()
    assert mou.status == MoU.Status.WITHDRAWN
    response = partner_client.post(reverse("alliance:mou-withdraw", args=[mou.pk]), follow=True)
    assert "Only a submitted MoU can be withdrawn" in response.content.decode()


def test_an_approved_mou_cannot_be_withdrawn(partner_client, mou):
    MoU.objects.filter(pk=mou.pk).update(status=MoU.Status.APPROVED)
    partner_client.post(reverse("alliance:mou-withdraw", args=[mou.pk]))
    mou.refresh_from_db()
    assert mou.status == MoU.Status.APPROVED


def test_the_decision_email_goes_to_the_organisations_partners_when_the_submitter_is_gone(partner_user, mou):
    mou.submitted_by = None
    mou.status = MoU.Status.APPROVED
    mou.save()
    assert notify_partner_of_decision(mou.pk) == 1
    assert mail.outbox[0].to == [partner_user.email]


def test_the_tasks_do_nothing_for_a_missing_or_undecided_mou(manager_user, mou):
    assert notify_partner_of_decision(mou.pk) == 0
    assert notify_managers_of_submission(mou.pk + 1000) == 0
    assert mail.outbox == []


def test_the_manager_sees_the_queue_oldest_first_then_everything(manager_client, partner_user):
    now = datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)
    newer = MoUFactory(title="Newer waiting", submitted_at=now)
    older = MoUFactory(title="Older waiting", submitted_at=now - datetime.timedelta(days=3))
    decided = MoUFactory(title="Already approved", status=MoU.Status.APPROVED)
    response = manager_client.get(reverse("alliance:mou-list"))
    assert list(response.context["queue_page"].object_list) == [older, newer]
    assert set(response.context["page"].object_list) == {older, newer, decided}


def test_the_partner_sees_its_own_organisations_mous_with_their_status(partner_client, partner_user,
                                                                       other_organisation):
    ours = MoUFactory(partner_organisation=partner_user.organisation, status=MoU.Status.REJECTED, title="Ours")
    MoUFactory(partner_organisation=other_organisation, title="Theirs")
    response = partner_client.get(reverse("alliance:mou-list"))
    assert list(response.context["page"].object_list) == [ours]
    html = response.content.decode()
    assert "Rejected" in html and "Theirs" not in html


@pytest.mark.parametrize(("query", "expected"), [
    ({"status": "approved"}, {"approved-fr"}),
    ({"country": "FR"}, {"approved-fr", "submitted-fr-b"}),
    ({"partner": "B"}, {"submitted-fr-b"}),
    ({"status": "submitted", "country": "DE"}, {"submitted-de"}),
    ({"status": "bogus"}, {"approved-fr", "submitted-fr-b", "submitted-de"}),
])
def test_the_manager_filters_by_status_country_and_partner(manager_client, query, expected):
    org_a, org_b = OrganisationFactory(name="A"), OrganisationFactory(name="B")
    fr, de = OrganisationFactory(country="FR"), OrganisationFactory(country="DE")
    MoUFactory(title="approved-fr", counterpart=fr, partner_organisation=org_a, status=MoU.Status.APPROVED)
    MoUFactory(title="submitted-fr-b", counterpart=fr, partner_organisation=org_b)
    MoUFactory(title="submitted-de", counterpart=de, partner_organisation=org_a)
    if "partner" in query:
        query = {"partner": {"A": org_a, "B": org_b}[query["partner"]].pk}
    response = manager_client.get(reverse("alliance:mou-list"), query)
    assert {m.title for m in response.context["page"].object_list} == expected


def test_the_list_is_paginated_and_keeps_the_filters(manager_client):
    MoUFactory.create_batch(30, status=MoU.Status.APPROVED)
    first = manager_client.get(reverse("alliance:mou-list"), {"status": "approved"})
    assert len(first.context["page"].object_list) == 25
    assert "status=approved&amp;page=2" in first.content.decode()
    second = manager_client.get(reverse("alliance:mou-list"), {"status": "approved", "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_the_list_costs_the_same_queries_for_more_mous(manager_client, django_assert_max_num_queries):
    MoUFactory.create_batch(3)
    with django_assert_max_num_queries(12) as few:
        manager_client.get(reverse("alliance:mou-list"))
    MoUFactory.create_batch(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager_client.get(reverse("alliance:mou-list"))


def test_the_review_queue_is_paged_not_rendered_whole(manager_client, monkeypatch):
    from alliance.mous import views

    monkeypatch.setattr(views.mous, "page_size", 2)
    start = datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)
    mous = [MoUFactory(title=f"Queued {i}", submitted_at=start + datetime.timedelta(hours=i)) for i in range(5)]
    first = manager_client.get(reverse("alliance:mou-list"))
    assert [m.pk for m in first.context["queue_page"].object_list] == [m.pk for m in mous[:2]]
    assert first.context["queue_page"].paginator.count == 5
    assert "queue_page=2" in first.content.decode()
    last = manager_client.get(reverse("alliance:mou-list"), {"queue_page": 3})
    assert [m.pk for m in last.context["queue_page"].object_list] == [mous[4].pk]
