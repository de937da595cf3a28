"""Small things a newcomer noticed in the browser: the header, the timeline, headings, the
history table, the review queue and the favicon."""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse

from indicators.dashboard import Timeline
from tests import factories

pytestmark = pytest.mark.django_db


def nav_user(html):
    return re.search(r'<div class="nav-user">(.*?)</div>', html, re.S).group(1)


def visible_text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_header_shows_the_users_name_once_and_the_role_once(manager_client, manager_user):
    text = visible_text(nav_user(manager_client.get(reverse("profile")).content.decode()))
    assert "manager (manager)" not in text
    # The user name once, then the role once, by its label.
    assert text.startswith("manager · Coordinator") and text.count("Coordinator") == 1
    manager_user.first_name, manager_user.last_name = "Ane", "Etxeberria"
    manager_user.save()
    text = visible_text(nav_user(manager_client.get(reverse("profile")).content.decode()))
    assert text.startswith("Ane Etxeberria · Coordinator")
    assert text.count("Ane Etxeberria") == 1


def test_every_page_links_a_favicon_that_exists(client):
    html = client.get(reverse("login")).content.decode()
    href = re.search(r'<link rel="icon" href="/static/([^"]+)"', html).group(1)
    assert finders.find(href)


@pytest.mark.parametrize(("today", "order"), [
    (datetime.date(2024, 12, 1), ["Start", "Today", "Elapsed", "End"]),
    (datetime.date(2026, 12, 1), ["Start", "End", "Today"]),
])
def test_timeline_lists_its_dates_in_order(today, order):
    project = factories.ProjectFactory(start_on=datetime.date(2022, 9, 1), end_on=datetime.date(2026, 8, 31))
    html = render_to_string("indicators/_timeline.html", {"timeline": Timeline(project, today)})
    assert re.findall(r"<dt>(\w+)</dt>", html) == order
    assert ("Project ended" in html) == (today > project.end_on)


@pytest.fixture
def indicator_page(manager_client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_lcamp", verbosity=0)
    from indicators.rollup import rollup_all

    rollup_all()
    return manager_client.get(reverse("indicators:indicator-detail", args=["alliance-members"])).content.decode()


def test_indicator_page_headings_never_skip_a_level(indicator_page):
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", indicator_page)]
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:])), levels


def test_indicator_history_table_is_closed_the_chart_is_the_default_view(indicator_page):
    details = re.search(r"<details[^>]*>\s*<summary>Table of the values over time", indicator_page).group(0)
    assert " open" not in details


def test_review_queue_has_no_empty_column(manager_client, organisation):
    factories.MoUFactory(partner_organisation=organisation)
    html = manager_client.get(reverse("alliance:mou-list")).content.decode()
    queue = re.search(r'<table[^>]*id="review-queue".*?</table>', html, re.S).group(0)
    headers = re.findall(r'<th scope="col">([^<]*)</th>', queue)
    assert "Check" not in headers
    first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", queue, re.S).group(1)
    assert len(re.findall(r"<td", first_row)) == len(headers)
    assert all(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", first_row, re.S))
