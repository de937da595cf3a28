"""Reported values: report with evidence, review by managers of other organisations, evidence download."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Indicator, Report
from tests.factories import IndicatorFactory, OrganisationFactory, ReportFactory, UserFactory
from tests.registers_matrix import EDIT, READ, check_pages

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def indicator(db):
    return IndicatorFactory(code="teachers-trained", title="Teachers trained", source=Indicator.Source.REPORTED)


def data(indicator, organisation, **overrides):
    return {"indicator": indicator.pk, "organisation": organisation.pk, "as_of": "2024-06-30", "value": "12",
            "evidence_url": "https://example.org/list.pdf", "note": "kept text", **overrides}


def test_report_form_preselects_indicator_from_query_and_defaults(manager_client, indicator, organisation):
    form = manager_client.get(reverse("indicators:report-create") + "?indicator=teachers-trained").context["form"]
    assert form["indicator"].value() == indicator.pk
    assert form["organisation"].value() == organisation.pk
    assert form["as_of"].value() == datetime.date.today()


def test_manager_reports_with_evidence_file(manager_client, indicator, organisation):
    upload = SimpleUploadedFile("list.pdf", PDF, content_type="application/pdf")
    response = manager_client.post(reverse("indicators:report-create") + "?next=/",
                                   data(indicator, organisation, evidence_url="", evidence_file=upload, next="/"))
    assert response.status_code == 302 and response["Location"] == "/"
    report = Report.objects.get()
    assert report.status == "submitted" and report.submitted_by.username == "manager"
    assert report.value == Decimal("12") and report.evidence_file.name.endswith(".pdf")
    assert "list.pdf" not in report.evidence_file.name  # the user's file name never reaches the disk


@pytest.mark.parametrize("overrides, field", [
    ({"evidence_url": ""}, "evidence_url"),
    ({"value": "-1"}, "value"),
    ({"value": "twelve"}, "value"),
    ({"as_of": "2999-01-01"}, "as_of"),
    ({"evidence_url": "", "evidence_file": SimpleUploadedFile("list.pdf", b"MZ not a pdf")}, "evidence_file"),
    ({"evidence_url": "", "evidence_file": SimpleUploadedFile("run.exe", PDF)}, "evidence_file"),
])
def test_bad_report_input(manager_client, indicator, organisation, overrides, field):
    response = manager_client.post(reverse("indicators:report-create"), data(indicator, organisation, **overrides))
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert b"kept text" in response.content
    assert Report.objects.count() == 0


def test_measured_indicator_takes_no_report(manager_client, indicator, organisation):
    counted = IndicatorFactory(code="alliance-members", project=indicator.project)
    response = manager_client.post(reverse("indicators:report-create"), data(counted, organisation))
    assert response.context["form"].errors["indicator"]
    assert Report.objects.count() == 0


def test_too_large_evidence_refused(manager_client, indicator, organisation, settings):
    settings.MAX_UPLOAD_BYTES = 10
    upload = SimpleUploadedFile("list.pdf", PDF)
    response = manager_client.post(reverse("indicators:report-create"),
                                   data(indicator, organisation, evidence_url="", evidence_file=upload))
    assert "larger than" in str(response.context["form"].errors["evidence_file"])


def test_manager_of_another_organisation_approves(client, indicator, other_organisation):
    report = ReportFactory(indicator=indicator, organisation=OrganisationFactory(name="Reporter org"))
    reviewer = UserFactory(username="reviewer", role="manager", organisation=other_organisation)
    client.force_login(reviewer)
    response = client.post(reverse("indicators:report-approve", args=[report.pk]), {"review_note": "ok"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "approved" and report.reviewed_by == reviewer


def test_manager_may_not_review_own_organisation(manager_client, indicator, organisation):
    report = ReportFactory(indicator=indicator, organisation=organisation)
    assert manager_client.post(reverse("indicators:report-approve", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted"


def test_reject_needs_a_note(manager_client, indicator):
    report = ReportFactory(indicator=indicator)
    url = reverse("indicators:report-reject", args=[report.pk])
    response = manager_client.post(url, {"review_note": " "})
    assert response.status_code == 200 and "Give the reason" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"
    assert manager_client.post(url, {"review_note": "No evidence of the count"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "rejected" and report.review_note == "No evidence of the count"


def test_reviewed_report_cannot_be_reviewed_again(manager_client, indicator):
    report = ReportFactory(indicator=indicator, status="approved")
    response = manager_client.post(reverse("indicators:report-reject", args=[report.pk]), {"review_note": "no"})
    assert response.status_code == 200 and "Only a submitted report" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "approved"


def test_evidence_is_downloaded_as_attachment_by_readers_only(manager_client, role_clients, indicator,
                                                             organisation):
    upload = SimpleUploadedFile("list.pdf", PDF)
    manager_client.post(reverse("indicators:report-create"),
                        data(indicator, organisation, evidence_url="", evidence_file=upload))
    url = reverse("indicators:report-evidence", args=[Report.objects.get().pk])
    response = role_clients["staff"].get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert role_clients["partner"].get(url).status_code == 403
    assert role_clients["anonymous"].get(url).status_code == 302


ROLES = ["admin", "staff", "manager", "partner", "other_partner", "anonymous"]


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role(role_clients, role, indicator):
    report = ReportFactory(indicator=indicator)
    check_pages(role_clients, role, [("indicators:report-list", [], READ),
                                     ("indicators:report-detail", [report.pk], READ),
                                     ("indicators:report-create", [], EDIT)])


@pytest.mark.parametrize("role, expected", [("staff", 403), ("partner", 403), ("anonymous", 302)])
def test_review_refused_for_roles_that_may_not_review(role_clients, role, expected, indicator):
    report = ReportFactory(indicator=indicator)
    for action in ("approve", "reject"):
        assert role_clients[role].post(reverse(f"indicators:report-{action}", args=[report.pk]),
                                       {"review_note": "x"}).status_code == expected
    report.refresh_from_db()
    assert report.status == "submitted"


def test_manager_may_not_approve_a_report_they_made_for_another_organisation(manager_client, manager_user,
                                                                             indicator, other_organisation):
    report = ReportFactory(indicator=indicator, organisation=other_organisation, submitted_by=manager_user)
    assert manager_client.post(reverse("indicators:report-approve", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted"



def test_approved_report_cannot_be_changed_through_the_api(manager_client, indicator):
    report = ReportFactory(indicator=indicator, status="approved", value=Decimal("5"))
    response = manager_client.patch(f"/api/v1/reports/{report.pk}/", {"value": "9999"},
                                    content_type="application/json")
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.value == Decimal("5")
