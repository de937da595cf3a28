"""MoUs through the API: partners submit and read their own organisation's; managers review."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from alliance.models import MoU
from tests.alliance.pdf_samples import make_pdf
from tests.api.conftest import send
from tests.factories import MoUFactory, OrganisationFactory

LIST = reverse("api:mou-list")


def detail(mou, action=None):
    if action:
        return reverse(f"api:mou-{action}", args=[mou.pk])
    return reverse("api:mou-detail", args=[mou.pk])


@pytest.fixture
def own_mou(organisation):
    return MoUFactory(partner_organisation=organisation, title="Ours")


@pytest.fixture
def others_mou(other_organisation):
    return MoUFactory(partner_organisation=other_organisation, title="Theirs")


def submission(**extra):
    return {"title": "MoU with a cobot maker", "counterpart": OrganisationFactory(kind="company").pk,
            "scope": "Training on cobots.", "signed_on": "2024-05-02", "signatories": "A. Person, Director", **extra}


def submit(client, headers=None, **extra):
    """An MoU submission as the API takes it: multipart, with the signed PDF."""
    document = SimpleUploadedFile("signed.pdf", make_pdf(), content_type="application/pdf")
    return client.post(LIST, {**submission(**extra), "document": document}, headers=headers or {})


def test_partner_lists_only_its_organisation_mous(partner_client, own_mou, others_mou):
    body = send(partner_client, "get", LIST).json()
    assert [row["title"] for row in body["results"]] == ["Ours"]
    assert body["count"] == 1


def test_partner_reads_its_own_mou_and_gets_404_for_another_organisation(partner_client, own_mou, others_mou):
    assert send(partner_client, "get", detail(own_mou)).status_code == 200
    assert send(partner_client, "get", detail(others_mou)).status_code == 404
    assert send(partner_client, "patch", detail(others_mou), {"title": "x"}).status_code == 404
    assert send(partner_client, "post", detail(others_mou, "approve")).status_code == 404


def test_partner_submits_for_its_own_organisation_whatever_it_sends(partner_client, partner_user, organisation,
                                                                     other_organisation):
    response = submit(partner_client, partner_organisation=other_organisation.pk)
    assert response.status_code == 201, response.json()
    mou = MoU.objects.get(pk=response.json()["id"])
    assert mou.partner_organisation == organisation
    assert mou.submitted_by == partner_user
    assert mou.status == MoU.Status.SUBMITTED


def test_partner_cannot_change_or_review_its_own_mou(partner_client, own_mou):
    assert send(partner_client, "patch", detail(own_mou), {"title": "Changed"}).status_code == 403
    assert send(partner_client, "post", detail(own_mou, "approve")).status_code == 403
    own_mou.refresh_from_db()
    assert own_mou.title == "Ours"
    assert own_mou.status == MoU.Status.SUBMITTED


def test_partner_bad_submission_answers_400_and_writes_nothing(partner_client, organisation):
    response = send(partner_client, "post", LIST, submission(counterpart=organisation.pk))
    assert response.status_code == 400
    assert "counterpart" in response.json()
    assert not MoU.objects.exists()


def test_manager_must_name_the_bringing_organisation(manager_client):
    response = send(manager_client, "post", LIST, submission())
    assert response.status_code == 400
    assert "partner_organisation" in response.json()
    assert not MoU.objects.exists()


def test_status_cannot_be_written_directly(manager_client, own_mou):
    response = send(manager_client, "patch", detail(own_mou), {"status": "approved"})
    assert response.status_code == 200
    own_mou.refresh_from_db()
    assert own_mou.status == MoU.Status.SUBMITTED


def test_manager_approves_a_submitted_mou(manager_client, manager_user, own_mou):
    response = send(manager_client, "post", detail(own_mou, "approve"), {"note": "Fine."})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    own_mou.refresh_from_db()
    assert own_mou.status == MoU.Status.APPROVED
    assert own_mou.reviewed_by == manager_user
    assert own_mou.review_note == "Fine."


def test_approving_twice_answers_400(manager_client, own_mou):
    send(manager_client, "post", detail(own_mou, "approve"))
    response = send(manager_client, "post", detail(own_mou, "approve"))
    assert response.status_code == 400
    assert "status" in response.json()


def test_rejection_needs_a_note(manager_client, own_mou):
    response = send(manager_client, "post", detail(own_mou, "reject"), {"note": "  "})
    assert response.status_code == 400
    assert "note" in response.json()
    own_mou.refresh_from_db()
    assert own_mou.status == MoU.Status.SUBMITTED
    response = send(manager_client, "post", detail(own_mou, "reject"), {"note": "No signature page."})
    assert response.status_code == 200
    own_mou.refresh_from_db()
    assert (own_mou.status, own_mou.review_note) == (MoU.Status.REJECTED, "No signature page.")


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", 200), ("manager", 200), ("staff", 403), ("partner", 403), ("other_partner", 404),
    ("outsider", 403), ("anonymous", 401), ("bad_token", 401),
])
def test_review_permission_matrix(api_clients, own_mou, role, expected):
    assert send(api_clients[role], "post", detail(own_mou, "approve")).status_code == expected
    own_mou.refresh_from_db()
    assert own_mou.is_countable() is (expected == 200)


@pytest.mark.parametrize(("role", "read_own", "create"), [
    ("partner", 200, 201), ("other_partner", 404, 201), ("staff", 200, 403), ("outsider", 403, 403),
])
def test_mou_permission_matrix(api_clients, own_mou, role, read_own, create):
    assert send(api_clients[role], "get", detail(own_mou)).status_code == read_own
    assert submit(api_clients[role]).status_code == create


def test_report_is_reviewed_by_a_manager_of_another_organisation(manager_client, admin_client, organisation, db):
    from indicators.models import Report
    from tests.factories import ReportFactory

    own = ReportFactory(organisation=organisation)
    other = ReportFactory(indicator=own.indicator)
    assert send(manager_client, "post", reverse("api:report-approve", args=[own.pk])).status_code == 403
    response = send(manager_client, "post", reverse("api:report-reject", args=[other.pk]), {"note": ""})
    assert response.status_code == 400
    assert "note" in response.json()
    assert send(manager_client, "post", reverse("api:report-approve", args=[other.pk])).status_code == 200
    assert send(admin_client, "post", reverse("api:report-approve", args=[own.pk])).status_code == 200
    assert set(Report.objects.values_list("status", flat=True)) == {Report.Status.APPROVED}


def test_report_without_evidence_is_refused_like_the_form(manager_client, organisation, db):
    from indicators.models import Indicator, Report
    from tests.factories import IndicatorFactory

    indicator = IndicatorFactory(code="reported-thing", source=Indicator.Source.REPORTED)
    response = send(manager_client, "post", reverse("api:report-list"), {
        "indicator": indicator.code, "organisation": organisation.pk, "as_of": "2024-06-30", "value": "3"})
    assert response.status_code == 400
    assert "evidence_url" in response.json()
    assert not Report.objects.exists()


def test_partner_submissions_are_rate_limited_like_the_form(partner_client, settings):
    settings.MOU_SUBMISSIONS_PER_HOUR = 1
    assert submit(partner_client).status_code == 201
    response = submit(partner_client, title="Another MoU")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert MoU.objects.count() == 1


def test_partner_submits_with_the_signed_pdf_as_multipart(partner_client, manager_client, organisation, settings):
    document = SimpleUploadedFile("signed mou.pdf", make_pdf(), content_type="application/pdf")
    response = partner_client.post(LIST, {**submission(), "document": document})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["document_filename"] == "signed mou.pdf"
    assert "document" not in body
    mou = MoU.objects.get(pk=body["id"])
    assert mou.partner_organisation == organisation
    assert mou.document.name.endswith(".pdf") and "signed" not in mou.document.name
    download = manager_client.get(reverse("alliance:mou-document", args=[mou.pk]))
    assert b"".join(download.streaming_content) == make_pdf()


@pytest.mark.parametrize(("content", "message"), [
    (b"Just some text\n", "not a PDF"),
    (b"<!doctype html><html><body>hi</body></html>", "not a PDF"),
    (b"", "empty"),
])
def test_a_bad_document_answers_400_and_writes_nothing(partner_client, settings, content, message):
    document = SimpleUploadedFile("mou.pdf", content, content_type="application/pdf")
    response = partner_client.post(LIST, {**submission(), "document": document})
    assert response.status_code == 400
    assert message in " ".join(response.json()["document"])
    assert not MoU.objects.exists()
    assert not any(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.pdf"))


def test_an_oversized_document_is_refused(partner_client, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    document = SimpleUploadedFile("mou.pdf", make_pdf(padding=2000), content_type="application/pdf")
    response = partner_client.post(LIST, {**submission(), "document": document})
    assert response.status_code == 400
    assert "at most" in response.json()["document"][0]
    assert not MoU.objects.exists()


def test_the_document_cannot_be_replaced_through_an_update(manager_client, own_mou):
    document = SimpleUploadedFile("mou.pdf", make_pdf(), content_type="application/pdf")
    response = manager_client.patch(detail(own_mou), encode_multipart(BOUNDARY, {"document": document}),
                                    content_type=MULTIPART_CONTENT)
    # An update takes JSON only (a file cannot even be sent): 415, and the document stays.
    assert response.status_code == 415
    own_mou.refresh_from_db()
    assert not own_mou.document or "mou.pdf" not in own_mou.document.name
