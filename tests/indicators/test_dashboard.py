"""The progress dashboard at /: who sees it, what a card says, what it costs."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from indicators import tasks
from indicators.models import Snapshot
from registers import generations
from tests.factories import IndicatorFactory, OrganisationFactory
from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    TODAY,
    members,
    observatories,
    project,
    reported,
    snapshot_for,
    test_measure,
)

DASHBOARD = "/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cards are cached per roll-up; each test starts without another test's cards."""
    cache.clear()


def card_html(response, code):
    html = response.content.decode()
    match = re.search(rf'<article class="card[^"]*" aria-labelledby="card-{code}">(.*?)</article>', html, re.S)
    assert match, f"no card for {code}"
    return match.group(0)


def test_anonymous_is_sent_to_login(client, members):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_partner_lands_on_its_mou_page(partner_client, members):
    response = partner_client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == "/mous/"


def test_user_without_a_role_gets_403(outsider_client, members):
    assert outsider_client.get(DASHBOARD).status_code == 403


@pytest.mark.parametrize("role", ["admin", "staff", "manager"])
def test_staff_managers_and_admins_see_the_dashboard(role_clients, role, members):
    response = role_clients[role].get(DASHBOARD)
    assert response.status_code == 200
    assert "Alliance members" in response.content.decode()


def test_one_card_per_indicator_grouped_by_pillar_in_pillar_order(staff_client, members, observatories, reported):
    response = staff_client.get(DASHBOARD)
    html = response.content.decode()
    assert html.count('<article class="card') == 3
    headings = re.findall(r'<h2 id="pillar-\d+">(.*?)</h2>', html)
    assert headings == ["Observatories", "Alliance", "Training"]


def test_card_reads_value_of_target_with_status_text_and_icon(staff_client, members):
    card = card_html(staff_client.get(DASHBOARD), "members")
    text = re.sub(r"<[^>]+>", " ", card)
    text = re.sub(r"\s+", " ", text)
    assert "30 of 200" in text
    assert "✖ Behind" in text
    assert "15.0% of target" in text
    assert "Expected by now 100" in text
    assert "Forecast at end 61" in text
    assert "status-behind" in card


def test_card_shows_the_change_since_the_snapshot_at_least_30_days_back_and_its_date(staff_client, members):
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card_html(staff_client.get(DASHBOARD), "members")))
    since = date_format(TODAY - datetime.timedelta(days=31), "SHORT_DATE_FORMAT")
    assert f"Since {since} +8" in text


def test_progress_bar_has_its_expected_by_now_marker(staff_client, members):
    card = card_html(staff_client.get(DASHBOARD), "members")
    assert 'class="bar-fill" style="width: 15.0%"' in card
    assert 'class="bar-marker" style="left: 50.0%"' in card
    assert 'aria-label="15.0% of the target reached; 50.0% expected by now"' in card


def test_achieved_indicator_reads_achieved(staff_client, observatories):
    card = card_html(staff_client.get(DASHBOARD), "observatories")
    assert "✔" in card and "Achieved" in card and "status-achieved" in card


def test_indicator_never_rolled_up_says_so(staff_client, reported):
    card = card_html(staff_client.get(DASHBOARD), "students")
    assert "Not rolled up yet" in card
    assert "of <span class=\"target\">80</span>" in card


def test_as_of_is_the_time_of_the_last_rollup(staff_client, members, observatories):
    from django.utils import timezone

    latest = Snapshot.objects.order_by("-computed_at").first()
    html = staff_client.get(DASHBOARD).content.decode()
    assert f'As of <time datetime="{timezone.localtime(latest.computed_at).isoformat()}">' in html


def test_a_new_rollup_shows_at_once_despite_the_cache(staff_client, members):
    assert '<strong class="value">30</strong>' in card_html(staff_client.get(DASHBOARD), "members")
    snapshot = members.snapshots.latest()
    from django.utils import timezone

    Snapshot.objects.filter(pk=snapshot.pk).update(value=Decimal("31"), computed_at=timezone.now())
    generations.bump(generations.ROLLUP)  # what the roll-up calls when it writes snapshots
    assert '<strong class="value">31</strong>' in card_html(staff_client.get(DASHBOARD), "members")


def test_a_rollup_shows_at_once_despite_the_cache(staff_client, members):
    from indicators.rollup import rollup_all

    assert '<strong class="value">30</strong>' in card_html(staff_client.get(DASHBOARD), "members")
    OrganisationFactory.create_batch(3)  # what the test measure counts
    rollup_all(on=TODAY)
    value = members.snapshots.latest().value
    assert value != 30
    assert f'<strong class="value">{int(value)}</strong>' in card_html(staff_client.get(DASHBOARD), "members")


def test_without_a_version_in_the_cache_it_is_read_from_the_database(staff_client, members):
    assert '<strong class="value">30</strong>' in card_html(staff_client.get(DASHBOARD), "members")
    from django.utils import timezone

    Snapshot.objects.filter(pk=members.snapshots.latest().pk).update(value=Decimal("31"), computed_at=timezone.now())
    cache.clear()  # evicted, or Redis restarted
    assert '<strong class="value">31</strong>' in card_html(staff_client.get(DASHBOARD), "members")


def test_dashboard_works_with_the_cache_down(staff_client, members, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    response = staff_client.get(DASHBOARD)
    assert response.status_code == 200
    assert '<strong class="value">30</strong>' in card_html(response, "members")


def test_cached_cards_of_a_manager_are_not_shown_to_staff(manager_client, staff_client, members):
    assert "?next=/" in card_html(manager_client.get(DASHBOARD), "members")
    assert "?next=/" not in card_html(staff_client.get(DASHBOARD), "members")


def test_timeline_shows_start_end_today_and_share_elapsed(staff_client, members, project):
    project.start_on, project.end_on = TODAY - datetime.timedelta(days=300), TODAY + datetime.timedelta(days=100)
    project.save()
    html = staff_client.get(DASHBOARD).content.decode()
    assert "75.0% of the project's time has elapsed" in html
    assert f'<time datetime="{project.start_on.isoformat()}">' in html
    assert f'<time datetime="{project.end_on.isoformat()}">' in html
    assert f'<time datetime="{TODAY.isoformat()}">' in html


def test_manager_sees_refresh_and_add_links(manager_client, members):
    response = manager_client.get(DASHBOARD)
    html = response.content.decode()
    assert reverse("indicators:refresh") in html
    assert reverse("admin:organisations_organisation_add") + "?next=/" in card_html(response, "members")


def test_manager_reports_a_value_from_a_reported_indicators_card(manager_client, reported):
    card = card_html(manager_client.get(DASHBOARD), "students")
    assert f'href="{reverse("indicators:report-create")}?indicator=students"' in card


def test_staff_sees_neither_refresh_nor_add(staff_client, members):
    response = staff_client.get(DASHBOARD)
    assert reverse("indicators:refresh") not in response.content.decode()
    assert "?next=/" not in card_html(response, "members")


def test_add_link_left_out_when_the_measure_names_no_form(manager_client, members, test_measure, monkeypatch):
    from indicators.registry import registry

    monkeypatch.setitem(registry._measures, test_measure.key,
                        type(test_measure)(**{**test_measure.__dict__, "add_url_name": ""}))
    card = card_html(manager_client.get(DASHBOARD), "members")
    assert "?next=/" not in card


def test_export_links_are_on_the_dashboard(staff_client, members):
    html = staff_client.get(DASHBOARD).content.decode()
    assert reverse("indicators:export-xlsx") in html and reverse("indicators:export-csv") in html


def test_no_indicators_shows_how_to_load_them(staff_client, db):
    response = staff_client.get(DASHBOARD)
    assert response.status_code == 200
    assert "seed_lcamp" in response.content.decode()


# --- refresh -----------------------------------------------------------------

@pytest.fixture
def queued(monkeypatch):
    """Replaces the roll-up task's .delay() and records its calls."""
    calls = []
    monkeypatch.setattr(tasks.rollup_task, "delay", lambda *a, **kw: calls.append((a, kw)))
    return calls


def test_manager_refresh_queues_the_rollup_and_says_so(manager_client, members, queued):
    response = manager_client.post(reverse("indicators:refresh"), follow=True)
    assert len(queued) == 1
    assert response.redirect_chain[-1][0] == "/"
    assert "Roll-up queued" in response.content.decode()


def test_refresh_with_the_broker_down_says_it_was_not_queued(manager_client, members, queued, monkeypatch):
    from kombu.exceptions import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.rollup_task, "delay", down)
    response = manager_client.post(reverse("indicators:refresh"), follow=True)
    html = response.content.decode()
    assert "could not be queued" in html and "Roll-up queued" not in html


@pytest.mark.parametrize("role", ["staff", "partner", "other_partner"])
def test_refresh_is_for_managers_only(role_clients, role, members, queued):
    assert role_clients[role].post(reverse("indicators:refresh")).status_code == 403
    assert queued == []


def test_anonymous_refresh_goes_to_login(client, queued, db):
    response = client.post(reverse("indicators:refresh"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert queued == []


def test_refresh_by_get_is_refused(manager_client, queued, db):
    assert manager_client.get(reverse("indicators:refresh")).status_code == 405
    assert queued == []


def test_refresh_needs_the_csrf_token(manager_user, queued):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    assert client.post(reverse("indicators:refresh")).status_code == 403
    assert queued == []


# --- cost -----------------------------------------------------------------------

def _grow(indicator, snapshots):
    """Adds daily snapshots before the existing ones, and as many organisations (records)."""
    Snapshot.objects.bulk_create([
        Snapshot(indicator=indicator, date=TODAY - datetime.timedelta(days=40 + n), value=Decimal(n % 30),
                 target=indicator.target, expected=Decimal(1), progress=Decimal("0.01"), status="behind")
        for n in range(snapshots)
    ])
    from organisations.models import Organisation

    Organisation.objects.bulk_create([Organisation(name=f"Org {indicator.code} {n}", country="FR") for n in range(snapshots)])


def _queries(client, url):
    cache.clear()  # measure the page as the first viewer after a roll-up sees it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_dashboard_query_count_does_not_grow_with_the_data(staff_client, members, observatories, reported):
    OrganisationFactory()
    _grow(members, 10)
    small = _queries(staff_client, DASHBOARD)
    _grow(observatories, 10_000)
    IndicatorFactory(project=members.project, code="extra", title="Extra", target=Decimal(5),
                     pillar=members.pillar)
    large = _queries(staff_client, DASHBOARD)
    assert small == large
    # The session and the user (2), the cards (2), the periods and their narratives (1), the cards' place
    # parts (1), their trend lines (1), their milestones (1), the regions of the places (at most 1): each
    # for every card at once (issue 27 added the last four).
    assert large <= 9
    with CaptureQueriesContext(connection) as cached:
        staff_client.get(DASHBOARD)
    assert len(cached) < large


def test_between_rollups_the_dashboard_costs_only_the_session_and_the_user(staff_client, members, observatories):
    cache.clear()
    staff_client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(DASHBOARD)
    assert response.status_code == 200
    tables = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in captured.captured_queries]
    # The session is read from the cache when REDIS_URL is set (lcamp.sessions).
    assert [table for table in tables if table != "django_session"] == ["accounts_user"]


def test_without_a_shared_cache_a_rollup_in_another_process_shows_at_once(staff_client, members, settings):
    settings.CACHE_IS_SHARED = False
    from django.utils import timezone

    assert '<strong class="value">30</strong>' in card_html(staff_client.get(DASHBOARD), "members")
    # Another process's roll-up: this process's cache hears nothing of it.
    Snapshot.objects.filter(pk=members.snapshots.latest().pk).update(value=Decimal("31"), computed_at=timezone.now())
    assert '<strong class="value">31</strong>' in card_html(staff_client.get(DASHBOARD), "members")
