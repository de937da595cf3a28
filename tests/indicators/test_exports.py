"""The indicator table as CSV and XLSX, for EU reports: staff, managers and admins only."""
# ruff: noqa: F811 - the fixtures imported from dashboard_fixtures are redefined as arguments

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators import exports
from tests.factories import IndicatorFactory
from tests.indicators.dashboard_fixtures import (  # noqa: F401 - fixtures
    TODAY,
    members,
    observatories,
    project,
    reported,
    test_measure,
)

CSV = reverse("indicators:export-csv")
XLSX = reverse("indicators:export-xlsx")


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.parametrize("path", [CSV, XLSX])
def test_anonymous_is_sent_to_login(client, members, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["partner", "other_partner"])
@pytest.mark.parametrize("path", [CSV, XLSX])
def test_partners_may_not_export(role_clients, role, members, path):
    assert role_clients[role].get(path).status_code == 403


@pytest.mark.parametrize("role", ["admin", "staff", "manager"])
@pytest.mark.parametrize("path", [CSV, XLSX])
def test_staff_managers_and_admins_export(role_clients, role, members, path):
    response = role_clients[role].get(path)
    assert response.status_code == 200


def test_csv_has_one_row_per_indicator_with_the_agreed_columns(staff_client, members, observatories, reported):
    response = staff_client.get(CSV, {"variant": "machine"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="lcamp-indicators-{TODAY.isoformat()}.csv"'
    rows = read_csv(response)
    assert rows[0] == ["code", "title", "pillar", "unit", "baseline", "target", "value", "expected",
                       "progress_percent", "status", "forecast", "as_of"]
    by_code = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_code) == {"members", "observatories", "students"}
    alliance = by_code["members"]
    assert alliance["title"] == "Alliance members" and alliance["pillar"] == "Alliance"
    assert Decimal(alliance["value"]) == 30 and Decimal(alliance["target"]) == 200
    assert Decimal(alliance["expected"]) == 100 and Decimal(alliance["progress_percent"]) == Decimal("15.0")
    assert alliance["status"] == "Behind" and Decimal(alliance["forecast"]) == 61
    assert alliance["as_of"].startswith(str(TODAY.year))
    assert by_code["students"]["value"] == "" and by_code["students"]["status"] == ""


def test_xlsx_has_a_bold_frozen_header_and_number_and_percent_formats(staff_client, members, observatories):
    response = staff_client.get(XLSX)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="lcamp-indicators-{TODAY.isoformat()}.xlsx"'
    sheet = read_xlsx(response)
    assert [c.value for c in sheet[1]] == exports.labels()
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 3
    # The headers are for people (in the reader's language): the cells by their column code.
    row = {exports.CODES[c - 1]: sheet.cell(r, c) for r in range(2, 4) for c in range(1, 13)
           if sheet.cell(r, 1).value == "members"}
    assert row["value"].value == 30 and row["value"].number_format == "#,##0.00"
    assert row["target"].value == 200
    assert row["progress_percent"].value == pytest.approx(0.15) and row["progress_percent"].number_format == "0.0%"
    assert row["status"].value == "Behind"
    assert row["as_of"].is_date


def test_text_a_spreadsheet_would_run_as_a_formula_is_neutralised(staff_client, project):
    IndicatorFactory(project=project, code="formula", title="=HYPERLINK(\"http://evil\")", target=Decimal(1))
    csv_rows = read_csv(staff_client.get(CSV))
    assert csv_rows[1][1].startswith("'=")
    sheet = read_xlsx(staff_client.get(XLSX))
    assert sheet.cell(2, 2).value.startswith("'=")
    assert sheet.cell(2, 2).data_type == "s"


def test_export_reads_snapshots_in_a_fixed_number_of_queries(staff_client, members, observatories,
                                                             django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        staff_client.get(XLSX)


def _month_end_before(day):
    import datetime

    return day.replace(day=1) - datetime.timedelta(days=1)


@pytest.fixture
def members_history(members):
    """Two month-end snapshots (one frozen) of the members, besides the fixture's mid-month ones."""
    from tests.indicators.dashboard_fixtures import snapshot_for

    last = _month_end_before(TODAY)
    before = _month_end_before(last)
    members.project.start_on = min(members.project.start_on, before.replace(day=1))
    members.project.save(update_fields=["start_on"])
    members.snapshots.filter(date__in=[before, last]).delete()  # the fixture's may fall on a month end
    snapshot_for(members, date=before, value="20", expected="80", is_frozen=True)
    snapshot_for(members, date=last, value="26", expected="95")
    return before, last


def test_xlsx_has_the_month_end_history_as_a_second_sheet(staff_client, members_history, observatories):
    before, last = members_history
    workbook = load_workbook(io.BytesIO(staff_client.get(XLSX).content))
    assert workbook.sheetnames == ["Indicators", "History"]
    history = workbook["History"]
    assert [c.value for c in history[1]] == exports.history_labels()
    rows = [[c.value for c in row] for row in history.iter_rows(min_row=2)]
    for row in rows:
        row[1] = row[1].date()  # openpyxl reads a date cell back as a datetime
    assert rows[0][:3] == ["members", before, 20] and rows[0][-1] is True
    assert rows[1][:3] == ["members", last, 26] and rows[1][-1] is False
    assert len(rows) == 2  # today's snapshot is not a month end: not a history point
    assert history.cell(2, 6).number_format == "0.0%"


def test_csv_history_is_the_month_ends_with_history_1(staff_client, members_history):
    before, _ = members_history
    response = staff_client.get(CSV, {"history": "1", "variant": "machine"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="lcamp-indicators-history-{TODAY.isoformat()}.csv"')
    rows = read_csv(response)
    assert rows[0] == exports.HISTORY_CODES
    assert rows[1] == ["members", before.isoformat(), "20.00", "200.00", "80.00", "10.0", "On track", "yes"]
    assert read_csv(staff_client.get(CSV, {"variant": "machine"}))[0] == exports.CODES  # without it: today's table


def test_partners_may_not_export_the_history(partner_client, members_history):
    assert partner_client.get(CSV, {"history": "1"}).status_code == 403
