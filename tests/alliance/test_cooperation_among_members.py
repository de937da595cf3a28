"""Cooperation projects "among alliance members": the measure applies the rule, whatever wrote the record.

A project counts only if at least two of its participants were alliance members active on the
project's start date; it counts from its start up to the day before it is cancelled.
"""

import datetime

import pytest
from django.urls import reverse

from alliance import services
from alliance.models import AllianceMember, CooperationProject
from indicators.registry import registry
from tests.api.conftest import send
from tests.factories import AllianceMemberFactory, CooperationProjectFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2024, 3, 1)
DEC_2024 = datetime.date(2024, 12, 31)
TODAY = datetime.date.today()


def projects_on(on):
    return registry.get("cooperation-projects").total(on)


def member(joined_on=datetime.date(2023, 1, 1), left_on=None):
    return AllianceMemberFactory(organisation=OrganisationFactory(), joined_on=joined_on, left_on=left_on)


def test_a_project_of_two_members_counts():
    a, b = member(), member()
    CooperationProjectFactory(lead_organisation=a.organisation, participants=[a.organisation, b.organisation],
                              started_on=START)
    assert projects_on(START - datetime.timedelta(days=1)) == 0
    assert projects_on(START) == 1 and projects_on(DEC_2024) == 1


def test_a_project_saved_with_a_non_member_does_not_count():
    """Written around the form (admin site, import, a script): one member and an outsider."""
    a = member()
    outsider = OrganisationFactory()
    project = CooperationProject.objects.create(title="Around the form", lead_organisation=a.organisation,
                                                started_on=START)
    project.participants.set([a.organisation, outsider])
    assert projects_on(DEC_2024) == 0
    # The outsider joins later: still not a member on the project's start date.
    AllianceMemberFactory(organisation=outsider, joined_on=START + datetime.timedelta(days=1))
    assert projects_on(DEC_2024) == 0
    # A third participant who was a member makes two members: it counts.
    c = member()
    project.participants.add(c.organisation)
    assert projects_on(DEC_2024) == 1


def test_a_participants_join_date_corrected_past_the_start_stops_the_count(manager_client):
    a, b = member(), member()
    CooperationProjectFactory(lead_organisation=a.organisation, participants=[a.organisation, b.organisation],
                              started_on=START)
    assert projects_on(DEC_2024) == 1
    # The member edit is allowed (nothing refuses it) but the count follows the rule.
    response = manager_client.post(reverse("alliance:member-edit", args=[b.pk]), {
        "organisation": b.organisation_id, "category": b.category, "joined_on": "2024-06-01", "version": 1})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.joined_on == datetime.date(2024, 6, 1)
    assert projects_on(DEC_2024) == 0


def test_a_withdrawal_back_dated_before_the_start_stops_the_count():
    a, b = member(), member()
    CooperationProjectFactory(lead_organisation=a.organisation, participants=[a.organisation, b.organisation],
                              started_on=START)
    assert projects_on(DEC_2024) == 1
    services.member_withdraw(member=b, left_on=datetime.date(2024, 2, 1))
    assert projects_on(DEC_2024) == 0
    assert AllianceMember.objects.get(pk=b.pk).left_on == datetime.date(2024, 2, 1)


def test_a_member_leaving_after_the_start_keeps_the_project_counted():
    a, b = member(), member()
    CooperationProjectFactory(lead_organisation=a.organisation, participants=[a.organisation, b.organisation],
                              started_on=START)
    services.member_withdraw(member=b, left_on=datetime.date(2024, 9, 1))
    assert projects_on(DEC_2024) == 1


def test_members_change_triggers_the_cooperation_projects_measure():
    measure = registry.get("cooperation-projects")
    assert "alliance.AllianceMember" in measure.models
    assert "alliance.AllianceMember" in measure.change_dates  # the projects of its organisation started meanwhile
    assert measure.event_dates["alliance.CooperationProject"] == ("started_on", "cancelled_on")


# --- Cancelling on a date --------------------------------------------------------------------------------


def test_cancelling_a_project_in_2026_leaves_its_2024_value(manager_client):
    projects = []
    for _ in range(2):
        a, b = member(), member()
        projects.append(CooperationProjectFactory(lead_organisation=a.organisation,
                                                  participants=[a.organisation, b.organisation], started_on=START))
    assert projects_on(DEC_2024) == 2
    response = manager_client.post(reverse("alliance:cooperation-project-status", args=[projects[0].pk]),
                                   {"status": "cancelled", "cancelled_on": "2026-03-01", "version": 1})
    assert response.status_code == 302
    projects[0].refresh_from_db()
    assert projects[0].status == "cancelled" and projects[0].cancelled_on == datetime.date(2026, 3, 1)
    assert projects_on(DEC_2024) == 2
    assert projects_on(datetime.date(2026, 2, 28)) == 2 and projects_on(datetime.date(2026, 3, 1)) == 1


def test_cancelling_asks_the_date_default_today_and_refuses_the_future(manager_client):
    a, b = member(), member()
    project = CooperationProjectFactory(lead_organisation=a.organisation,
                                        participants=[a.organisation, b.organisation], started_on=START)
    url = reverse("alliance:cooperation-project-status", args=[project.pk])
    assert manager_client.get(url).context["form"]["cancelled_on"].value() == TODAY
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    refused = manager_client.post(url, {"status": "cancelled", "cancelled_on": tomorrow, "version": 1})
    assert refused.status_code == 200 and refused.context["form"].errors["cancelled_on"]
    project.refresh_from_db()
    assert project.status == "ongoing" and project.cancelled_on is None


def test_api_cancels_a_project_on_a_date(manager_client):
    a, b = member(), member()
    project = CooperationProjectFactory(lead_organisation=a.organisation,
                                        participants=[a.organisation, b.organisation], started_on=START)
    response = send(manager_client, "patch", f"/api/v1/cooperation-projects/{project.pk}/",
                    {"status": "cancelled", "cancelled_on": "2025-06-30"})
    assert response.status_code == 200, response.content
    assert response.json()["cancelled_on"] == "2025-06-30"
    assert projects_on(DEC_2024) == 1 and projects_on(datetime.date(2025, 6, 30)) == 0
