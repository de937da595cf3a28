"""Reporting periods, narratives, partner notes, milestones and the period's reports in the API (issue 25)."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting import narratives, partner_narratives, periods
from reporting.models import Narrative, PartnerNarrative
from tests.api.conftest import send, token_client

pytestmark = pytest.mark.django_db
PERIODS = reverse("api:period-list")
NARRATIVES = reverse("api:narrative-list")
NOTES = reverse("api:partner-note-list")
MILESTONES = reverse("api:milestone-list")


def period_url(period):
    return reverse("api:period-detail", args=[period.pk])


def report_url(period, fmt):
    return reverse("api:period-report", args=[period.pk, fmt])


@pytest.fixture
def written(period_data, period, manager_user):
    return narratives.narrative_save(indicator=period_data["alliance-members"], period=period, user=manager_user,
                                     data={"what_happened": "Two VET centres joined.", "next_steps": "A call."})


# --- Periods -------------------------------------------------------------------------------------


def test_a_period_gives_each_indicators_value_at_its_end_with_milestone_status_and_narrative(
        staff_client, period_data, period, written):
    body = staff_client.get(period_url(period)).json()
    assert body["state"] == "open" and body["as_of"] == "2024-02-29" and body["project"] == period.project.code
    rows = {row["code"]: row for row in body["indicators"]}
    assert set(rows) == set(period_data)
    members = rows["alliance-members"]
    # Two members at the period's end (the third joined after it); the milestone due in it; the narrative.
    assert members["value"] == "2.00" and members["as_of"] == "2024-02-29" and members["status"]
    assert members["milestone"] == {"date": "2023-12-31", "value": "60.00", "label": "M16"}
    assert members["narrative"]["what_happened"] == "Two VET centres joined."
    assert members["narrative"]["id"] == written.pk and members["narrative"]["indicator"] == "alliance-members"
    assert rows["mous"]["narrative"] is None
    assert body["report_pdf"].endswith(report_url(period, "pdf"))


def test_the_list_gives_the_periods_with_their_state_and_filters(staff_client, period_data, period):
    body = staff_client.get(PERIODS).json()
    assert [p["id"] for p in body["results"]] == [period.pk] and "indicators" not in body["results"][0]
    assert staff_client.get(PERIODS, {"state": "closed"}).json()["results"] == []
    assert staff_client.get(PERIODS, {"project__code": "nothing"}).json()["results"] == []
    assert staff_client.get(PERIODS, {"state": "bogus"}).status_code == 400
    assert staff_client.get(PERIODS, {"end_on__gte": "not-a-date"}).status_code == 400


@pytest.mark.parametrize("role, expected", [("partner", 403), ("anonymous", 401), ("staff", 200),
                                            ("manager", 200), ("admin", 200)])
def test_who_reads_the_periods(role_clients, period, role, expected):
    for url in (PERIODS, period_url(period)):
        assert role_clients[role].get(url).status_code == expected


def test_a_partner_who_reads_the_dashboard_reads_the_period_as_its_page_but_gets_no_report(
        partner_client, period_data, period, written, project):
    project.partners_see_dashboard = True
    project.save()
    body = partner_client.get(period_url(period)).json()
    assert body["report_pdf"] is None and body["report_xlsx"] is None
    # The narratives as on the period's page (``narratives.can_read``: whoever reads the dashboard).
    assert {row["code"]: row for row in body["indicators"]}["alliance-members"]["narrative"]["id"] == written.pk
    assert partner_client.get(report_url(period, "pdf")).status_code == 403
    assert partner_client.get(NARRATIVES).status_code == 403  # the narratives' own list is the staff's


def test_an_unknown_period_is_404(staff_client, db):
    assert staff_client.get(reverse("api:period-detail", args=[999999])).status_code == 404
    assert staff_client.get("/api/v1/periods/abc/").status_code == 404


# --- Reports -------------------------------------------------------------------------------------


def test_the_reports_download_through_the_api_with_a_token(manager_user, period_data, period, written):
    client = token_client(manager_user)
    pdf = client.get(report_url(period, "pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(report_url(period, "xlsx"), HTTP_ACCEPT="application/json")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert "attachment" in xlsx["Content-Disposition"]
    load_workbook(io.BytesIO(xlsx.content))  # a workbook
    assert client.get(f"/api/v1/periods/{period.pk}/report/docx/").status_code == 404


def test_a_large_report_answers_202_while_a_worker_builds_it(manager_client, period_data, period, settings,
                                                             monkeypatch):
    from reporting import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REPORT_ASYNC_RECORDS = 0
    queued = []
    monkeypatch.setattr(tasks.period_report_task, "delay", lambda *args: queued.append(args))
    for accept in ("application/pdf", "application/json"):
        response = manager_client.get(report_url(period, "pdf"), HTTP_ACCEPT=accept)
        assert response.status_code == 202 and response["Content-Type"] == "application/json"
        assert response.json()["done"] == 0 and response["Retry-After"]
    assert len(queued) == 1  # asked twice, built once


def test_a_refused_report_answers_json_even_when_a_pdf_is_asked(partner_client, period):
    response = partner_client.get(report_url(period, "pdf"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 403 and response["Content-Type"] == "application/json"


# --- Narratives ------------------------------------------------------------------------------------


def test_a_coordinator_writes_a_narrative_and_staff_read_it(manager_client, staff_client, manager_user, period_data,
                                                            period):
    response = send(manager_client, "post", NARRATIVES, {"period": period.pk, "indicator": "mous",
                                                         "what_happened": "Three MoUs signed.", "is_public": True})
    assert response.status_code == 201, response.json()
    narrative = Narrative.objects.get()
    assert narrative.written_by == manager_user and narrative.indicator.code == "mous" and narrative.is_public
    read = staff_client.get(reverse("api:narrative-detail", args=[narrative.pk])).json()
    assert read["what_happened"] == "Three MoUs signed." and read["version"] == 1
    assert staff_client.get(NARRATIVES, {"period": period.pk, "indicator__code": "mous"}).json()["count"] == 1
    assert staff_client.get(NARRATIVES, {"period": 999999}).json()["results"] == []


def test_a_coordinator_updates_a_narrative_and_a_stale_version_answers_409(manager_client, written):
    url = reverse("api:narrative-detail", args=[written.pk])
    response = send(manager_client, "patch", url, {"why": "Ahead of plan.", "version": 1})
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2 and response.json()["what_happened"] == "Two VET centres joined."
    stale = send(manager_client, "patch", url, {"why": "Overwritten?", "version": 1})
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    written.refresh_from_db()
    assert written.why == "Ahead of plan."
    moved = send(manager_client, "patch", url, {"indicator": "mous"})
    assert moved.status_code == 400
    assert Narrative.objects.get().indicator.code == "alliance-members"


@pytest.mark.parametrize("body, field", [
    ({"indicator": "mous", "what_happened": "x"}, "period"),
    ({"period": 999999, "indicator": "mous", "what_happened": "x"}, "period"),
    ({"period": "abc", "indicator": "mous", "what_happened": "x"}, "period"),
    ({"indicator": "no-such-indicator", "what_happened": "x"}, "indicator"),
    ({"indicator": "mous"}, "non_field_errors"),  # no part written
    ({"indicator": "mous", "what_happened": "x", "is_public": "perhaps"}, "is_public"),
    ({"indicator": "alliance-members", "what_happened": "again"}, "indicator"),  # exists: update it
])
def test_a_bad_narrative_answers_400_with_the_field_and_writes_nothing(manager_client, written, period, body, field):
    body = {"period": period.pk, **body} if "period" not in body and field != "period" else body
    response = send(manager_client, "post", NARRATIVES, body)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert Narrative.objects.count() == 1 and Narrative.objects.get().what_happened == "Two VET centres joined."


def test_a_closed_periods_narratives_no_longer_change(manager_client, manager_user, written, period):
    periods.period_review(period=period, user=manager_user)
    periods.period_close(period=period, user=manager_user)
    response = send(manager_client, "patch", reverse("api:narrative-detail", args=[written.pk]), {"why": "Late."})
    assert response.status_code == 400 and "closed" in str(response.json())
    written.refresh_from_db()
    assert written.why == ""


@pytest.mark.parametrize("role, read, write", [("staff", 200, 403), ("partner", 403, 403), ("anonymous", 401, 401),
                                               ("admin", 200, 201)])
def test_who_reads_and_writes_narratives(role_clients, period_data, period, role, read, write):
    client = role_clients[role]
    assert client.get(NARRATIVES).status_code == read
    response = send(client, "post", NARRATIVES, {"period": period.pk, "indicator": "mous", "what_happened": "x"})
    assert response.status_code == write
    assert Narrative.objects.exists() == (write == 201)


# --- Partner notes ---------------------------------------------------------------------------------


def test_a_partner_editor_writes_its_organisations_note_and_reads_only_its_own(
        partner_client, other_partner_client, manager_client, partner_user, other_partner_user, period_data, period,
        organisation):
    response = send(partner_client, "post", NOTES, {"period": period.pk, "indicator": "alliance-members",
                                                    "text": "We brought two centres.", "organisation": 424242})
    assert response.status_code == 201, response.json()
    note = PartnerNarrative.objects.get()
    assert note.organisation == organisation and note.author == partner_user  # never another organisation
    again = send(partner_client, "post", NOTES, {"period": period.pk, "indicator": "alliance-members",
                                                 "text": "Replaced."})
    assert again.status_code == 201 and PartnerNarrative.objects.get().text == "Replaced."
    assert send(other_partner_client, "get", NOTES).json()["results"] == []
    assert other_partner_client.get(reverse("api:partner-note-detail", args=[note.pk])).status_code == 404
    assert manager_client.get(NOTES).json()["count"] == 1
    detail = manager_client.get(period_url(period)).json()
    assert {r["code"]: r for r in detail["indicators"]}["alliance-members"]["partner_notes"][0]["text"] == "Replaced."


@pytest.mark.parametrize("body, field", [
    ({"indicator": "alliance-members", "text": ""}, "text"),
    ({"indicator": "alliance-members", "text": "x" * 4001}, "text"),
    ({"indicator": "nothing", "text": "x"}, "indicator"),
    ({"indicator": "alliance-members"}, "text"),
])
def test_a_bad_note_answers_400_and_writes_nothing(partner_client, period_data, period, body, field):
    response = send(partner_client, "post", NOTES, {"period": period.pk, **body})
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not PartnerNarrative.objects.exists()


def test_a_note_in_a_period_in_review_is_refused(partner_client, manager_user, period_data, period):
    periods.period_review(period=period, user=manager_user)
    response = send(partner_client, "post", NOTES, {"period": period.pk, "indicator": "mous", "text": "Late."})
    assert response.status_code == 400 and "review" in str(response.json())
    assert not PartnerNarrative.objects.exists()


def test_only_a_partner_editor_writes_notes(manager_client, staff_client, period_data, period):
    for client in (manager_client, staff_client):
        assert send(client, "post", NOTES, {"period": period.pk, "indicator": "mous", "text": "x"}).status_code == 403
    assert not PartnerNarrative.objects.exists()
    assert partner_narratives.may_write  # the rule the permission asks


# --- Milestones ------------------------------------------------------------------------------------


def test_milestones_are_listed_by_indicator_with_filters(staff_client, partner_client, period_data):
    body = staff_client.get(MILESTONES, {"indicator__code": "alliance-members"}).json()
    assert [(m["indicator"], m["date"], m["value"], m["label"]) for m in body["results"]] == [
        ("alliance-members", "2023-12-31", "60.00", "M16")]
    assert staff_client.get(MILESTONES, {"date__gte": "2024-01-01"}).json()["results"] == []
    assert staff_client.get(MILESTONES, {"date__gte": "soon"}).status_code == 400
    assert staff_client.get(MILESTONES, {"indicator__code": "nothing"}).json()["results"] == []
    assert partner_client.get(MILESTONES).status_code == 403
    assert datetime.date.fromisoformat(body["results"][0]["date"])
    assert body["results"][0]["is_assumed"] is False  # stated, not assumed (issue 27)
