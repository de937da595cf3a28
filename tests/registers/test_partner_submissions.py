"""A partner editor's records through the pages: submitted, validated by a coordinator, then counted
(issue 21). The permission matrix is in test_partner_matrix; these follow one record's life."""

import datetime

import pytest
from django.urls import reverse

from registers import submissions
from registers.models import Approval, Submission
from registers.reviews import ReviewRefused
from tests.factories import MicroCredentialFactory, OrganisationFactory, UserFactory
from tests.training.test_register_training import credential_data
from training.models import MicroCredential

pytestmark = pytest.mark.django_db
CREATE = reverse("training:micro-credential-create")


def edit_url(credential):
    return reverse("training:micro-credential-edit", args=[credential.pk])


def counted():
    return set(MicroCredential.objects.countable().values_list("title", flat=True))


def test_a_partners_new_record_waits_for_a_coordinator_and_then_counts(partner_client, partner_user, manager_user,
                                                                       organisation):
    response = partner_client.post(CREATE, credential_data(organisation, title="Cobot welding"))
    assert response.status_code == 302
    credential = MicroCredential.objects.get(title="Cobot welding")
    assert credential.approval == Approval.SUBMITTED and counted() == set()
    submission = Submission.objects.get()
    assert (submission.kind, submission.status, submission.organisation_id, submission.submitted_by_id) == (
        "new", "submitted", organisation.pk, partner_user.pk)
    assert b"waiting for a coordinator" in partner_client.get(response.url).content

    submissions.decide(submission=submission, reviewer=manager_user, decision="approve")
    credential.refresh_from_db()
    assert credential.approval == Approval.APPROVED and counted() == {"Cobot welding"}
    # It counts from its own event date, not from the approval.
    assert MicroCredential.objects.counted_on(datetime.date(2024, 2, 1)).filter(pk=credential.pk).exists()


def test_a_partner_may_not_add_a_record_another_organisation_is_responsible_for(partner_client, other_organisation):
    response = partner_client.post(CREATE, credential_data(other_organisation, title="Not ours"))
    assert response.status_code == 200
    assert other_organisation.name in response.content.decode()
    assert not MicroCredential.objects.exists() and not Submission.objects.exists()


def test_a_proposed_change_counts_only_once_approved(partner_client, manager_client, manager_user, organisation):
    assert manager_client.post(CREATE, credential_data(organisation, title="Robot cell")).status_code == 302
    credential = MicroCredential.objects.get()
    response = partner_client.post(edit_url(credential), credential_data(
        organisation, title="Robot cell", eqf_level="7", version=credential.version))
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.eqf_level == 4 and counted() == {"Robot cell"}  # the approved version keeps counting
    change = Submission.objects.get(kind="change")
    assert [(c["field"], c["old"], c["new"]) for c in change.changes] == [("eqf_level", "4", "7")]
    assert change.base_version == credential.version

    submissions.decide(submission=change, reviewer=manager_user, decision="approve")
    credential.refresh_from_db()
    assert credential.eqf_level == 7 and counted() == set()  # level 7 is not counted


def test_a_rejected_record_goes_back_with_the_reason_and_is_submitted_again(partner_client, manager_user,
                                                                            organisation):
    partner_client.post(CREATE, credential_data(organisation, title="Draft one"))
    credential = MicroCredential.objects.get()
    first = Submission.objects.get()
    with pytest.raises(Exception):  # noqa: B017, PT011 - a rejection needs its reason
        submissions.decide(submission=first, reviewer=manager_user, decision="reject", note="")
    submissions.decide(submission=first, reviewer=manager_user, decision="reject", note="Add the hours.")
    credential.refresh_from_db()
    assert credential.approval == Approval.REJECTED
    page = partner_client.get(reverse("training:micro-credential-detail", args=[credential.pk])).content.decode()
    assert "Add the hours." in page

    partner_client.post(edit_url(credential), credential_data(organisation, title="Draft one", hours="40",
                                                               version=credential.version))
    credential.refresh_from_db()
    assert credential.approval == Approval.SUBMITTED and credential.hours == 40
    assert Submission.objects.filter(status="submitted").count() == 1 and counted() == set()


def test_nobody_reviews_their_own_submission(organisation):
    coordinator = UserFactory(role="coordinator", organisation=organisation)
    credential = MicroCredentialFactory(awarding_body=organisation, approval=Approval.SUBMITTED)
    submission = submissions.submit_new(credential, "training:micro-credential", coordinator)
    with pytest.raises(ReviewRefused):
        submissions.decide(submission=submission, reviewer=coordinator, decision="approve")
    assert MicroCredential.objects.get().approval == Approval.SUBMITTED


def test_partners_find_only_their_own_organisations_records(partner_client, organisation, other_organisation):
    ours = MicroCredentialFactory(awarding_body=organisation, title="Ours")
    theirs = MicroCredentialFactory(awarding_body=other_organisation, title="Theirs")
    listing = partner_client.get(reverse("training:micro-credential-list")).content.decode()
    assert "Ours" in listing and "Theirs" not in listing
    assert partner_client.get(reverse("training:micro-credential-detail", args=[ours.pk])).status_code == 200
    for name in ("detail", "edit", "status"):
        url = reverse(f"training:micro-credential-{name}", args=[theirs.pk])
        assert partner_client.get(url).status_code == 404
    assert partner_client.post(edit_url(theirs), credential_data(other_organisation)).status_code == 404
    assert partner_client.get(reverse("training:micro-credential-correct", args=[ours.pk])).status_code == 403


def test_a_partner_viewer_reads_its_own_records_and_writes_nothing(client, organisation):
    viewer = UserFactory(role="partner_viewer", organisation=organisation)
    client.force_login(viewer)
    ours = MicroCredentialFactory(awarding_body=organisation, title="Ours")
    assert client.get(reverse("training:micro-credential-detail", args=[ours.pk])).status_code == 200
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, credential_data(organisation)).status_code == 403
    assert client.post(edit_url(ours), credential_data(organisation)).status_code == 403
    assert MicroCredential.objects.count() == 1 and not Submission.objects.exists()


def test_a_coordinators_own_edit_applies_at_once(manager_client, organisation):
    other = OrganisationFactory()
    response = manager_client.post(CREATE, credential_data(other, title="Coordinated"))
    assert response.status_code == 302
    assert MicroCredential.objects.get().approval == Approval.APPROVED and counted() == {"Coordinated"}
    assert not Submission.objects.exists()


def test_a_partner_viewer_submits_no_mou(client, organisation):
    from django.core.exceptions import PermissionDenied

    from alliance import services
    from tests.alliance.pdf_samples import make_pdf

    viewer = UserFactory(role="partner_viewer", organisation=organisation)
    client.force_login(viewer)
    assert client.get(reverse("alliance:mou-create")).status_code == 403
    assert "Submit an MoU" not in client.get(reverse("alliance:mou-list")).content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(PermissionDenied):
        services.mou_submit(user=viewer, partner_organisation=organisation, data={"title": "x"},
                            document=SimpleUploadedFile("m.pdf", make_pdf(), "application/pdf"),
                            counterpart=OrganisationFactory())
