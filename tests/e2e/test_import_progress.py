"""An import of 500 rows runs as a job: its page shows progress bars that move without a reload,
reach 100%, survive a refresh, and then the result."""

import pytest

from alliance.models import AllianceMember
from registers import tasks
from registers.models import Job
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def manager(transactional_db):
    from django.contrib.auth.models import Group

    from accounts import roles

    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    return UserFactory(username="importer", role="manager")


def test_an_import_of_500_rows_shows_a_progress_bar_that_reaches_100_percent(
        manager, page, login, settings, monkeypatch, tmp_path):
    from playwright.sync_api import expect

    queued = []
    # A worker that has not taken the job yet; the test plays it below.
    monkeypatch.setattr(tasks.import_task, "delay", queued.append)
    lines = ["organisation,country,kind,category,joined_on"]
    lines += [f"Importer test {n},ES,sme,business,2024-01-{1 + n % 28:02d}" for n in range(500)]
    upload = tmp_path / "members.csv"
    upload.write_text("\n".join(lines) + "\n")

    login(page, "importer", "pass-word-123")
    page.goto("/registers/import/")  # the former address: the members' import
    page.wait_for_url("**/registers/alliance-members/import/")
    page.set_input_files("#id_file", str(upload))
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Import 500 rows").click()
    page.wait_for_url("**/registers/jobs/*/")
    job = Job.objects.get()
    assert queued == [str(job.pk)]
    assert page.locator("#job-done").get_attribute("value") == "0"
    page.evaluate("window.notReloaded = true")

    # The worker publishes its counts as it goes: the bars follow without a reload.
    job.mark_running()
    job.record_progress(total=500, checked=240)
    expect(page.locator("#job-checked")).to_have_js_property("value", 240)
    assert page.evaluate("window.notReloaded") is True
    job.record_progress(checked=500, done=500)
    expect(page.locator("#job-done")).to_have_js_property("value", 500)
    assert page.locator("#job-done").evaluate("bar => bar.max") == 500
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("[data-job-text=done]").inner_text() == "500"

    page.reload()  # the progress survives a refresh
    assert page.locator("#job-done").get_attribute("value") == "500"

    page.goto("about:blank")  # nothing polls while the worker writes (one SQLite connection in tests)
    tasks.import_task.run(str(job.pk))
    page.goto(f"/registers/jobs/{job.pk}/")
    assert page.get_by_text("Imported 500 rows.").is_visible()
    assert page.locator("progress").count() == 0
    assert AllianceMember.objects.count() == 500
