"""Interim targets (issue 27, item 2): seeded for every indicator (the article's two stated, the others
assumed), edited by a coordinator on a page of the app, and the expected line runs through them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator, Milestone
from lcamp import reference
from tests.factories import IndicatorFactory, MilestoneFactory, ProjectFactory


@pytest.fixture
def seeded(db):
    reference.seed_reference_data()
    return {i.code: i for i in Indicator.objects.select_related("project")}


def test_every_indicator_has_an_interim_target_at_each_interim_report(seeded):
    for code, indicator in seeded.items():
        dates = {m.date for m in indicator.milestones.all()}
        assert {reference.INTERIM_M18, reference.INTERIM_M36} <= dates, code


def test_the_articles_figures_are_milestones_not_assumed(seeded):
    alliance = seeded["alliance-members"].milestones.get(date=datetime.date(2024, 12, 31))
    observatories = seeded["observatories"].milestones.get(date=datetime.date(2024, 12, 31))
    assert (alliance.value, alliance.is_assumed) == (Decimal(30), False)
    assert (observatories.value, observatories.is_assumed) == (Decimal(10), False)
    assumed = Milestone.objects.filter(is_assumed=True)
    assert assumed.count() == Milestone.objects.count() - 2
    # The expected line runs through them: 30 members expected on the article's date.
    assert seeded["alliance-members"].expected_value(datetime.date(2024, 12, 31)) == Decimal(30)


def test_the_seeded_milestones_are_valid_and_a_second_seed_adds_none(seeded):
    for milestone in Milestone.objects.select_related("indicator__project"):
        milestone.full_clean()
    count = Milestone.objects.count()
    assert reference.seed_reference_data() == 0 and Milestone.objects.count() == count


@pytest.fixture
def indicator(db):
    project = ProjectFactory(start_on=datetime.date(2022, 9, 1), end_on=datetime.date(2026, 8, 31))
    return IndicatorFactory(project=project, code="mous", title="MoUs", target=Decimal(150),
                            target_date=project.end_on)


def url(indicator):
    return reverse("indicators:milestones", args=[indicator.code])


def management(total, initial):
    return {"milestones-TOTAL_FORMS": str(total), "milestones-INITIAL_FORMS": str(initial),
            "milestones-MIN_NUM_FORMS": "0", "milestones-MAX_NUM_FORMS": "1000"}


def test_only_a_coordinator_edits_the_interim_targets(indicator, role_clients, manager_client):
    for name, client in role_clients.items():
        response = client.get(url(indicator))
        if name in ("admin", "manager"):
            assert response.status_code == 200, name
        elif name == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == 403, name
    assert manager_client.get(reverse("indicators:milestones", args=["nothing"])).status_code == 404


def test_a_coordinator_adds_changes_and_removes_interim_targets(indicator, manager_client):
    response = manager_client.post(url(indicator), {**management(1, 0), "milestones-0-date": "2024-02-29",
                                                    "milestones-0-value": "15", "milestones-0-label": "M18",
                                                    "milestones-0-is_assumed": "on"})
    assert response.status_code == 302
    milestone = indicator.milestones.get()
    assert (milestone.date, milestone.value, milestone.label, milestone.is_assumed) == (
        datetime.date(2024, 2, 29), Decimal(15), "M18", True)
    assert indicator.expected_value(datetime.date(2024, 2, 29)) == Decimal(15)
    response = manager_client.post(url(indicator), {
        **management(1, 1), "milestones-0-id": str(milestone.pk), "milestones-0-indicator": str(indicator.pk),
        "milestones-0-date": "2024-02-29", "milestones-0-value": "20", "milestones-0-label": "M18",
        "milestones-0-DELETE": "on"})
    assert response.status_code == 302 and not indicator.milestones.exists()


@pytest.mark.parametrize(("date", "value"), [
    ("2021-01-01", "10"),  # before the project
    ("2027-01-01", "10"),  # after the target date
    ("2024-02-29", "151"),  # above the target
    ("2024-02-29", "-x"),
    ("29/02/2024", "10"),
    ("", "10"),
])
def test_a_bad_interim_target_is_refused_and_nothing_is_written(indicator, manager_client, date, value):
    MilestoneFactory(indicator=indicator, date=datetime.date(2025, 8, 31), value=Decimal(75))
    response = manager_client.post(url(indicator), {**management(1, 0), "milestones-0-date": date,
                                                    "milestones-0-value": value})
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert list(indicator.milestones.values_list("value", flat=True)) == [Decimal(75)]


def test_an_interim_target_below_an_earlier_one_is_refused(indicator, manager_client):
    MilestoneFactory(indicator=indicator, date=datetime.date(2024, 2, 29), value=Decimal(30))
    response = manager_client.post(url(indicator), {**management(1, 0), "milestones-0-date": "2025-08-31",
                                                    "milestones-0-value": "20"})
    assert response.status_code == 400 and indicator.milestones.count() == 1


def test_the_indicator_page_marks_assumed_targets_and_links_the_editor(indicator, manager_client, staff_client):
    MilestoneFactory(indicator=indicator, date=datetime.date(2024, 2, 29), value=Decimal(15), label="M18",
                     is_assumed=True)
    page = manager_client.get(reverse("indicators:indicator-detail", args=["mous"])).content.decode()
    assert "Milestone: M18 (assumed)" in page
    assert f'href="{url(indicator)}"' in page
    assert f'href="{url(indicator)}"' not in staff_client.get(
        reverse("indicators:indicator-detail", args=["mous"])).content.decode()
