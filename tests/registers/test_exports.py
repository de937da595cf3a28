"""Every register exports its filtered list as CSV and XLSX, with the page's permissions; formulas are
neutralised; organisations and members round-trip (export, import into an empty database, same rows)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse
from openpyxl import load_workbook

from alliance.models import AllianceMember
from organisations.models import Organisation
from registers import importing
from registers.exports import neutralise
from registers.registry import REGISTER_PAGES
from tests.factories import AllianceMemberFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db
get_resolver().url_patterns  # noqa: B018 - loading the URL conf declares every register
REGISTERS = sorted(REGISTER_PAGES)


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("key", REGISTERS)
def test_every_register_exports_csv_and_xlsx_and_lists_the_links(manager_client, key):
    register = REGISTER_PAGES[key]
    page = manager_client.get(register.url("list"))
    assert register.url("export-csv") in page.content.decode() or not page.context["rows"]
    as_csv = manager_client.get(register.url("export-csv"))
    assert as_csv.status_code == 200 and as_csv["Content-Type"].startswith("text/csv")
    rows = csv_rows(as_csv)
    labels = register.export_labels()
    assert rows[0] == [labels[h] for h, _ in register.export_columns()]  # for people, in the reader's language
    codes = csv_rows(manager_client.get(register.url("export-csv") + "?variant=machine"))[0]
    assert codes == [h for h, _ in register.export_columns()]
    as_xlsx = manager_client.get(register.url("export-xlsx"))
    assert as_xlsx.status_code == 200
    assert xlsx_rows(as_xlsx)[0] == codes


@pytest.mark.parametrize("key", REGISTERS)
@pytest.mark.parametrize("role", ["partner", "other_partner", "anonymous", "staff", "admin"])
def test_export_permissions_are_the_pages(role_clients, key, role):
    """Partners export what their list shows (a register of their own records, or reference data); a
    register closed to them is closed to its export too."""
    register = REGISTER_PAGES[key]
    expected = {"anonymous": 302, "staff": 200, "admin": 200}.get(role)
    if expected is None:
        expected = 200 if register.partner_access else 403
    for name in ("export-csv", "export-xlsx"):
        assert role_clients[role].get(register.url(name)).status_code == expected


def test_a_partners_export_holds_its_own_organisations_records_only(partner_client, organisation,
                                                                    other_organisation):
    from tests.factories import MicroCredentialFactory

    MicroCredentialFactory(awarding_body=organisation, title="Ours")
    MicroCredentialFactory(awarding_body=other_organisation, title="Theirs")
    rows = csv_rows(partner_client.get(reverse("training:micro-credential-export-csv") + "?variant=machine"))
    titles = [row[rows[0].index("title")] for row in rows[1:]]
    assert titles == ["Ours"]


def test_export_honours_search_and_filters(manager_client):
    OrganisationFactory(name="Zubiri Manteo", country="ES", kind="vet")
    OrganisationFactory(name="Zubiri Lyon", country="FR", kind="vet")
    OrganisationFactory(name="Other", country="FR", kind="vet")
    url = reverse("organisations:organisation-export-csv") + "?q=zubiri&country=FR"
    rows = csv_rows(manager_client.get(url))
    assert [r[0] for r in rows[1:]] == ["Zubiri Lyon"]


def test_formulas_are_neutralised(manager_client):
    OrganisationFactory(name="=HYPERLINK(\"http://evil\",\"x\")", acronym="+1", city="@SUM(A1)")
    rows = csv_rows(manager_client.get(reverse("organisations:organisation-export-csv") + "?q=HYPERLINK"))
    assert rows[1][:2] == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+1"]
    sheet = xlsx_rows(manager_client.get(reverse("organisations:organisation-export-xlsx") + "?q=HYPERLINK"))
    assert sheet[1][0].startswith("'=") and sheet[1][5] == "'@SUM(A1)"
    assert neutralise("-2") == "'-2" and neutralise(-2) == -2 and neutralise("plain") == "plain"


@pytest.mark.parametrize("register, extension", [
    ("organisations:organisation", "csv"), ("organisations:organisation", "xlsx"),
    ("alliance:member", "csv"), ("alliance:member", "xlsx"),
])
def test_export_then_import_into_an_empty_database_gives_the_same_rows(manager_client, manager_user, register,
                                                                       extension):
    RegionFactory()
    AllianceMemberFactory.create_batch(4)
    OrganisationFactory(name="Easo", country="ES", acronym="EASO", erasmus_oid="E10208995", pic="949640498",
                        is_consortium_partner=True)
    url = reverse(f"{register}-export-{extension}")
    exported = manager_client.get(url)
    content = b"".join(exported.streaming_content) if extension == "csv" else exported.content
    before = csv_rows(manager_client.get(reverse(f"{register}-export-csv")))
    AllianceMember.objects.all().delete()
    manager_user.organisation = None
    manager_user.save()
    Organisation.objects.all().delete()
    rows = importing.read_upload(SimpleUploadedFile(f"export.{extension}", content))
    importing.import_rows(REGISTER_PAGES[register], rows, user=manager_user)
    after = csv_rows(manager_client.get(reverse(f"{register}-export-csv")))
    assert sorted(after[1:]) == sorted(before[1:]) and len(after) > 1


def test_a_many_to_many_cell_lists_its_records_in_a_stable_order(manager_client):
    """Two organisations of the same name tie in the model's ordering: the cell sorts them itself."""
    from tests.factories import CooperationProjectFactory

    italian = OrganisationFactory(name="Easo", country="IT")
    spanish = OrganisationFactory(name="Easo", country="ES")
    zeta = OrganisationFactory(name="Zeta", country="FR")
    for organisation in (zeta, italian, spanish):
        AllianceMemberFactory(organisation=organisation)
    CooperationProjectFactory(lead_organisation=zeta, participants=[zeta, italian, spanish])
    rows = csv_rows(manager_client.get(REGISTER_PAGES["alliance:cooperation-project"].url("export-csv")
                                       + "?variant=machine"))
    assert rows[1][rows[0].index("participants")] == "Easo (ES); Easo (IT); Zeta (FR)"
