"""A change in the admin site that would alter a closed reporting period is refused with a message:
the page comes back (the form with the input kept), nothing is written, never a 500."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from alliance.models import AllianceMember
from indicators.models import OutboxEntry, Snapshot
from reporting.models import ReportingPeriod
from reporting.periods import period_close, period_review
from tests.factories import AllianceMemberFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
START, END = datetime.date(2022, 9, 1), datetime.date(2024, 2, 29)
INSIDE = datetime.date(2023, 5, 10)
REFUSAL = "This change would alter the closed reporting period &#x27;M1–M18 (1 Sept 2022 – 29 Feb 2024)&#x27;"


@pytest.fixture
def member(lcamp_indicators, project, admin_user):
    """A member that joined inside a period since closed."""
    member = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 15), note="as reported")
    period = ReportingPeriod.objects.create(project=project, name="M1–M18", start_on=START, end_on=END)
    period_review(period=period, user=admin_user)
    period_close(period=period, user=admin_user)
    OutboxEntry.objects.all().delete()
    return member


def written():
    """What a refused change must leave as it was."""
    return (list(AllianceMember.objects.values().order_by("pk")), list(Snapshot.objects.values().order_by("pk")),
            OutboxEntry.objects.count(), LogEntry.objects.count(), AllianceMember.history.count())


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def change_data(member, **changes):
    data = {"organisation": member.organisation_id, "category": member.category,
            "joined_on": member.joined_on.isoformat(), "left_on": "", "note": member.note,
            "is_demo": "on" if member.is_demo else ""}
    return {name: value for name, value in (data | changes).items() if value != ""}


def test_an_edit_that_would_alter_a_closed_period_comes_back_with_the_message(admin_client, member):
    before = written()
    url = reverse("admin:alliance_alliancemember_change", args=[member.pk])
    response = admin_client.post(url, change_data(member, joined_on=INSIDE.isoformat(), note="moved"))
    assert response.status_code == 200
    page = response.content.decode()
    assert REFUSAL in page
    # The form again, with the user's input kept.
    assert 'value="2023-05-10"' in page and "moved</textarea>" in page
    assert any(message.startswith(REFUSAL.replace("&#x27;", "'")) for message in messages_of(response))
    assert written() == before


def test_an_edit_that_alters_no_count_is_saved(admin_client, member):
    url = reverse("admin:alliance_alliancemember_change", args=[member.pk])
    response = admin_client.post(url, change_data(member, note="a note alters no count"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.note == "a note alters no count"


def test_an_addition_inside_a_closed_period_comes_back_with_the_message(admin_client, member):
    newcomer = OrganisationFactory()
    OutboxEntry.objects.all().delete()
    before = written()
    data = change_data(member, organisation=newcomer.pk, joined_on=INSIDE.isoformat(), note="new")
    response = admin_client.post(reverse("admin:alliance_alliancemember_add"), data)
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    assert written() == before


def test_a_deletion_that_would_alter_a_closed_period_is_refused_with_the_message(admin_client, member):
    before = written()
    url = reverse("admin:alliance_alliancemember_delete", args=[member.pk])
    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(url, 302)]
    assert REFUSAL in response.content.decode()
    assert written() == before


def test_a_bulk_deletion_that_would_alter_a_closed_period_is_refused_with_the_message(admin_client, member):
    later = AllianceMemberFactory(joined_on=datetime.date(2024, 6, 1))
    OutboxEntry.objects.all().delete()
    before = written()
    url = reverse("admin:alliance_alliancemember_changelist")
    data = {"action": "delete_selected", "_selected_action": [later.pk, member.pk], "post": "yes"}
    response = admin_client.post(url, data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(url, 302)]
    assert REFUSAL in response.content.decode()
    # Neither record is deleted, and no deletion is logged.
    assert written() == before


def test_a_revert_that_would_alter_a_closed_period_comes_back_with_the_message(admin_client, member):
    first = member.history.earliest()
    before = written()
    url = reverse("admin:alliance_alliancemember_simple_history", args=[member.pk, first.history_id])
    response = admin_client.post(url, change_data(member, joined_on=INSIDE.isoformat()))
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    assert written() == before
