"""Imports by partner editors (issue 21): into a register of their own records, every row their
organisation's; each record created is submitted with its Submission and counts once a coordinator
approves it; a row of another organisation is a row error naming it, and nothing is written."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver

from alliance.models import AllianceMember
from registers import importing, submissions
from registers.models import Approval, Job, Submission
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
    ProjectFactory,
    RegionFactory,
    SkillGapFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
get_resolver().url_patterns  # noqa: B018 - loading the URL conf declares every register

OWN = ["alliance:member", "observatories:observatory", "observatories:skill-gap", "training:micro-credential",
       "training:factory", "training:exchange", "training:product", "alliance:cooperation-project"]
# The column naming the responsible organisation (or the record it comes from), and the other
# organisation's value for it (see ``world``); the alliance members are all the Alliance lead's.
OWNER_COLUMN = {
    "observatories:observatory": ("host_organisation", "AFIL (IT)"),
    "observatories:skill-gap": ("observatory", "AFIL observatory"),
    "training:micro-credential": ("awarding_body", "AFIL (IT)"),
    "training:factory": ("host_organisation", "AFIL (IT)"),
    "training:exchange": ("factory", "AFIL factory"),
    "training:product": ("factories", "AFIL factory"),
    "alliance:cooperation-project": ("lead_organisation", "AFIL (IT)"),
}


@pytest.fixture
def world(organisation, other_organisation):
    """TKNIKA (``organisation``) leads the Alliance and keeps one record in each register; AFIL
    (``other_organisation``) hosts an observatory and a factory of its own."""
    ProjectFactory(lead_organisation=organisation)
    region = RegionFactory()
    lyon = OrganisationFactory(name="Lycée Lyon", country="FR")
    for member in (organisation, other_organisation, lyon):
        AllianceMemberFactory(organisation=member, joined_on=datetime.date(2022, 1, 10))
    observatory = ObservatoryFactory(name="Basque observatory", region=region, host_organisation=organisation)
    ObservatoryFactory(name="AFIL observatory", region=region, host_organisation=other_organisation)
    SkillGapFactory(observatory=observatory)
    credential = MicroCredentialFactory(awarding_body=organisation)
    credential.co_awarding_organisations.set([lyon])
    factory = LearningFactoryFactory(name="Tknika factory", host_organisation=organisation, region=region)
    LearningFactoryFactory(name="AFIL factory", host_organisation=other_organisation)
    FactoryExchangeFactory(factory=factory, partner_organisations=[lyon])
    FactoryProductFactory(factories=[factory], collaborating_organisations=[lyon, other_organisation])
    CooperationProjectFactory(lead_organisation=organisation, participants=[organisation, lyon])
    return organisation


def _csv(client, key):
    response = client.get(REGISTER_PAGES[key].url("export-csv") + "?variant=machine")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _as_csv(header, *rows):
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode()


def _own_rows(client, key):
    """The export of ``key`` as TKNIKA's partner editor finds it (its own records), each row renamed to be
    a new record (a member: of a new organisation)."""
    header, *rows = _csv(client, key)
    if key == "alliance:member":
        row = list(next(row for row in rows if row[header.index("organisation")] == "TKNIKA"))
        row[header.index("organisation")] = "Brand new"
        row[header.index("country")] = "PT"
        return header, [row]
    name = "title" if "title" in header else "name"
    for n, row in enumerate(rows):
        row[header.index(name)] = f"Imported {n} {row[header.index(name)]}"
        if "students" in header:  # not a duplicate of the exported exchange
            row[header.index("students")] = str(int(row[header.index("students")]) + 1)
    return header, rows


@pytest.fixture
def viewer_client(organisation):
    client = Client()
    client.force_login(UserFactory(username="viewer", role="partner_viewer", organisation=organisation))
    return client


def _import(client, key, content):
    url = REGISTER_PAGES[key].url("import")
    preview = client.post(url, {"file": SimpleUploadedFile("rows.csv", content)})
    assert preview.status_code == 200
    return preview


@pytest.mark.parametrize("key", OWN)
def test_a_partner_editors_import_creates_submitted_records(world, partner_client, partner_user,
                                                            key):
    header, rows = _own_rows(partner_client, key)
    model = REGISTER_PAGES[key].model
    before = set(model.objects.values_list("pk", flat=True))
    preview = _import(partner_client, key, _as_csv(header, *rows))
    assert not preview.context["bad_rows"], preview.context["bad_rows"]
    response = partner_client.post(REGISTER_PAGES[key].url("import"), {"token": preview.context["token"]})
    assert response.status_code == 302, response.context and response.context.get("bad_rows")
    created = model.objects.exclude(pk__in=before)
    assert created.count() == len(rows) >= 1
    assert set(created.values_list("approval", flat=True)) == {Approval.SUBMITTED}
    waiting = Submission.objects.filter(register=key, object_id__in=created.values("pk"))
    assert waiting.count() == len(rows)
    assert {(s.kind, s.status, s.organisation_id, s.submitted_by_id) for s in waiting} == {
        ("new", "submitted", world.pk, partner_user.pk)}
    if hasattr(model.objects, "countable"):
        assert not model.objects.countable().filter(pk__in=created.values("pk")).exists()


@pytest.mark.parametrize("key", sorted(OWNER_COLUMN))
def test_a_row_of_another_organisation_is_an_error_naming_it(world, partner_client, key):
    header, rows = _own_rows(partner_client, key)
    column, other = OWNER_COLUMN[key]
    bad = list(rows[0])
    bad[header.index(column)] = other
    bad[header.index("title" if "title" in header else "name")] += " elsewhere"
    model = REGISTER_PAGES[key].model
    count = model.objects.count()
    preview = _import(partner_client, key, _as_csv(header, rows[0], bad))
    assert [row["line"] for row in preview.context["bad_rows"]] == [3]
    assert any("AFIL" in error for error in preview.context["bad_rows"][0]["errors"]), preview.context["bad_rows"]
    assert "token" not in preview.context
    assert model.objects.count() == count
    assert not Submission.objects.exists()


def test_the_import_itself_refuses_another_organisations_row_all_or_nothing(world, partner_client, partner_user):
    """Checked again when written (the job's path): every row or none."""
    key = "training:factory"
    header, rows = _own_rows(partner_client, key)
    bad = list(rows[0])
    bad[header.index("host_organisation")] = "AFIL (IT)"
    bad[header.index("name")] = "Elsewhere"
    table = [dict(zip(header, row, strict=True)) for row in (rows[0], bad)]
    count = REGISTER_PAGES[key].model.objects.count()
    with pytest.raises(importing.ImportRefused) as refused:
        importing.import_rows(REGISTER_PAGES[key], table, user=partner_user)
    errors = [p for p in refused.value.preview if p["errors"]]
    assert [p["line"] for p in errors] == [3] and "AFIL" in " ".join(errors[0]["errors"])
    assert REGISTER_PAGES[key].model.objects.count() == count
    assert not Submission.objects.exists()


def test_another_partners_file_is_refused_row_by_row(world, partner_client, other_partner_client):
    header, rows = _own_rows(partner_client, "training:micro-credential")
    preview = _import(other_partner_client, "training:micro-credential", _as_csv(header, *rows))
    assert preview.context["bad_rows"] and all("TKNIKA" in " ".join(row["errors"])
                                               for row in preview.context["bad_rows"])


def test_a_partner_editors_large_import_runs_as_a_job_as_that_partner(world, partner_client,
                                                                       partner_user, settings,
                                                                       django_capture_on_commit_callbacks):
    settings.REGISTER_IMPORT_ASYNC_ROWS = 1
    key = "training:factory"
    header, rows = _own_rows(partner_client, key)
    rows = [rows[0], [*rows[0]]]
    rows[1][header.index("name")] = "A second imported factory"
    preview = _import(partner_client, key, _as_csv(header, *rows))
    assert preview.context["deferred"]
    with django_capture_on_commit_callbacks(execute=True):  # no broker: the job runs on commit
        response = partner_client.post(REGISTER_PAGES[key].url("import"), {"token": preview.context["token"]})
    job = Job.objects.get()
    assert response.status_code == 302 and job.user == partner_user
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert Submission.objects.filter(register=key, submitted_by=partner_user, kind="new").count() == 2


def test_a_job_whose_partner_became_a_viewer_writes_nothing(world, partner_client, partner_user,
                                                            settings, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group

    settings.REGISTER_IMPORT_ASYNC_ROWS = 0
    key = "training:factory"
    header, rows = _own_rows(partner_client, key)
    preview = _import(partner_client, key, _as_csv(header, *rows))
    partner_user.groups.set([Group.objects.get_or_create(name="partner_viewer")[0]])
    count = REGISTER_PAGES[key].model.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        importing_job = importing.jobs.job_start(
            kind=Job.Kind.IMPORT, subject=key, title="f", user=type(partner_user).objects.get(pk=partner_user.pk),
            task=importing.tasks.import_task, total=len(rows),
            file_name=importing.stash.stash_file_name(importing.stash.claim_rows(
                token=preview.context["token"], user=partner_user)[2]))
    importing_job.refresh_from_db()
    assert importing_job.status == Job.Status.FAILED
    assert "no longer allows" in importing_job.message
    assert REGISTER_PAGES[key].model.objects.count() == count


def test_approved_imports_count(world, partner_client, manager_user):
    key = "training:micro-credential"
    header, rows = _own_rows(partner_client, key)
    preview = _import(partner_client, key, _as_csv(header, *rows))
    partner_client.post(REGISTER_PAGES[key].url("import"), {"token": preview.context["token"]})
    model = REGISTER_PAGES[key].model
    for submission in Submission.objects.all():
        submissions.decide(submission=submission, reviewer=manager_user, decision="approve")
    assert model.objects.filter(approval=Approval.SUBMITTED).count() == 0
    assert model.objects.countable().count() == 2


@pytest.mark.parametrize("key", OWN)
def test_who_reaches_the_import_pages(world, partner_client, other_partner_client, viewer_client, staff_client, key):
    register = REGISTER_PAGES[key]
    for client, expected in ((partner_client, 200), (other_partner_client, 200), (viewer_client, 403),
                             (staff_client, 403)):
        assert client.get(register.url("import")).status_code == expected
        assert client.get(register.url("import-template", "csv")).status_code == expected
    assert register.url("import") in partner_client.get(register.url("list")).content.decode()


def test_a_partner_editor_without_an_organisation_imports_nothing(world):
    client = Client()
    client.force_login(UserFactory(username="orphan", role="partner_editor"))
    assert client.get(REGISTER_PAGES["training:factory"].url("import")).status_code == 403


def test_partners_still_import_no_organisations(partner_client):
    assert partner_client.get(REGISTER_PAGES["organisations:organisation"].url("import")).status_code == 403


def test_member_rows_are_the_alliance_leads(world, partner_client, other_partner_client):
    header, rows = _own_rows(partner_client, "alliance:member")
    count = AllianceMember.objects.count()
    preview = _import(other_partner_client, "alliance:member", _as_csv(header, *rows))
    assert "TKNIKA" in " ".join(preview.context["bad_rows"][0]["errors"])
    assert AllianceMember.objects.count() == count
