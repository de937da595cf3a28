"""Reporting periods in the app: list and page, open → in review → closed, reopening."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from alliance.models import AllianceMember
from indicators.models import Snapshot
from indicators.rollup import backfill, rollup_all
from reporting import periods
from reporting.models import ReportingPeriod
from tests.factories import AllianceMemberFactory, OrganisationFactory

from .conftest import FIRST_END

pytestmark = pytest.mark.django_db


def _state(period):
    return ReportingPeriod.objects.get(pk=period.pk).state


def _url(name, period, *args):
    return reverse(f"reporting:{name}", args=[period.pk, *args])


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", 200), ("staff", 200), ("manager", 200), ("partner", 403), ("other_partner", 403), ("anonymous", 302),
])
def test_it_lets_staff_and_managers_see_periods(role_clients, period_data, period, role, expected):
    for url in (reverse("reporting:period-list"), _url("period-detail", period)):
        assert role_clients[role].get(url).status_code == expected


def test_it_answers_404_for_a_missing_period(staff_client):
    assert staff_client.get(reverse("reporting:period-detail", args=[999])).status_code == 404


def test_it_shows_every_indicator_at_the_periods_end(staff_client, period_data, period):
    response = staff_client.get(_url("period-detail", period))
    content = response.content.decode()
    rows = {row.indicator.code: row for row in response.context["rows"]}
    assert len(rows) == 8
    members = rows["alliance-members"]
    # The member who joined after the period's end does not count.
    assert members.snapshot.date == FIRST_END and members.value == 2
    assert members.change == 2
    assert members.milestone.value == Decimal("60")
    assert members.snapshot.status == Snapshot.Status.BEHIND
    assert "Interim M1–M18" in content and "60 by" in content
    # Breakdown by country at the period's end.
    countries = {part.label for d in members.dimensions if d.name == "country" for part in d.parts}
    assert countries == {"Spain", "Sweden"}


def test_it_moves_a_period_through_review_to_closed(manager_client, manager_user, period_data, period):
    assert _state(period) == periods.OPEN
    response = manager_client.post(_url("period-review", period))
    assert response.status_code == 302
    assert _state(period) == periods.IN_REVIEW

    # The confirmation page first; posting without ticking the box closes nothing.
    assert manager_client.get(_url("period-close", period)).status_code == 200
    response = manager_client.post(_url("period-close", period), {})
    assert response.status_code == 400
    period.refresh_from_db()
    assert not period.is_closed

    response = manager_client.post(_url("period-close", period), {"confirm": "on"})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.is_closed and period.closed_by == manager_user
    assert _state(period) == periods.CLOSED
    assert [(change.action, change.user) for change in period.state_changes()] == [
        ("Put in review", manager_user), ("Closed", manager_user)]


def test_closing_freezes_the_period_and_later_changes_do_not_move_it(manager_user, period_data, period):
    periods.period_review(period=period, user=manager_user)
    periods.period_close(period=period, user=manager_user)
    frozen = Snapshot.objects.filter(indicator__code="alliance-members", date__lte=FIRST_END)
    assert frozen.exists() and all(s.is_frozen for s in frozen)

    # A record dated inside the closed period is refused, naming the period...
    late = OrganisationFactory(country="IT")
    with pytest.raises(ValidationError, match="closed reporting period"), transaction.atomic():
        AllianceMemberFactory(organisation=late, joined_on=datetime.date(2023, 3, 1))
    assert not AllianceMember.objects.filter(organisation=late).exists()
    rollup_all(FIRST_END)
    backfill(start=datetime.date(2023, 11, 1), end=datetime.date(2024, 6, 30))
    assert Snapshot.objects.get(indicator__code="alliance-members", date=FIRST_END).value == 2
    # A member joining after the period counts from its join date on.
    AllianceMemberFactory(organisation=late, joined_on=datetime.date(2024, 5, 1))
    backfill(start=datetime.date(2024, 3, 1), end=datetime.date(2024, 6, 30))
    assert Snapshot.objects.get(indicator__code="alliance-members", date=FIRST_END).value == 2
    assert Snapshot.objects.get(indicator__code="alliance-members", date=datetime.date(2024, 6, 30)).value == 4


def test_a_closed_period_refuses_narrative_changes(manager_client, manager_user, period_data, period):
    periods.period_review(period=period, user=manager_user)
    periods.period_close(period=period, user=manager_user)
    response = manager_client.post(_url("narrative-edit", period, "alliance-members"), {"what_happened": "Late"})
    assert response.status_code == 302
    assert not period.narratives.exists()


def test_it_refuses_to_close_an_open_period_or_one_still_running(manager_user, period_data, project):
    period = ReportingPeriod.objects.create(project=project, name="Now", start_on=datetime.date(2024, 3, 1),
                                            end_on=datetime.date(2099, 1, 1))
    with pytest.raises(ValidationError):
        periods.period_close(period=period, user=manager_user)
    periods.period_review(period=period, user=manager_user)
    with pytest.raises(ValidationError, match="close it after its end"):
        periods.period_close(period=period, user=manager_user)
    period.refresh_from_db()
    assert not period.is_closed


@pytest.mark.parametrize("role", ["staff", "partner", "anonymous"])
def test_only_managers_change_a_periods_state(role_clients, period_data, period, role):
    client = role_clients[role]
    client.post(_url("period-review", period))
    response = client.post(_url("period-close", period), {"confirm": "on"})
    assert response.status_code in (302, 403)
    period.refresh_from_db()
    assert not period.is_closed and not period.state_changes()


def test_reopening_needs_an_administrator_and_a_reason(admin_client, manager_client, manager_user, admin_user,
                                                       period_data, period):
    periods.period_review(period=period, user=manager_user)
    periods.period_close(period=period, user=manager_user)

    assert manager_client.get(_url("period-reopen", period)).status_code == 403
    assert manager_client.post(_url("period-reopen", period), {"reason": "Typo"}).status_code == 403
    with pytest.raises(PermissionDenied):
        periods.period_reopen(period=period, user=manager_user, reason="Typo")

    response = admin_client.post(_url("period-reopen", period), {"reason": "   "})
    assert response.status_code == 400
    period.refresh_from_db()
    assert period.is_closed

    response = admin_client.post(_url("period-reopen", period), {"reason": "A member was recorded a month late."})
    assert response.status_code == 302
    period.refresh_from_db()
    assert not period.is_closed
    event = period.state_changes()[-1]
    assert event.action == "Reopened" and event.user == admin_user
    assert event.reason == "A member was recorded a month late."
    assert not Snapshot.objects.filter(indicator__code="alliance-members", date=FIRST_END).get().is_frozen
    # The reason shows in the period's history.
    assert "A member was recorded a month late." in admin_client.get(_url("period-detail", period)).content.decode()


def test_csrf_is_required_to_change_a_state(manager_user, period_data, period):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    assert client.post(_url("period-review", period)).status_code == 403
    assert not period.state_changes()


def test_the_admin_site_cannot_close_or_move_a_closed_period(admin_client, manager_user, period_data, period):
    url = reverse("admin:reporting_reportingperiod_change", args=[period.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="state' not in page and 'name="end_on"' in page
    periods.period_review(period=period, user=manager_user)
    periods.period_close(period=period, user=manager_user)
    assert 'name="end_on"' not in admin_client.get(url).content.decode()
