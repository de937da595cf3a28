"""Long imports and exports run as jobs: a page follows their progress, keeps their result for the
user who started them (nobody else sees them), and old jobs are cleaned away with their files."""

import csv
import datetime
import io
import os
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from openpyxl import load_workbook

import registers.tasks
from alliance.models import AllianceMember
from organisations.models import Organisation
from registers import jobs
from registers.models import Job
from tests.factories import MicroCredentialFactory, OrganisationFactory, ReportFactory

pytestmark = pytest.mark.django_db
IMPORT = {"organisations": "organisations:organisation-import", "members": "alliance:member-import"}
ORGANISATIONS = "organisations:organisation"


def job_url(job, name="registers-job"):
    return reverse(name, args=[job.pk])


def csv_upload(kind, count, *, bad_line=None):
    if kind == "organisations":
        lines = ["name,country,kind"] + [f"Organisation {n},ES,vet" for n in range(count)]
    else:
        lines = ["organisation,country,kind,category,joined_on"] + [
            f"Member {n},{'ES' if n % 2 else 'IT'},sme,business,2024-01-{1 + n % 28:02d}" for n in range(count)]
    if bad_line is not None:
        lines[bad_line - 1] = lines[bad_line - 1].replace(",ES,", ",Atlantis,").replace(",IT,", ",Atlantis,")
    return SimpleUploadedFile(f"{kind}.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def preview_and_confirm(client, kind, upload, capture):
    preview = client.post(reverse(IMPORT[kind]), {"file": upload})
    assert preview.status_code == 200
    token = preview.context.get("token")
    with capture(execute=True):
        return client.post(reverse(IMPORT[kind]), {"token": token}) if token else preview


@pytest.fixture
def recorded(monkeypatch):
    """The counts every job writes to its row, in order, as ``(checked, done)``."""
    writes = []
    real = Job.record_progress

    def record(job, **counts):
        real(job, **counts)
        writes.append((job.checked, job.done))

    monkeypatch.setattr(Job, "record_progress", record)
    return writes


def intermediate(values, total):
    return sorted({v for v in values if 0 < v < total})


# --- Imports ---------------------------------------------------------------------------------


@pytest.mark.timeout(180)
@pytest.mark.parametrize("kind, model", [("organisations", Organisation), ("members", AllianceMember)])
def test_a_600_row_import_runs_as_a_job_whose_progress_advances_in_steps(
        manager_client, django_capture_on_commit_callbacks, recorded, kind, model, monkeypatch):
    monkeypatch.setattr(jobs.Progress, "EVERY_SECONDS", 60)  # written every EVERY_ROWS rows, whatever the load
    before = model.objects.count()
    response = preview_and_confirm(manager_client, kind, csv_upload(kind, 600), django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert model.objects.count() - before == 600
    # Checked and imported rows advance (each row is saved once checked) through values between 0 and 600 ...
    checked = [c for c, _ in recorded]
    done = [d for _, d in recorded]
    assert checked == sorted(checked) and done == sorted(done)
    assert len(intermediate(checked, 600)) >= 2 and len(intermediate(done, 600)) >= 2
    assert max(done) == 600 and max(checked) == 600
    assert all(d <= c for c, d in recorded)  # no row is imported before it is checked
    # ... written to the job row in batches, not once per row.
    assert len(recorded) < 10
    # With no broker the task ran in the request: the page shows the result at once.
    page = manager_client.get(job_url(job))
    assert "Imported 600" in page.content.decode() and "<progress" not in page.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and (job.checked, job.done, job.total) == (600, 600, 600)
    assert not job.file  # the rows waiting for the import are gone


def test_a_small_import_does_not_start_a_job(manager_client, django_capture_on_commit_callbacks):
    response = preview_and_confirm(manager_client, "organisations", csv_upload("organisations", 10),
                                   django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("organisations:organisation-list")
    assert not Job.objects.exists()


def test_a_refused_large_import_keeps_the_row_errors_and_writes_nothing(
        manager_client, django_capture_on_commit_callbacks, settings):
    settings.REGISTER_IMPORT_ASYNC_ROWS = 5
    preview = manager_client.post(reverse(IMPORT["members"]), {"file": csv_upload("members", 20)})
    # Valid at preview; an overlapping membership is registered before the confirmation.
    AllianceMember.objects.create(organisation=OrganisationFactory(name="Member 7", country="ES"),
                                  category="business", joined_on=datetime.date(2023, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse(IMPORT["members"]), {"token": preview.context["token"]})
    job = Job.objects.get()
    assert response["Location"] == job_url(job)
    assert AllianceMember.objects.count() == 1
    page = manager_client.get(job_url(job)).content.decode()
    assert "Nothing was imported: 1 of 20 rows have errors." in page
    assert "Member 7" in page and "<td class=\"num\">9</td>" in page
    assert job.__class__.objects.get().status == Job.Status.FAILED
    assert not list(Path(settings.PRIVATE_MEDIA_ROOT, "imports").glob("*"))  # the stash is gone too


def test_a_queued_import_shows_its_progress_until_a_worker_runs_it(
        manager_client, django_capture_on_commit_callbacks, settings, monkeypatch):
    settings.REGISTER_IMPORT_ASYNC_ROWS = 5
    queued = []
    monkeypatch.setattr(registers.tasks.import_task, "delay", queued.append)
    response = preview_and_confirm(manager_client, "organisations", csv_upload("organisations", 12),
                                   django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert queued == [str(job.pk)] and response["Location"] == job_url(job)
    page = manager_client.get(job_url(job)).content.decode()
    assert 'id="job-checked"' in page and 'id="job-done"' in page and "Waiting for a worker" in page
    assert "registers/job.js" in page and 'http-equiv="refresh"' in page  # follows it, with or without JS
    assert manager_client.get(job_url(job, "registers-job-status")).json() == {
        "status": "queued", "finished": False, "total": 12, "checked": 0, "done": 0}
    assert manager_client.get(job_url(job, "registers-job-download")).status_code == 404
    # Counts the worker published while its transaction is still open show on a refresh.
    job.mark_running()
    job.record_progress(checked=6)
    page = manager_client.get(job_url(job)).content.decode()
    assert 'id="job-checked" data-job-count="checked" max="12" value="6"' in page and "Running" in page
    assert manager_client.get(job_url(job, "registers-job-status")).json()["checked"] == 6

    registers.tasks.import_task.run(str(job.pk))  # what the worker does
    assert manager_client.get(job_url(job, "registers-job-status")).json() == {
        "status": "done", "finished": True, "total": 12, "checked": 12, "done": 12}
    page = manager_client.get(job_url(job)).content.decode()
    assert "Imported 12 rows." in page and reverse("organisations:organisation-list") in page
    assert registers.tasks.import_task.run(str(job.pk)) is None  # a redelivered message does nothing twice
    assert Organisation.objects.filter(name__startswith="Organisation ").count() == 12


def test_a_job_that_cannot_be_queued_says_so(manager_client, django_capture_on_commit_callbacks, settings,
                                             monkeypatch):
    settings.REGISTER_IMPORT_ASYNC_ROWS = 5

    def broker_down(*args):
        raise OperationalError("connection refused")

    monkeypatch.setattr(registers.tasks.import_task, "delay", broker_down)
    preview_and_confirm(manager_client, "organisations", csv_upload("organisations", 12),
                        django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "the background worker does not answer" in manager_client.get(job_url(job)).content.decode()


def test_progress_is_written_every_batch_of_rows_or_half_second_not_every_row(manager_user):
    job = Job.objects.create(kind=Job.Kind.IMPORT, subject="members", title="Members", user=manager_user)
    now = [0.0]
    progress = jobs.Progress(job, clock=lambda: now[0])
    writes = []
    job.record_progress = lambda **counts: writes.append(counts)
    for n in range(1, 1001):
        progress(checked=n)
    assert [w["checked"] for w in writes] == [200, 400, 600, 800, 1000]
    progress(checked=1010)
    assert len(writes) == 5
    now[0] = 0.6  # slow rows: half a second is enough
    progress(checked=1011)
    assert writes[-1]["checked"] == 1011
    progress.flush()
    assert len(writes) == 6  # nothing new to write


# --- Who sees a job ----------------------------------------------------------------------------


@pytest.fixture
def finished_export(manager_user):
    job = Job.objects.create(kind=Job.Kind.EXPORT, subject=ORGANISATIONS, title="Organisations",
                             user=manager_user, status=Job.Status.DONE, total=1, done=1, filename="x.xlsx")
    job.file.save("x.xlsx", ContentFile(b"PK"))
    return job


@pytest.mark.parametrize("name", ["registers-job", "registers-job-status", "registers-job-download"])
def test_another_users_job_and_an_unknown_job_are_not_found(staff_client, manager_client, finished_export, name):
    assert manager_client.get(job_url(finished_export, name)).status_code == 200
    assert staff_client.get(job_url(finished_export, name)).status_code == 404
    assert manager_client.get(reverse(name, args=[uuid.uuid4()])).status_code == 404


# Partners have job pages of their own (an export of their records, issue 21): somebody else's job is not found.
@pytest.mark.parametrize("role, expected", [("partner", 404), ("other_partner", 404), ("anonymous", 302),
                                            ("admin", 404)])
def test_nobody_else_reaches_a_job(role_clients, finished_export, role, expected):
    for name in ("registers-job", "registers-job-status", "registers-job-download"):
        assert role_clients[role].get(job_url(finished_export, name)).status_code == expected


# --- Exports -----------------------------------------------------------------------------------


def sheet_rows(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def organisations(count, prefix="Bulk"):
    Organisation.objects.bulk_create([Organisation(name=f"{prefix} {n:04d}", country="FR", kind="vet")
                                      for n in range(count)])


def test_a_large_xlsx_export_is_a_job_with_the_pages_filters_offered_to_its_user_only(
        manager_client, staff_client, django_capture_on_commit_callbacks, settings, recorded):
    settings.EXPORT_ASYNC_ROWS = 3
    organisations(600)
    OrganisationFactory(name="=HYPERLINK(\"http://evil\") Bulk", country="FR", kind="vet")
    OrganisationFactory(name="Bulk elsewhere", country="ES", kind="vet")
    list_url = reverse("organisations:organisation-list")
    url = reverse("organisations:organisation-export-xlsx") + "?q=Bulk&country=FR"
    assert manager_client.get(list_url + "?q=Bulk&country=FR").context["page"].paginator.count == 601
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.get(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    page = manager_client.get(job_url(job)).content.decode()
    assert "The export is ready: 601 rows." in page and job_url(job, "registers-job-download") in page
    download = manager_client.get(job_url(job, "registers-job-download"))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    rows = sheet_rows(b"".join(download.streaming_content))
    names = [row[rows[0].index("name")] for row in rows[1:]]
    assert len(names) == 601 and "Bulk elsewhere" not in names
    assert "'=HYPERLINK(\"http://evil\") Bulk" in names  # neutralised, as in the page's export
    assert len(intermediate([d for _, d in recorded], 601)) >= 2  # rows written advance too
    assert staff_client.get(job_url(job, "registers-job-download")).status_code == 404
    stored = Path(settings.PRIVATE_MEDIA_ROOT) / job.file.name
    assert stored.exists() and not str(stored).startswith(str(settings.MEDIA_ROOT))


def test_a_small_export_in_either_format_stays_immediate(manager_client, settings):
    organisations(5)
    settings.EXPORT_ASYNC_ROWS = Organisation.objects.count()  # at the threshold: not above it
    small = manager_client.get(reverse("organisations:organisation-export-xlsx"))
    assert small.status_code == 200 and small.content.startswith(b"PK")
    as_csv = manager_client.get(reverse("organisations:organisation-export-csv"))
    assert as_csv.status_code == 200 and as_csv.streaming
    assert not Job.objects.exists()


def test_a_large_csv_export_is_a_job_too_with_the_pages_filters(
        manager_client, staff_client, django_capture_on_commit_callbacks, settings, recorded):
    """A million-row CSV streamed by the request ran near the web worker's timeout (issue 25): above
    the threshold a CSV is written by the worker, as an XLSX is."""
    settings.EXPORT_ASYNC_ROWS = 3
    organisations(600)
    OrganisationFactory(name="=HYPERLINK(\"http://evil\") Bulk", country="FR", kind="vet")
    OrganisationFactory(name="Bulk elsewhere", country="ES", kind="vet")
    url = reverse("organisations:organisation-export-csv") + "?q=Bulk&country=FR&variant=comma"
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.get(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert job.params["format"] == "csv" and job.status == Job.Status.DONE, job.message
    assert job.filename.endswith(".csv") and job.done == 601
    assert "The export is ready: 601 rows." in manager_client.get(job_url(job)).content.decode()
    download = manager_client.get(job_url(job, "registers-job-download"))
    assert download.status_code == 200 and job.filename in download["Content-Disposition"]
    content = b"".join(download.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for accents, as the streamed CSV
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    names = [row[rows[0].index("Name")] for row in rows[1:]]  # the comma variant's headers: labels
    assert len(names) == 601 and "Bulk elsewhere" not in names
    assert "'=HYPERLINK(\"http://evil\") Bulk" in names  # neutralised, as in the streamed export
    assert len(intermediate([d for _, d in recorded], 601)) >= 2
    assert staff_client.get(job_url(job, "registers-job-download")).status_code == 404
    # The same list in the other format is another job, not the CSV's.
    with django_capture_on_commit_callbacks(execute=True):
        as_xlsx = manager_client.get(reverse("organisations:organisation-export-xlsx") + "?q=Bulk&country=FR")
    assert as_xlsx["Location"] != response["Location"] and Job.objects.count() == 2


def test_an_export_job_queued_before_csv_jobs_existed_is_still_an_xlsx(manager_user, settings):
    organisations(3)
    job = Job.objects.create(kind=Job.Kind.EXPORT, subject=ORGANISATIONS, title="Organisations",
                             user=manager_user, params={"query": "", "list_url": "/"})
    registers.tasks.export_task.run(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.filename.endswith(".xlsx")
    assert job.file.open("rb").read(2) == b"PK"


def test_a_partner_gets_no_export_job_of_a_register_closed_to_partners(partner_client, settings):
    settings.EXPORT_ASYNC_ROWS = 1
    ReportFactory.create_batch(3)
    assert partner_client.get(reverse("indicators:report-export-xlsx")).status_code == 403
    assert not Job.objects.exists()


def test_a_partners_export_job_holds_its_own_organisations_records_only(
        partner_client, organisation, other_organisation, settings, django_capture_on_commit_callbacks):
    """The worker reads the list as the partner's pages do (issue 21): its organisation's records only."""
    settings.EXPORT_ASYNC_ROWS = 1
    MicroCredentialFactory.create_batch(2, awarding_body=organisation)
    MicroCredentialFactory(awarding_body=other_organisation, title="Not ours")
    with django_capture_on_commit_callbacks(execute=True):
        response = partner_client.get(reverse("training:micro-credential-export-xlsx"))
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == Job.Status.DONE, job.message
    rows = sheet_rows(b"".join(partner_client.get(job_url(job, "registers-job-download")).streaming_content))
    titles = [row[rows[0].index("title")] for row in rows[1:]]
    assert len(titles) == 2 and "Not ours" not in titles


def test_an_export_whose_user_lost_the_role_meanwhile_fails(manager_user, manager_client, settings, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    settings.EXPORT_ASYNC_ROWS = 1
    organisations(5)
    queued = []
    monkeypatch.setattr(registers.tasks.export_task, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.get(reverse("organisations:organisation-export-xlsx"))
    manager_user.groups.clear()
    registers.tasks.export_task.run(queued[0])
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and not job.file


# --- Cleaning ----------------------------------------------------------------------------------


def test_old_jobs_and_their_files_are_deleted_recent_ones_kept(manager_user, settings, finished_export):
    settings.JOBS_KEEP_DAYS = 7
    old_file = Path(finished_export.file.path)
    Job.objects.filter(pk=finished_export.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    stuck = Job.objects.create(kind=Job.Kind.IMPORT, subject="members", title="Members", user=manager_user,
                               status=Job.Status.RUNNING)
    Job.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    recent = Job.objects.create(kind=Job.Kind.EXPORT, subject=ORGANISATIONS, title="Organisations",
                                user=manager_user, status=Job.Status.DONE)
    recent.file.save("recent.xlsx", ContentFile(b"PK"))
    stashes = Path(settings.PRIVATE_MEDIA_ROOT) / "imports"
    stashes.mkdir(parents=True)
    forgotten, waiting = stashes / "forgotten.json", stashes / "waiting.json"
    forgotten.write_text("{}")
    waiting.write_text("{}")
    eight_days_ago = (timezone.now() - datetime.timedelta(days=8)).timestamp()
    os.utime(forgotten, (eight_days_ago, eight_days_ago))
    assert registers.tasks.clean_jobs_task.delay().get() == 2
    assert list(Job.objects.all()) == [recent]
    assert not old_file.exists() and Path(recent.file.path).exists()
    assert not forgotten.exists() and waiting.exists()  # a preview nobody confirmed goes too


def test_the_cleaning_is_in_the_beat_schedule(settings):
    from lcamp.celery import app

    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "registers.tasks.clean_jobs_task" in entries
    assert "registers.tasks.clean_jobs_task" in app.tasks


def test_a_job_that_breaks_says_so_instead_of_running_for_ever(manager_client, settings, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    settings.EXPORT_ASYNC_ROWS = 1
    organisations(5)
    queued = []
    monkeypatch.setattr(registers.tasks.export_task, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.get(reverse("organisations:organisation-export-xlsx"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("registers.exports.xlsx_write", broken)
    with pytest.raises(RuntimeError):
        registers.tasks.export_task.run(queued[0])
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "unexpected error" in manager_client.get(job_url(job)).content.decode()


def test_an_export_asked_twice_while_it_waits_is_one_job(manager_client, staff_client, settings, monkeypatch):
    settings.EXPORT_ASYNC_ROWS = 1
    organisations(5)
    queued = []
    monkeypatch.setattr(registers.tasks.export_task, "delay", queued.append)
    url = reverse("organisations:organisation-export-xlsx") + "?q=Bulk"
    first = manager_client.get(url)
    again = manager_client.get(url)
    job = Job.objects.get()
    assert first["Location"] == again["Location"] == job_url(job)
    other_query = manager_client.get(reverse("organisations:organisation-export-xlsx") + "?q=Bulk+0")
    other_user = staff_client.get(url)
    assert Job.objects.count() == 3
    assert other_query["Location"] != first["Location"] != other_user["Location"]
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    assert manager_client.get(url)["Location"] != first["Location"]  # a finished export is asked afresh
