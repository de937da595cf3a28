"""Indicators through the API: latest figures, history, breakdowns; read only."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Breakdown
from tests.api.conftest import send
from tests.factories import IndicatorFactory, SnapshotFactory

LIST = reverse("api:indicator-list")
DAY = datetime.date(2024, 12, 31)


def url(code, action=None):
    return reverse(f"api:indicator-{action or 'detail'}", args=[code])


@pytest.fixture
def members(db):
    indicator = IndicatorFactory(code="alliance-members", target=Decimal("200"))
    SnapshotFactory(indicator=indicator, date=DAY - datetime.timedelta(days=31), value=Decimal("25"))
    latest = SnapshotFactory(indicator=indicator, date=DAY, value=Decimal("30"), expected=Decimal("100"),
                             progress=Decimal("0.15"), status="behind", forecast=Decimal("60"))
    Breakdown.objects.create(snapshot=latest, dimension="country", key="ES", label="Spain", value=Decimal("18"))
    Breakdown.objects.create(snapshot=latest, dimension="country", key="IT", label="Italy", value=Decimal("12"))
    return indicator


def test_list_gives_each_indicator_with_its_latest_snapshot(manager_client, members):
    IndicatorFactory(code="mous", title="MoUs", target=Decimal("150"))
    rows = {row["code"]: row for row in send(manager_client, "get", LIST).json()["results"]}
    assert rows["alliance-members"]["latest"] == {
        "as_of": "2024-12-31", "value": "30.00", "target": "200.00", "expected": "100.00", "progress": "0.1500",
        "status": "behind", "forecast": "60.00"}
    assert rows["mous"]["latest"] is None


def test_list_items_also_carry_the_latest_figures_at_the_top_level(manager_client, members):
    IndicatorFactory(code="mous", title="MoUs", target=Decimal("150"))
    rows = {row["code"]: row for row in send(manager_client, "get", LIST).json()["results"]}
    alliance = rows["alliance-members"]
    assert {name: alliance[name] for name in ("value", "target", "expected", "progress", "status", "forecast",
                                              "as_of")} == {
        "value": "30.00", "target": "200.00", "expected": "100.00", "progress": "0.1500", "status": "behind",
        "forecast": "60.00", "as_of": "2024-12-31"}
    assert [rows["mous"][name] for name in ("value", "expected", "progress", "status", "forecast", "as_of")] == [
        None] * 6


def test_indicator_is_found_by_code(manager_client, members):
    body = send(manager_client, "get", url("alliance-members")).json()
    assert body["code"] == "alliance-members"
    assert body["latest"]["value"] == "30.00"
    assert send(manager_client, "get", url("no-such-thing")).status_code == 404


def test_indicator_list_query_count_does_not_grow(manager_client, db):
    def add(n):
        for i in range(n):
            indicator = IndicatorFactory(code=f"thing-{add.count}", title="Thing")
            add.count += 1
            SnapshotFactory(indicator=indicator, date=DAY)
            SnapshotFactory(indicator=indicator, date=DAY - datetime.timedelta(days=1))
    add.count = 0
    add(3)
    send(manager_client, "get", LIST)
    with CaptureQueriesContext(connection) as few:
        send(manager_client, "get", LIST)
    add(30)
    with CaptureQueriesContext(connection) as many:
        response = send(manager_client, "get", LIST)
    assert response.json()["count"] == 33
    assert all(row["latest"]["as_of"] == "2024-12-31" for row in response.json()["results"])
    assert len(many) == len(few)


def test_history_is_the_series_oldest_first_paginated_like_every_list(manager_client, members):
    body = send(manager_client, "get", url("alliance-members", "history")).json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert [point["as_of"] for point in body["results"]] == ["2024-11-30", "2024-12-31"]
    assert [point["value"] for point in body["results"]] == ["25.00", "30.00"]
    page = send(manager_client, "get", url("alliance-members", "history"), {"page_size": 1, "page": 2}).json()
    assert [point["as_of"] for point in page["results"]] == ["2024-12-31"] and page["next"] is None
    assert send(manager_client, "get", url("nothing", "history")).status_code == 404


def test_breakdown_by_country(manager_client, members):
    body = send(manager_client, "get", url("alliance-members", "breakdown"), {"dimension": "country"}).json()
    assert body["as_of"] == "2024-12-31"
    assert body["value"] == "30.00"
    assert body["parts"] == [{"key": "ES", "label": "Spain", "value": "18.00"},
                             {"key": "IT", "label": "Italy", "value": "12.00"}]
    assert sum(Decimal(p["value"]) for p in body["parts"]) == Decimal(body["value"])


def test_breakdown_names_the_countries_in_the_requests_language(manager_client, members):
    """The roll-up stored "Spain" (in the worker's English); a Basque request reads CLDR's Basque names."""
    assert Breakdown.objects.filter(dimension="country", key="ES", label="Spain").exists()
    response = manager_client.get(url("alliance-members", "breakdown"), {"dimension": "country"},
                                  HTTP_ACCEPT_LANGUAGE="eu")
    assert [(p["key"], p["label"]) for p in response.json()["parts"]] == [("ES", "Espainia"), ("IT", "Italia")]


@pytest.mark.parametrize("params", [{"dimension": "colour"}, {}])
def test_unknown_or_missing_dimension_answers_400(manager_client, members, params):
    response = send(manager_client, "get", url("alliance-members", "breakdown"), params)
    assert response.status_code == 400
    assert "country" in response.json()["dimension"][0]


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", 200), ("manager", 200), ("staff", 200), ("partner", 403), ("other_partner", 403),
    ("outsider", 403), ("anonymous", 401), ("bad_token", 401),
])
def test_indicator_permission_matrix(api_clients, members, role, expected):
    client = api_clients[role]
    assert send(client, "get", LIST).status_code == expected
    assert send(client, "get", url("alliance-members")).status_code == expected
    assert send(client, "get", url("alliance-members", "history")).status_code == expected
    assert send(client, "get", url("alliance-members", "breakdown"), {"dimension": "country"}).status_code == expected


def test_indicators_are_read_only(admin_client, members):
    assert send(admin_client, "post", LIST, {"code": "x"}).status_code == 403
    assert send(admin_client, "patch", url("alliance-members"), {"title": "x"}).status_code == 403
    members.refresh_from_db()
    assert members.title == "Alliance members"
