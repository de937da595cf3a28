"""Bulk import of organisations and alliance members (each its register's import, ``registers.importing``):
upload, preview with every bad row, confirm, all or nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from alliance.models import AllianceMember
from organisations.models import Organisation
from registers import importing, stash
from registers.registry import REGISTER_PAGES
from tests.factories import AllianceMemberFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db
URLS = {"organisations": "organisations:organisation-import", "members": "alliance:member-import"}
TEMPLATES = {"organisations": "organisations:organisation-import-template",
             "members": "alliance:member-import-template"}
URL = URLS["members"]


def csv_file(text, name="members.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, name="members.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


MEMBERS_CSV = (
    "organisation,country,kind,category,joined_on,left_on,note\n"
    "Centro Easo,ES,vet,vet,2024-05-02,,\n"
    "Politecnico di Torino,IT,higher_education,research,2024-06-03,,Joined in Turin\n"
)


def preview(client, kind, upload):
    return client.post(reverse(URLS[kind]), {"file": upload})


def confirm(client, response, kind="members"):
    return client.post(reverse(URLS[kind]), {"token": response.context["token"]})


def test_manager_previews_then_confirms_member_import(manager_client):
    existing = OrganisationFactory(name="Politecnico di Torino", country="IT")
    response = preview(manager_client, "members", csv_file(MEMBERS_CSV))
    assert response.status_code == 200
    assert response.context["total"] == 2 and response.context["bad_rows"] == []
    assert AllianceMember.objects.count() == 0  # nothing written by the preview
    done = confirm(manager_client, response)
    assert done.status_code == 302 and done["Location"] == reverse("alliance:member-list")
    assert AllianceMember.objects.count() == 2
    assert AllianceMember.objects.get(organisation=existing).note == "Joined in Turin"
    new = Organisation.objects.get(name="Centro Easo")
    assert new.kind == "vet" and new.memberships.get().joined_on.isoformat() == "2024-05-02"
    assert new.memberships.get().history.first().history_user.username == "manager"


def test_xlsx_import_of_organisations(manager_client):
    RegionFactory()
    upload = xlsx_file([importing.template_rows(REGISTER_PAGES["organisations:organisation"])[0],
                        ["Easo", "EASO", "vet", "ES", "ES21", "Donostia", "https://easo.eus", "", 949640498,
                         "yes"]], name="orgs.xlsx")
    response = preview(manager_client, "organisations", upload)
    assert response.context["bad_rows"] == [], response.context["bad_rows"]
    confirm(manager_client, response, "organisations")
    organisation = Organisation.objects.get(name="Easo")
    assert organisation.pic == "949640498" and organisation.region.code == "ES21"
    assert organisation.is_consortium_partner


def test_one_bad_row_imports_nothing_and_lists_the_row(manager_client, organisation):
    AllianceMemberFactory(organisation=organisation)
    text = MEMBERS_CSV + (
        "Nowhere Institute,Atlantis,vet,vet,2024-01-01,,\n"     # line 4: unknown country
        "Bad Date School,FR,vet,vet,2024-02-31,,\n"             # line 5: bad date
        "TKNIKA,ES,vet,vet,2024-06-01,,\n"                      # line 6: already a member in the database
    )
    response = preview(manager_client, "members", csv_file(text))
    bad = {row["line"]: " ".join(row["errors"]) for row in response.context["bad_rows"]}
    assert set(bad) == {4, 5, 6}
    assert bad[4].startswith("country: Select a valid choice. Atlantis")
    assert bad[5].startswith("joined_on: Enter a valid date.")
    assert "already a member" in bad[6]
    assert "token" not in response.context
    content = response.content.decode()
    assert "3 rows with errors" in content and "Select a valid choice" in content
    assert AllianceMember.objects.count() == 1 and Organisation.objects.count() == 1


def test_a_row_repeating_an_earlier_one_is_refused_at_confirmation(manager_client):
    """Each row is checked alone at the preview; at confirmation the rows are saved in turn, so a
    membership repeating an earlier row's overlaps it and nothing is imported."""
    response = preview(manager_client, "members", csv_file(MEMBERS_CSV + "Centro Easo,ES,vet,vet,2024-06-01,,\n"))
    assert response.context["bad_rows"] == []
    refused = confirm(manager_client, response)
    assert [row["line"] for row in refused.context["bad_rows"]] == [4]
    assert "already a member" in " ".join(refused.context["bad_rows"][0]["errors"])
    assert AllianceMember.objects.count() == 0 and not Organisation.objects.filter(name="Centro Easo").exists()


def test_rows_valid_at_preview_but_not_at_confirm_import_nothing(manager_client):
    response = preview(manager_client, "members", csv_file(MEMBERS_CSV))
    OrganisationFactory(name="Centro Easo", country="ES")
    AllianceMemberFactory(organisation=Organisation.objects.get(name="Centro Easo"))
    refused = confirm(manager_client, response)
    assert refused.status_code == 200
    assert "Nothing was imported" in refused.content.decode()
    assert AllianceMember.objects.count() == 1
    assert not Organisation.objects.filter(name="Politecnico di Torino").exists()


def test_duplicate_organisations_in_file_and_database_are_errors(manager_client, organisation):
    text = "name,country,kind\nTknika,ES,vet\nNew One,FR,vet\nnew one,FR,vet\n"
    response = preview(manager_client, "organisations", csv_file(text, "orgs.csv"))
    bad = {row["line"]: " ".join(row["errors"]) for row in response.context["bad_rows"]}
    assert "already registered" in bad[2] and set(bad) == {2}
    # The file's own duplicate is refused when the rows are saved in turn.
    text = "name,country,kind\nNew One,FR,vet\nnew one,FR,vet\n"
    response = preview(manager_client, "organisations", csv_file(text, "orgs.csv"))
    refused = confirm(manager_client, response, "organisations")
    bad = {row["line"]: " ".join(row["errors"]) for row in refused.context["bad_rows"]}
    assert "already registered" in bad[3] and set(bad) == {3}
    assert not Organisation.objects.filter(name="New One").exists()


@pytest.mark.parametrize("name, content, message", [
    ("members.txt", b"organisation,country\n", "Upload a .csv or .xlsx file"),
    ("members.xlsx", b"organisation,country\nA,ES\n", "not an Excel .xlsx file"),
    ("members.csv", b"\x00\x01\x02PK binary", "not a CSV text file"),
    ("members.csv", "organisation,country\nÉcole,FR\n".encode("latin-1"), "not UTF-8"),
    ("members.csv", b"organisation,country,category,joined_on\n", "no rows"),
    ("members.csv", b"name,country\nEasy,ES\n", "unknown columns: name"),
])
def test_bad_files_are_refused_with_a_message(manager_client, name, content, message):
    response = preview(manager_client, "members", SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert AllianceMember.objects.count() == 0


def test_too_large_file_is_refused(manager_client, settings):
    settings.MAX_UPLOAD_BYTES = 100
    response = preview(manager_client, "members", csv_file(MEMBERS_CSV * 5))
    assert "larger than" in " ".join(response.context["form"].errors["file"])


def test_confirm_with_forged_or_foreign_token_imports_nothing(manager_client, client, admin_user):
    response = preview(manager_client, "members", csv_file(MEMBERS_CSV))
    token = response.context["token"]
    forged = manager_client.post(reverse(URL), {"token": token[:-2] + "xx"})
    assert "expired" in forged.content.decode()
    client.force_login(admin_user)
    foreign = client.post(reverse(URL), {"token": token})
    assert "expired" in foreign.content.decode()
    other_register = manager_client.post(reverse(URLS["organisations"]), {"token": token})
    assert "expired" in other_register.content.decode()
    assert AllianceMember.objects.count() == 0 and confirm(manager_client, response).status_code == 302


def test_stashed_rows_live_under_private_media_root(manager_client, settings):
    preview(manager_client, "members", csv_file(MEMBERS_CSV))
    stashed = list((__import__("pathlib").Path(settings.PRIVATE_MEDIA_ROOT) / "imports").glob("*.json"))
    assert len(stashed) == 1


@pytest.mark.parametrize("kind, register", [("organisations", "organisations:organisation"),
                                            ("members", "alliance:member")])
def test_templates_download_as_csv_and_xlsx_and_import_cleanly(manager_client, kind, register):
    RegionFactory()
    response = manager_client.get(reverse(TEMPLATES[kind], args=["csv"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    result = preview(manager_client, kind, csv_file(response.content.decode("utf-8-sig"), "t.csv"))
    assert result.context["bad_rows"] == [] and result.context["total"] == 1
    xlsx = manager_client.get(reverse(TEMPLATES[kind], args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == [h for h, _ in REGISTER_PAGES[register].export_columns()]
    assert manager_client.get(reverse(TEMPLATES[kind], args=["pdf"])).status_code == 404
    # The former addresses lead to the registers' own.
    assert manager_client.get(reverse("alliance:import-template", args=[kind, "csv"]))["Location"] == reverse(
        TEMPLATES[kind], args=["csv"])
    assert manager_client.get(reverse("alliance:import"))["Location"] == reverse(URL)
    assert reverse(URLS[kind]) in manager_client.get(REGISTER_PAGES[register].url("list")).content.decode()


# Partner editors reach the page (their own organisation's records: tests/registers/test_partner_import.py);
# a preview writes nothing.
@pytest.mark.parametrize("role, expected", [("admin", 200), ("manager", 200), ("staff", 403), ("partner", 200),
                                            ("other_partner", 200)])
def test_only_managers_import(role_clients, role, expected):
    client = role_clients[role]
    assert client.get(reverse(URL)).status_code == expected
    assert client.get(reverse(TEMPLATES["members"], args=["csv"])).status_code == expected
    response = client.post(reverse(URL), {"kind": "members", "file": csv_file(MEMBERS_CSV)})
    assert response.status_code == expected
    assert AllianceMember.objects.count() == 0


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse(URL))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_large_member_file_is_imported_by_a_job_registering_the_new_organisations(
        manager_client, settings, django_capture_on_commit_callbacks):
    settings.REGISTER_IMPORT_ASYNC_ROWS = 5
    lines = ["organisation,country,kind,category,joined_on"]
    lines += [f"Organisation number {n},{'ES' if n % 2 else 'IT'},sme,business,2024-01-{1 + n % 28:02d}"
              for n in range(20)]
    response = preview(manager_client, "members", csv_file("\n".join(lines) + "\n", "big.csv"))
    assert response.context["deferred"] and response.context["total"] == 20
    with django_capture_on_commit_callbacks(execute=True):
        done = confirm(manager_client, response)
    job = manager_client.get(done["Location"]).context["job"]
    assert job.status == "done" and job.done == 20
    assert AllianceMember.objects.count() == 20
    assert Organisation.objects.count() == 21  # plus the manager's organisation
    assert set(Organisation.objects.filter(name__startswith="Organisation number").values_list("kind", flat=True)) \
        == {"sme"}


def test_confirming_twice_imports_the_rows_once(manager_client):
    response = preview(manager_client, "members", csv_file(MEMBERS_CSV))
    token = response.context["token"]
    # A double-click: the first request claims the rows before it reads them.
    from accounts.models import User

    manager = User.objects.get(username="manager")
    _, _, claimed = stash.claim_rows(token=token, user=manager)
    second = manager_client.post(reverse(URL), {"token": token})
    assert second.status_code == 200
    assert "These rows are being imported already." in second.content.decode()
    assert AllianceMember.objects.count() == 0
    stash.release_rows(claimed)
    assert confirm(manager_client, response).status_code == 302
    assert AllianceMember.objects.count() == 2
    again = manager_client.post(reverse(URL), {"token": token})
    assert AllianceMember.objects.count() == 2 and again.status_code == 200
    assert "imported already" in again.content.decode()


def test_a_refused_confirmation_can_be_confirmed_again_once_fixed(manager_client):
    response = preview(manager_client, "members", csv_file(MEMBERS_CSV))
    blocker = AllianceMemberFactory(organisation=OrganisationFactory(name="Centro Easo", country="ES"))
    assert "Nothing was imported" in confirm(manager_client, response).content.decode()
    blocker.delete()
    assert confirm(manager_client, response).status_code == 302
    assert AllianceMember.objects.filter(organisation__name="Centro Easo").count() == 1


def test_a_country_and_a_kind_may_be_named_as_people_write_them(manager_client):
    text = ("organisation,country,kind,category,joined_on,left_on,note\n"
            "Politecnico di Torino,Italy,Higher education or research,research,2024-06-03,,\n"
            "Centro Easo,es,vet provider,vet,2024-05-02,,\n")
    response = preview(manager_client, "members", csv_file(text))
    assert response.context["bad_rows"] == [], response.context["bad_rows"]
    confirm(manager_client, response)
    assert sorted(Organisation.objects.filter(memberships__isnull=False).values_list("name", "country", "kind")) == [
        ("Centro Easo", "ES", "vet"), ("Politecnico di Torino", "IT", "higher_education")]


def test_a_label_no_choice_has_is_a_row_error_and_nothing_is_written(manager_client):
    text = ("organisation,country,kind,category,joined_on,left_on,note\n"
            "Politecnico di Torino,Italia del Nord,higher_education,research,2024-06-03,,\n")
    response = preview(manager_client, "members", csv_file(text))
    bad = [" ".join(row["errors"]) for row in response.context["bad_rows"]]
    assert len(bad) == 1 and bad[0].startswith("country: Select a valid choice. Italia del Nord")
    assert "token" not in response.context
    assert not Organisation.objects.filter(name="Politecnico di Torino").exists()
    assert not AllianceMember.objects.exists()
