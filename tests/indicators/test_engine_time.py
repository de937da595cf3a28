"""Time in the engine: no snapshot dated after today is current; the dashboard knows a drain is on
its way; under `make run` (eager) an import of back-dated members updates the history at once."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from indicators import dashboard, rollup
from indicators.models import OutboxEntry, Snapshot
from tests.factories import AllianceMemberFactory, IndicatorFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


# --- Never a future snapshot as current ------------------------------------------------

def test_rollup_refuses_a_future_date(lcamp_indicators):
    with pytest.raises(rollup.FutureDateError):
        rollup.rollup_all(TODAY + datetime.timedelta(days=1))
    with pytest.raises(CommandError, match="after today"):
        call_command("rollup", "--date", (TODAY + datetime.timedelta(days=60)).isoformat(), verbosity=0)
    assert not Snapshot.objects.exists()


def test_a_snapshot_dated_after_today_is_never_shown_as_current(project, staff_client):
    indicator = IndicatorFactory(project=project, code="alliance-members", target=Decimal(200))
    fields = {"target": 200, "expected": 0, "progress": 0, "status": "on_track"}
    Snapshot.objects.create(indicator=indicator, date=TODAY, value=5, **fields)
    Snapshot.objects.create(indicator=indicator, date=TODAY + datetime.timedelta(days=60), value=99, **fields)
    [card] = dashboard.cards()
    assert card.snapshot.value == 5
    assert indicator.latest_snapshot.value == 5
    assert Snapshot.objects.current().first().value == 5
    body = staff_client.get("/api/v1/indicators/alliance-members/").json()
    assert Decimal(body["value"]) == 5


# --- "updating…" ------------------------------------------------------------------------

def test_the_version_endpoint_lists_the_indicators_waiting_for_a_drain(lcamp_indicators, staff_client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker: the drain waits for the worker
    OutboxEntry.objects.all().delete()
    assert staff_client.get(reverse("indicators:version")).json()["pending"] == []
    AllianceMemberFactory()
    response = staff_client.get(reverse("indicators:version"))
    assert response.json()["pending"] == ["alliance-members"]  # its organisation is in no project
    assert "no-store" in response["Cache-Control"]
    rollup.drain()
    assert staff_client.get(reverse("indicators:version")).json()["pending"] == []


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("staff", 200), ("manager", 200), ("partner", 403)])
def test_the_version_endpoint_is_for_dashboard_viewers(role_clients, role, status, db):
    assert role_clients[role].get(reverse("indicators:version")).status_code == status


def test_the_version_endpoint_refuses_a_user_without_a_role(outsider_client):
    assert outsider_client.get(reverse("indicators:version")).status_code == 403


def test_the_version_endpoint_sends_anonymous_users_to_login(client, db):
    response = client.get(reverse("indicators:version"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_dashboard_loads_the_polling_script_and_marks_each_card(lcamp_indicators, staff_client):
    html = staff_client.get(reverse("indicators:dashboard")).content.decode()
    assert re.search(r'<script src="/static/indicators/updating.js" defer></script>', html)
    assert 'data-version-url="/indicators/version/"' in html
    assert ('<p class="card-updating" data-indicator="alliance-members" role="status" aria-live="polite" hidden>'
            'updating…</p>') in html
    assert "<script>" not in html  # CSP: no inline script


# --- Eager: an import of back-dated members updates the history without a backfill -------

def test_importing_members_dated_2024_updates_the_2024_history_and_the_30_day_change(
        lcamp_indicators, manager_client, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    rollup.backfill()
    OutboxEntry.objects.all().delete()
    AllianceMemberFactory(joined_on=TODAY - datetime.timedelta(days=3))
    rollup.drain()
    members = lcamp_indicators["alliance-members"]
    assert members.snapshots.get(date=datetime.date(2024, 6, 30)).value == 0
    rows = "".join(f"Centro {n},ES,vet,vet,2024-03-0{n},,\n" for n in range(1, 6))
    upload = SimpleUploadedFile("members.csv", ("organisation,country,kind,category,joined_on,left_on,note\n"
                                                + rows).encode(), content_type="text/csv")
    preview = manager_client.post(reverse("alliance:member-import"), {"file": upload})
    with django_capture_on_commit_callbacks(execute=True):
        done = manager_client.post(reverse("alliance:member-import"), {"token": preview.context["token"]})
    assert done.status_code == 302
    history = dict(members.snapshots.values_list("date", "value"))
    assert history[datetime.date(2024, 2, 29)] == 0
    assert history[datetime.date(2024, 3, 31)] == 5
    assert history[datetime.date(2024, 12, 31)] == 5
    assert history[TODAY] == 6
    [card] = [c for c in dashboard.cards() if c.indicator.code == "alliance-members"]
    assert card.snapshot.value == 6 and card.change == 1  # the five joined long ago, one in the last 30 days
    assert not OutboxEntry.objects.exists()
