"""Every register where managers create records imports the file its export writes: export, import
into an empty database (referenced registers first), same rows; a bad row is shown with its error and
nothing is written; only managers (and admins) reach the import pages."""

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse
from openpyxl import Workbook

from alliance.models import AllianceMember, CooperationProject
from observatories.models import Observatory, SkillGap
from organisations.models import Organisation, Region
from registers.access import OWN
from registers.registry import REGISTER_PAGES
from tests.factories import (
    AllianceMemberFactory,
    CooperationProjectFactory,
    FactoryExchangeFactory,
    FactoryProductFactory,
    LearningFactoryFactory,
    MicroCredentialFactory,
    ObservatoryFactory,
    OrganisationFactory,
    RegionFactory,
    SkillGapFactory,
)
from training.models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential

pytestmark = pytest.mark.django_db
get_resolver().url_patterns  # noqa: B018 - loading the URL conf declares every register

# In dependency order: a register comes after those it names.
IMPORTABLE = ["organisations:region", "organisations:organisation", "alliance:member", "observatories:observatory",
              "observatories:skill-gap", "training:micro-credential", "training:factory", "training:exchange",
              "training:product", "alliance:cooperation-project"]
MODELS = [Region, Organisation, AllianceMember, Observatory, SkillGap, MicroCredential, LearningFactory,
          FactoryExchange, FactoryProduct, CooperationProject]
IGNORED = {"id", "created_at", "updated_at"}


def test_the_importable_registers_are_those_declared():
    # Reports are reviewed, not imported.
    assert sorted(k for k, r in REGISTER_PAGES.items() if r.importable) == sorted(IMPORTABLE)
    assert REGISTER_PAGES["alliance:member"].import_link() == reverse("alliance:member-import")


def _world():
    region = RegionFactory()
    basque = OrganisationFactory(name="Easo", country="ES", region=region)
    lyon = OrganisationFactory(name="Lycée =Lyon", country="FR")
    turin = OrganisationFactory(name="Easo", country="IT")  # the same name in another country
    observatory = ObservatoryFactory(region=region, host_organisation=basque, website="https://obs.example.eu")
    gap = SkillGapFactory(observatory=observatory)
    SkillGapFactory(observatory=observatory, status=SkillGap.Status.RETIRED, critical=False)
    credential = MicroCredentialFactory(awarding_body=basque, languages=["es", "eu"])
    credential.co_awarding_organisations.set([lyon, turin])
    credential.skill_gaps.set([gap])
    MicroCredentialFactory(awarding_body=lyon, status=MicroCredential.Status.RETIRED)
    factory = LearningFactoryFactory(host_organisation=basque, region=region, description="=SUM(1) robots")
    FactoryExchangeFactory(factory=factory, partner_organisations=[lyon, turin])
    FactoryExchangeFactory(factory=factory, partner_organisations=[lyon], status=FactoryExchange.Status.CANCELLED)
    FactoryProductFactory(factories=[factory], collaborating_organisations=[turin, lyon])
    FactoryProductFactory(factories=[factory], collaborating_organisations=[basque, lyon],
                          status=FactoryProduct.Status.RETIRED)
    for organisation in (basque, lyon, turin):  # cooperation is among alliance members
        AllianceMemberFactory(organisation=organisation, joined_on=datetime.date(2022, 1, 10))
    CooperationProjectFactory(lead_organisation=basque, participants=[basque, lyon, turin])
    CooperationProjectFactory(lead_organisation=turin, participants=[turin, basque],
                              status=CooperationProject.Status.CANCELLED)


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _machine_csv(client, key):
    """The register's export with its column codes (the variant for scripts)."""
    return _csv(client.get(REGISTER_PAGES[key].url("export-csv") + "?variant=machine"))


def _comparable(rows):
    """The export without its ids and timestamps, in a stable order."""
    keep = [i for i, header in enumerate(rows[0]) if header not in IGNORED]
    return sorted(tuple(row[i] for i in keep) for row in rows[1:])


def _export(client, key, extension):
    response = client.get(REGISTER_PAGES[key].url(f"export-{extension}"))
    assert response.status_code == 200
    return b"".join(response.streaming_content) if extension == "csv" else response.content


def _import(client, key, name, content):
    """Upload, check the preview has no error, confirm; return the confirmation's response."""
    url = REGISTER_PAGES[key].url("import")
    preview = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert preview.status_code == 200
    assert not preview.context.get("bad_rows"), (key, preview.context.get("bad_rows"),
                                                 preview.context["form"].errors)
    return client.post(url, {"token": preview.context["token"]})


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_every_importable_register_round_trips_into_an_empty_database(manager_client, manager_user, extension):
    _world()
    files = {key: _export(manager_client, key, extension) for key in IMPORTABLE}
    before = {key: _comparable(_machine_csv(manager_client, key))
              for key in IMPORTABLE}
    assert all(len(rows) >= 1 for rows in before.values())

    for model in reversed(MODELS[2:]):
        model.objects.all().delete()
    manager_user.organisation = None
    manager_user.save()
    Organisation.objects.all().delete()
    Region.objects.all().delete()

    # In dependency order: regions first (organisations name them), then organisations, members...
    for key in IMPORTABLE:
        response = _import(manager_client, key, f"{key}.{extension}", files[key])
        assert response.status_code == 302, (key, response.context and response.context.get("bad_rows"))

    after = {key: _comparable(_machine_csv(manager_client, key))
             for key in before}
    for key in before:
        assert after[key] == before[key], key


# --- Bad rows -----------------------------------------------------------------------------------------

# Per register: a date column, a column naming an organisation (or another record), a required column.
BAD = {
    "organisations:region": (None, None, "name"),
    "organisations:organisation": (None, "region", "name"),
    "alliance:member": ("joined_on", None, "category"),
    "observatories:observatory": ("launched_on", "host_organisation", "name"),
    "observatories:skill-gap": ("identified_on", "observatory", "title"),
    "training:micro-credential": ("published_on", "awarding_body", "title"),
    "training:factory": (None, "host_organisation", "name"),
    "training:exchange": ("started_on", "partner_organisations", "title"),
    "training:product": ("developed_on", "collaborating_organisations", "title"),
    "alliance:cooperation-project": ("started_on", "lead_organisation", "title"),
}


def _one_record_file(client, key):
    _world()
    header, row = _csv(client.get(REGISTER_PAGES[key].url("export-csv") + "?variant=machine"))[:2]
    if key == "organisations:region":  # a region is unique: another one
        row[header.index("code")], row[header.index("country")] = "FR10", "FR"
    if key in ("organisations:organisation", "alliance:member"):  # another organisation (a new member)
        row[header.index("name" if key == "organisations:organisation" else "organisation")] = "Brand new"
    return header, row


def _as_csv(header, *rows):
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode()


@pytest.mark.parametrize("key", IMPORTABLE)
@pytest.mark.parametrize("problem", ["date", "relation", "required"])
def test_a_bad_row_is_shown_with_its_error_and_nothing_is_written(manager_client, key, problem):
    header, row = _one_record_file(manager_client, key)
    column = BAD[key][["date", "relation", "required"].index(problem)]
    if column is None:
        pytest.skip("this register has no such column")
    good = list(row)
    bad = list(row)
    index = header.index(column)
    bad[index] = {"date": "2024-13-45", "relation": "Nowhere (ZZ)", "required": ""}[problem]
    model = REGISTER_PAGES[key].model
    count = model.objects.count()
    url = REGISTER_PAGES[key].url("import")
    response = manager_client.post(url, {"file": SimpleUploadedFile("bad.csv", _as_csv(header, good, bad))})
    assert response.status_code == 200
    bad_rows = response.context["bad_rows"]
    assert [r["line"] for r in bad_rows] == [3]
    assert any(error.startswith(f"{column}:") for error in bad_rows[0]["errors"]), bad_rows[0]["errors"]
    assert "token" not in response.context
    assert model.objects.count() == count


def test_a_row_refused_at_confirmation_writes_nothing(manager_client):
    """Two rows of the same file that clash (the same region twice) pass the preview one by one and are
    refused together when written: nothing is imported."""
    header, row = _one_record_file(manager_client, "organisations:region")
    url = REGISTER_PAGES["organisations:region"].url("import")
    preview = manager_client.post(url, {"file": SimpleUploadedFile("r.csv", _as_csv(header, row, row))})
    assert not preview.context["bad_rows"]
    count = Region.objects.count()
    response = manager_client.post(url, {"token": preview.context["token"]})
    assert response.status_code == 200 and [r["line"] for r in response.context["bad_rows"]] == [3]
    assert Region.objects.count() == count


@pytest.mark.parametrize("content, name, message", [
    (b"title,colour\nx,red\n", "wrong.csv", "unknown columns: colour"),
    (b"\x00\x01", "binary.csv", "not a CSV"),
    (b"not a zip", "fake.xlsx", "not an Excel"),
])
def test_a_bad_file_is_a_form_error(manager_client, content, name, message):
    response = manager_client.post(REGISTER_PAGES["training:factory"].url("import"),
                                   {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])


def test_too_many_rows_is_a_form_error(manager_client, settings):
    from registers import importing

    header = [h for h, _ in REGISTER_PAGES["training:factory"].export_columns()]
    rows = [[""] * len(header) for _ in range(importing.MAX_ROWS + 1)]
    for row in rows:
        row[header.index("name")] = "x"
    response = manager_client.post(REGISTER_PAGES["training:factory"].url("import"),
                                   {"file": SimpleUploadedFile("big.csv", _as_csv(header, *rows))})
    assert "at most 20,000 rows" in " ".join(response.context["form"].errors["file"])


# --- Big files: a job ------------------------------------------------------------------------------------


def test_a_big_file_is_imported_by_a_job_with_progress(manager_client, settings,
                                                      django_capture_on_commit_callbacks):
    settings.REGISTER_IMPORT_ASYNC_ROWS = 3
    organisation = OrganisationFactory(name="Host", country="ES")
    header = [h for h, _ in REGISTER_PAGES["training:factory"].export_columns()]
    rows = []
    for n in range(5):
        row = [""] * len(header)
        row[header.index("name")] = f"Factory {n}"
        row[header.index("host_organisation")] = str(organisation)
        rows.append(row)
    workbook = Workbook()
    for row in [header, *rows]:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    url = REGISTER_PAGES["training:factory"].url("import")
    preview = manager_client.post(url, {"file": SimpleUploadedFile("f.xlsx", content.getvalue())})
    with django_capture_on_commit_callbacks(execute=True):  # no broker: the job runs on commit
        response = manager_client.post(url, {"token": preview.context["token"]})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    page = manager_client.get(response["Location"])
    job = page.context["job"]
    assert job.status == "done" and job.done == 5 and job.total == 5
    assert LearningFactory.objects.count() == 5


def test_a_big_file_with_a_bad_row_is_refused_by_its_job_with_the_rows_errors(manager_client, settings,
                                                                             django_capture_on_commit_callbacks):
    settings.REGISTER_IMPORT_ASYNC_ROWS = 3
    header = [h for h, _ in REGISTER_PAGES["training:factory"].export_columns()]
    rows = []
    for n in range(5):
        row = [""] * len(header)
        row[header.index("name")] = f"Factory {n}"
        row[header.index("host_organisation")] = "Nowhere (ZZ)" if n == 3 else str(OrganisationFactory())
        rows.append(row)
    url = REGISTER_PAGES["training:factory"].url("import")
    preview = manager_client.post(url, {"file": SimpleUploadedFile("f.csv", _as_csv(header, *rows))})
    assert preview.context["deferred"] and preview.context["total"] == 5
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"token": preview.context["token"]})
    job = manager_client.get(response["Location"]).context["job"]
    assert job.status == "failed" and [r["line"] for r in job.row_errors] == [5]
    assert "host_organisation" in job.row_errors[0]["errors"][0]
    assert LearningFactory.objects.count() == 0


# --- Who may import -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", IMPORTABLE)
@pytest.mark.parametrize("role, expected", [("partner", 403), ("other_partner", 403), ("staff", 403),
                                            ("anonymous", 302), ("admin", 200), ("manager", 200)])
def test_only_managers_reach_the_import_page(role_clients, key, role, expected):
    if role in ("partner", "other_partner") and REGISTER_PAGES[key].partner_access == OWN:
        expected = 200  # partner editors import their own records: tests/registers/test_partner_import.py
    url = REGISTER_PAGES[key].url("import")
    response = role_clients[role].get(url)
    assert response.status_code == expected
    if role == "anonymous":
        assert reverse("login") in response["Location"]
    assert role_clients[role].post(url, {"file": SimpleUploadedFile("x.csv", b"a\n1\n")}).status_code == expected


def test_the_list_offers_the_import_link_to_managers_only(manager_client, staff_client):
    register = REGISTER_PAGES["training:product"]
    assert register.url("import") in manager_client.get(register.url("list")).content.decode()
    assert register.url("import") not in staff_client.get(register.url("list")).content.decode()


# --- The roll-up hears the imported records ------------------------------------------------------------


def test_an_import_writes_the_outbox_rows_and_requests_one_drain(manager_client, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    from decimal import Decimal

    from indicators import triggers
    from indicators.models import OutboxEntry
    from tests.factories import IndicatorFactory, ProjectFactory

    project = ProjectFactory(start_on=datetime.date(2022, 9, 1), end_on=datetime.date(2026, 8, 31))
    IndicatorFactory(project=project, code="collaborative-products", title="products", target=Decimal(8),
                     target_date=project.end_on)
    _world()
    content = _export(manager_client, "training:product", "csv")
    FactoryProduct.objects.all().delete()
    OutboxEntry.objects.all().delete()
    drains = []
    monkeypatch.setattr(triggers, "drain_request", lambda: drains.append(1))
    url = REGISTER_PAGES["training:product"].url("import")
    preview = manager_client.post(url, {"file": SimpleUploadedFile("p.csv", content)})
    with django_capture_on_commit_callbacks(execute=True):
        assert manager_client.post(url, {"token": preview.context["token"]}).status_code == 302
    assert FactoryProduct.objects.count() == 2
    assert OutboxEntry.objects.filter(indicator__code="collaborative-products").exists()
    assert drains == [1]  # one drain for the whole import, not one per record


def test_a_name_shared_by_two_records_is_an_error_naming_it(manager_client):
    """Relations are found by the name the export writes, never by id: two observatories of the same
    name cannot be told apart, and the row says so instead of picking one."""
    header, row = _one_record_file(manager_client, "observatories:skill-gap")
    observatory = Observatory.objects.get(name=row[header.index("observatory")])
    ObservatoryFactory(name=observatory.name, region=observatory.region,
                       host_organisation=observatory.host_organisation)
    count = SkillGap.objects.count()
    response = manager_client.post(REGISTER_PAGES["observatories:skill-gap"].url("import"),
                                   {"file": SimpleUploadedFile("g.csv", _as_csv(header, row))})
    errors = response.context["bad_rows"][0]["errors"]
    assert errors == [f"observatory: 2 records are named “{observatory.name}”; rename one first."]
    assert SkillGap.objects.count() == count


def test_an_import_reads_the_indicators_and_closed_periods_once_and_asks_no_check_query(manager_user, rf):
    """The cost of a row does not include the roll-up's lookups or a query per check constraint."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registers import importing

    call_command("seed_lcamp", verbosity=0)  # the indicators a micro-credential counts towards
    awarding = OrganisationFactory(name="Escola Proves", country="ES")
    for n in range(20):
        MicroCredentialFactory(title=f"Course {n}", awarding_body=awarding)
    register = REGISTER_PAGES["training:micro-credential"]
    request = rf.get("/")
    request.user = manager_user
    headers, rows, _ = register.export_rows(request)
    rows = [{h: "" if v is None else str(v) for h, v in zip(headers, row, strict=True)} for row in rows]
    for row in rows:
        row["title"] = row["title"].replace("Course", "Imported course")
    with CaptureQueriesContext(connection) as captured:
        assert importing.import_rows(register, rows, user=manager_user) == 20
    sql = [q["sql"] for q in captured.captured_queries]
    assert len([q for q in sql if 'FROM "indicators_indicator"' in q]) <= 1
    assert len([q for q in sql if 'FROM "indicators_reportingperiod"' in q]) <= 1
    assert not [q for q in sql if '"_check"' in q]
    assert len(sql) <= 20 * 20
    assert MicroCredential.objects.filter(title__startswith="Imported course").count() == 20


@pytest.mark.parametrize("key", IMPORTABLE)
def test_the_import_button_of_a_list_opens_that_registers_import(admin_client, key):
    """The members list's Import opens the members' import, not the organisations' (nor any other's)."""
    register = REGISTER_PAGES[key]
    page = admin_client.get(register.url("list")).content.decode()
    buttons = re.findall(r'<a class="button" href="([^"]+)">Import</a>', page)
    assert buttons == [register.url("import")]
    opened = admin_client.get(buttons[0])
    assert opened.status_code == 200
    assert f"<h1>Import {register.plural}</h1>" in opened.content.decode()
    assert opened.context["register"] is register
