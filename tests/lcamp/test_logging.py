"""What the logs say: one line per request, tracebacks only for server errors, slow requests with
their path, status and duration (a login is slow by design), quiet commands."""

import io
import logging
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(settings):
    """Every log record the project's logging lets through, from any logger, as a list."""
    logging.config.dictConfig(settings.LOGGING)
    captured = []

    class Collect(logging.Handler):
        def emit(self, record):
            captured.append(record)

    handler = Collect(level=logging.DEBUG)
    # The configured handlers are the only outputs: spy on them where records arrive.
    console = [h for h in logging.getLogger().handlers if h.__class__.__name__ == "StreamHandler"]
    assert console
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in settings.LOGGING["loggers"]]
    with_console = [lg for lg in loggers if any(h in console for h in lg.handlers)]
    for lg in with_console:
        lg.addHandler(handler)
    yield captured
    for lg in with_console:
        lg.removeHandler(handler)


def lines_about(records, path):
    return [r for r in records if path in r.getMessage() or getattr(r, "path", None) == path]


@pytest.mark.parametrize(("who", "path", "status"), [
    ("partner", "/periods/", 403),
    ("manager", "/registers/no-such-register/", 404),
    ("manager", "/accounts/profile/", 200),
])
def test_one_line_per_request_and_no_traceback_below_500(records, role_clients, who, path, status):
    response = role_clients[who].get(path)
    assert response.status_code == status
    lines = lines_about(records, path)
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].name == "lcamp.request"
    assert not any(r.exc_info for r in records)


@pytest.mark.urls("tests.lcamp.fault_urls")
def test_a_server_error_logs_its_traceback(records, client):
    client.raise_request_exception = False
    response = client.get("/test/bug/")
    assert response.status_code == 500
    assert any(r.exc_info for r in records)
    request_lines = [r for r in records if r.name == "lcamp.request"]
    assert len(request_lines) == 1 and request_lines[0].levelno == logging.ERROR


def test_slow_request_names_its_path_status_and_milliseconds(records, client, settings):
    settings.SLOW_REQUEST_SECONDS = 0
    client.get("/health/")
    (line,) = lines_about(records, "/health/")
    assert line.levelno == logging.WARNING
    assert re.fullmatch(r"slow request GET /health/ 200 \d+\.\d ms", line.getMessage())


def test_a_login_is_not_flagged_slow_for_hashing_a_password(records, client, manager_user, settings):
    settings.SLOW_REQUEST_SECONDS = 0  # everything else would be "slow"
    settings.SLOW_LOGIN_SECONDS = 3600  # however loaded the machine
    manager_user.set_password("right-password")
    manager_user.save()
    response = client.post(reverse("login"), {"username": "manager", "password": "right-password"})
    assert response.status_code == 302
    (line,) = lines_about(records, reverse("login"))
    assert line.levelno == logging.INFO
    settings.SLOW_LOGIN_SECONDS = 0
    client.post(reverse("login"), {"username": "manager", "password": "right-password"})
    assert lines_about(records, reverse("login"))[-1].levelno == logging.WARNING


def test_rollup_backfill_prints_no_info_lines_unless_verbose(records, settings):
    call_command("seed_lcamp", verbosity=0)
    records.clear()
    out = io.StringIO()
    call_command("rollup", "--backfill", stdout=out)
    assert "Backfill:" in out.getvalue()
    assert [r.getMessage() for r in records if r.levelno < logging.WARNING] == []
    call_command("rollup", "--backfill", verbosity=2, stdout=io.StringIO())
    assert any(r.levelno == logging.INFO and "Backfill" in r.getMessage() for r in records)
