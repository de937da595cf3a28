"""Reported values go through the one review workflow: nobody reviews a value they reported."""

import pytest
from django.urls import reverse

from indicators.models import Indicator, Report
from tests.factories import IndicatorFactory, OrganisationFactory, ReportFactory, UserFactory


@pytest.fixture
def indicator(db):
    return IndicatorFactory(code="skill-gaps-reported", source=Indicator.Source.REPORTED)


@pytest.fixture
def third_manager_client(client, db):
    client.force_login(UserFactory(username="thirdmanager", role="manager",
                                   organisation=OrganisationFactory(name="Third VET")))
    return client


@pytest.fixture
def own_report(indicator, manager_user, other_organisation):
    """A value the manager reported for another organisation than their own."""
    return ReportFactory(indicator=indicator, organisation=other_organisation, submitted_by=manager_user)


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_the_manager_who_reported_cannot_review_it_through_the_api(manager_client, own_report, action):
    response = manager_client.post(f"/api/v1/reports/{own_report.pk}/{action}/", {"note": "ok"},
                                   content_type="application/json")
    assert response.status_code == 403
    assert "You submitted this yourself" in response.json()["detail"]
    own_report.refresh_from_db()
    assert own_report.status == Report.Status.SUBMITTED


def test_the_manager_who_reported_sees_why_in_the_browser(manager_client, own_report):
    response = manager_client.post(reverse("indicators:report-reject", args=[own_report.pk]), {"review_note": "x"})
    assert response.status_code == 403
    assert "You submitted this yourself" in response.content.decode()


def test_an_admin_cannot_approve_a_value_they_reported(admin_client, admin_user, indicator, organisation):
    report = ReportFactory(indicator=indicator, organisation=organisation, submitted_by=admin_user)
    assert admin_client.post(f"/api/v1/reports/{report.pk}/approve/",
                             content_type="application/json").status_code == 403
    assert admin_client.post(reverse("indicators:report-approve", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_a_manager_of_a_third_organisation_approves_it(third_manager_client, own_report):
    response = third_manager_client.post(f"/api/v1/reports/{own_report.pk}/approve/", {"note": "Checked."},
                                         content_type="application/json")
    assert response.status_code == 200, response.json()
    own_report.refresh_from_db()
    assert (own_report.status, own_report.review_note) == (Report.Status.APPROVED, "Checked.")
    assert own_report.reviewed_by.username == "thirdmanager"


def test_a_submitted_report_records_who_and_when(manager_client, manager_user, indicator, organisation):
    response = manager_client.post("/api/v1/reports/", {
        "indicator": indicator.code, "organisation": organisation.pk, "as_of": "2024-06-30", "value": "3",
        "evidence_url": "https://example.org/e"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["submitted_by"] == manager_user.pk and body["submitted_at"]
