"""Narratives due (issue 27, item 5): the "behind and no narrative" flag stays until the period is closed,
and a coordinator's dashboard lists the narratives missing for periods ending or ended and not closed."""

import datetime

import pytest
from django.urls import reverse

from indicators.rollup import rollup_all
from reporting import narratives, periods
from reporting.models import ReportingPeriod

GOOD = {"what_happened": "Two VET centres joined.", "why": "", "corrective_actions": "", "next_steps": ""}
DASHBOARD = reverse("indicators:dashboard")


@pytest.fixture
def ended(project, period_data):
    """A period that ended yesterday and is not closed: its report is being written."""
    rollup_all()
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    return ReportingPeriod.objects.create(project=project, name="Final", start_on=datetime.date(2024, 3, 1),
                                          end_on=yesterday)


def test_the_flag_stays_after_the_periods_end_until_it_is_closed(staff_client, manager_user, ended, period_data):
    page = staff_client.get(DASHBOARD).content.decode()
    assert "no narrative for Final" in page
    periods.period_review(period=ended, user=manager_user)
    assert "no narrative for Final" in staff_client.get(DASHBOARD).content.decode()  # in review: still due
    periods.period_close(period=ended, user=manager_user)
    page = staff_client.get(DASHBOARD).content.decode()
    assert "no narrative for Final" not in page


def test_a_coordinator_sees_the_narratives_due(manager_client, manager_user, staff_client, ended, period_data):
    page = manager_client.get(DASHBOARD).content.decode()
    assert 'id="todo-title"' in page
    todo = page[page.index('id="todo-title"'):page.index("</section>", page.index('id="todo-title"'))]
    assert "Final" in todo and "not closed" in todo
    assert todo.count("<li>") == len(period_data)  # no narrative written yet
    # Staff read the dashboard but write no narrative: no to-do.
    assert 'id="todo-title"' not in staff_client.get(DASHBOARD).content.decode()
    narratives.narrative_save(indicator=period_data["mous"], period=ended, user=manager_user, data=GOOD)
    page = manager_client.get(DASHBOARD).content.decode()
    todo = page[page.index('id="todo-title"'):page.index("</section>", page.index('id="todo-title"'))]
    assert todo.count("<li>") == len(period_data) - 1 and "Narrative for mous" not in todo
    for code in period_data:
        narratives.narrative_save(indicator=period_data[code], period=ended, user=manager_user, data=GOOD)
    assert 'id="todo-title"' not in manager_client.get(DASHBOARD).content.decode()


def test_a_period_far_from_its_end_is_not_due(manager_client, project, period_data):
    rollup_all()
    ReportingPeriod.objects.create(project=project, name="Running", start_on=datetime.date(2024, 3, 1),
                                   end_on=datetime.date.today() + datetime.timedelta(days=periods.NARRATIVES_DUE_DAYS
                                                                                     + 5))
    assert 'id="todo-title"' not in manager_client.get(DASHBOARD).content.decode()


def test_narratives_due_lists_behind_indicators_first(project, period_data, ended):
    from indicators import dashboard

    cards = dashboard.cards()
    (item,) = periods.narratives_due(cards)
    statuses = [card.snapshot.status if card.snapshot else "" for card in item["missing"]]
    behind = [status == "behind" for status in statuses]
    assert behind == sorted(behind, reverse=True)
    assert item["ended"] is True and item["period"].pk == ended.pk


def test_the_period_page_says_what_is_expected_at_its_end(staff_client, period_data, period):
    page = staff_client.get(period.get_absolute_url()).content.decode()
    assert "Expected at the period&#x27;s end" in page or "Expected at the period's end" in page
    # The alliance's milestone of 60 on 31 Dec 2023, then the line to 200 on 31 Aug 2026: a whole number at
    # the period's end (29 Feb 2024).
    expected = period_data["alliance-members"].expected_value(period.end_on)
    row = page[page.index('href="/indicators/alliance-members/"'):]
    row = row[:row.index("</tr>")]
    assert f'<td class="num">{expected:.0f}</td>' in row
