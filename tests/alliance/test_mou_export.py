"""The MoU list exports what a reviewer sees on /mous/ (search, filters, sort) as CSV and XLSX; a large
XLSX is a job; formulas are neutralised; partners get no export; a bad filter is a 400."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from alliance.models import MoU
from alliance.mous import views
from registers.models import Job
from tests.factories import MoUFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
HEADERS = [header for header, _ in views.mous.export_columns()]


def csv_rows(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def mous():
    basque = OrganisationFactory(name="Tknika Export", country="ES")
    lyon = OrganisationFactory(name="Lycée Export", country="FR")
    return [
        MoUFactory(title="Robotics with Siemens", partner_organisation=basque, status=MoU.Status.SUBMITTED),
        MoUFactory(title="Welding with Airbus", partner_organisation=lyon, document="",
                   counterpart=OrganisationFactory(name="Airbus Export", country="FR")),
        MoUFactory(title="=HYPERLINK(\"http://evil\") robotics", partner_organisation=lyon),
    ]


def test_a_manager_exports_every_mou_as_csv_and_xlsx(manager_client, mous):
    rows = csv_rows(manager_client.get(reverse("alliance:mou-export-csv") + "?variant=machine"))
    assert rows[0] == HEADERS
    assert len(rows) == 1 + len(mous)
    welding = next(row for row in rows if row[1] == "Welding with Airbus")
    assert welding[HEADERS.index("partner_organisation")] == "Lycée Export (FR)"
    assert welding[HEADERS.index("counterpart_country")] == "FR"
    assert welding[HEADERS.index("status")] == "submitted"
    assert welding[HEADERS.index("signed_on")] == "2024-03-01"
    as_xlsx = manager_client.get(reverse("alliance:mou-export-xlsx"))
    assert as_xlsx.status_code == 200 and as_xlsx.content.startswith(b"PK")
    assert xlsx_rows(as_xlsx.content)[0] == HEADERS
    assert len(xlsx_rows(as_xlsx.content)) == 1 + len(mous)


def test_the_export_honours_the_lists_search_filters_and_sort(manager_client, mous):
    lyon = mous[1].partner_organisation
    query = f"?q=robotics&partner={lyon.pk}&sort=title"
    rows = csv_rows(manager_client.get(reverse("alliance:mou-export-csv") + query))
    assert [row[1] for row in rows[1:]] == ["'=HYPERLINK(\"http://evil\") robotics"]
    rows = csv_rows(manager_client.get(reverse("alliance:mou-export-csv") + "?sort=-title"))
    assert [row[1] for row in rows[1:]] == sorted((row[1] for row in rows[1:]), reverse=True)


def test_formulas_are_neutralised_in_both_formats(manager_client, mous):
    rows = csv_rows(manager_client.get(reverse("alliance:mou-export-csv")))
    titles = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\") robotics" in titles
    assert not any(title.startswith("=") for title in titles)
    sheet = xlsx_rows(manager_client.get(reverse("alliance:mou-export-xlsx")).content)
    assert "'=HYPERLINK(\"http://evil\") robotics" in [row[1] for row in sheet[1:]]


@pytest.mark.parametrize(("role", "expected"), [("partner", 403), ("other_partner", 403), ("anonymous", 302),
                                                ("staff", 200), ("admin", 200), ("manager", 200)])
def test_the_export_is_for_those_who_see_every_mou(role_clients, mous, role, expected):
    for name in ("alliance:mou-export-csv", "alliance:mou-export-xlsx"):
        assert role_clients[role].get(reverse(name)).status_code == expected


def test_the_review_list_links_its_export_with_its_query_and_a_partner_sees_none(manager_client, partner_client,
                                                                              mous):
    page = manager_client.get(reverse("alliance:mou-list") + "?q=robotics&page=1").content.decode()
    assert reverse("alliance:mou-export-csv") + "?q=robotics" in page
    assert reverse("alliance:mou-export-xlsx") + "?q=robotics" in page
    assert "export" not in partner_client.get(reverse("alliance:mou-list")).content.decode()


@pytest.mark.parametrize("query", ["?status=bogus", "?partner=abc", "?partner=999999", "?sort=nonsense",
                                   "?country=XX", "?q=a%00b"])
def test_a_bad_filter_is_a_clear_400_and_no_job(manager_client, mous, query, settings):
    settings.EXPORT_ASYNC_ROWS = 0
    for name in ("alliance:mou-export-csv", "alliance:mou-export-xlsx"):
        response = manager_client.get(reverse(name) + query)
        assert response.status_code == 400
        assert "filters are not valid" in response.content.decode()
    assert not Job.objects.exists()


def test_a_large_xlsx_export_is_a_job_with_the_lists_filters(manager_client, staff_client, mous, settings,
                                                              django_capture_on_commit_callbacks):
    settings.EXPORT_ASYNC_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.get(reverse("alliance:mou-export-xlsx") + "?q=robotics")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registers-job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    download = manager_client.get(reverse("registers-job-download", args=[job.pk]))
    rows = xlsx_rows(b"".join(download.streaming_content))
    assert rows[0] == HEADERS
    assert sorted(row[1] for row in rows[1:]) == sorted(["Robotics with Siemens",
                                                          "'=HYPERLINK(\"http://evil\") robotics"])
    assert staff_client.get(reverse("registers-job-download", args=[job.pk])).status_code == 404


def test_an_export_job_whose_filters_no_longer_hold_fails_with_a_message(manager_user, mous):
    from registers import tasks

    job = Job.objects.create(kind=Job.Kind.EXPORT, subject="alliance:mou", title="MoUs", user=manager_user,
                             params={"query": "status=bogus", "list_url": reverse("alliance:mou-list")})
    tasks.export_task.run(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and not job.file
    assert job.message == "The list's filters are no longer valid."
