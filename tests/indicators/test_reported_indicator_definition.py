"""A manager defines a reported indicator in the app; "Report a value" is offered only when one exists."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator
from tests.factories import IndicatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db
DEFINE = reverse("indicators:indicator-create")
REPORT = reverse("indicators:report-create")


@pytest.fixture
def project(db):
    return ProjectFactory()


def definition(**overrides):
    return {"code": "trained-teachers", "title": "Teachers trained", "unit": "teachers", "baseline": "0",
            "target": "120", "target_date": "2026-08-31", "time_rule": "cumulative",
            "description": "kept text", **overrides}


def test_without_a_reported_indicator_the_index_offers_to_define_one_not_to_report(manager_client, project):
    IndicatorFactory(project=project)  # counted from a register
    html = manager_client.get(reverse("registers")).content.decode()
    assert f'href="{REPORT}"' not in html
    assert f'href="{DEFINE}"' in html
    response = manager_client.get(REPORT)
    assert response.status_code == 302 and response["Location"] == DEFINE
    listing = manager_client.get(reverse("indicators:report-list")).content.decode()
    assert f'href="{REPORT}"' not in listing


def test_with_a_reported_indicator_the_index_offers_to_report(manager_client, project):
    IndicatorFactory(project=project, code="reported-thing", source=Indicator.Source.REPORTED)
    html = manager_client.get(reverse("registers")).content.decode()
    assert f'href="{REPORT}"' in html
    form = manager_client.get(REPORT).context["form"]
    assert [i.code for i in form.fields["indicator"].queryset] == ["reported-thing"]


def test_a_manager_defines_a_reported_indicator_then_reports_its_value(manager_client, project):
    page = manager_client.get(DEFINE)
    assert page.status_code == 200
    assert page.context["form"]["target_date"].value() == project.end_on
    response = manager_client.post(DEFINE, definition())
    assert response.status_code == 302
    assert response["Location"] == f"{REPORT}?indicator=trained-teachers"
    indicator = Indicator.objects.get(code="trained-teachers")
    assert indicator.is_reported and indicator.project == project
    assert (indicator.title, indicator.unit, indicator.target, indicator.time_rule, indicator.target_date) == (
        "Teachers trained", "teachers", Decimal("120"), "cumulative", datetime.date(2026, 8, 31))
    assert indicator.is_cumulative
    form = manager_client.get(response["Location"]).context["form"]
    assert form["indicator"].value() == indicator.pk


@pytest.mark.parametrize(("overrides", "field"), [
    ({"code": ""}, "code"),
    ({"code": "Not a slug!"}, "code"),
    ({"code": "alliance-members"}, "code"),  # taken
    ({"title": ""}, "title"),
    ({"target": ""}, "target"),
    ({"target": "-5"}, "target"),
    ({"target": "lots"}, "target"),
    ({"baseline": "-1"}, "baseline"),
    ({"baseline": "500"}, "baseline"),  # a growing indicator's baseline above its target
    ({"target_date": "2026-02-30"}, "target_date"),
    ({"time_rule": "average"}, "time_rule"),
])
def test_bad_definitions_come_back_with_the_field_error_and_nothing_saved(manager_client, project, overrides,
                                                                           field):
    IndicatorFactory(project=project)
    before = Indicator.objects.count()
    response = manager_client.post(DEFINE, definition(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert b"kept text" in response.content
    assert Indicator.objects.count() == before


@pytest.mark.parametrize(("role", "expected"), [("admin", 200), ("manager", 200), ("staff", 403),
                                                 ("partner", 403), ("other_partner", 403)])
def test_only_editors_define_indicators(role_clients, project, role, expected):
    assert role_clients[role].get(DEFINE).status_code == expected
    assert role_clients[role].post(DEFINE, definition()).status_code in (expected if expected != 200 else 302,)
    assert Indicator.objects.filter(code="trained-teachers").exists() == (expected == 200)


def test_anonymous_visitors_are_sent_to_log_in(client, project):
    assert client.post(DEFINE, definition())["Location"].startswith(reverse("login"))
    assert not Indicator.objects.exists()


def test_defining_needs_csrf(manager_user, project):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(manager_user)
    assert csrf_client.post(DEFINE, definition()).status_code == 403
    assert not Indicator.objects.exists()
