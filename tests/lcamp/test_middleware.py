"""Request id and request log, and the 503 page during a database outage."""

import io
import json
import logging

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client
from django.utils.module_loading import import_string

from lcamp.middleware import RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_log():
    """The lcamp.request logger writing through the production JSON formatter."""
    config = dict(django_settings.LOGGING["formatters"]["json"])
    factory = import_string(config.pop("()"))
    # dictConfig passes "format" on as "fmt", as we do here.
    formatter = factory(fmt=config.pop("format"), **config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("lcamp.request")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_each_response_carries_a_fresh_request_id(client):
    first = client.get("/health/")["X-Request-ID"]
    second = client.get("/health/")["X-Request-ID"]
    assert first and second and first != second


def test_a_proxy_request_id_is_kept_but_a_malformed_one_replaced(client):
    assert client.get("/health/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    replaced = client.get("/health/", HTTP_X_REQUEST_ID="evil\nline")["X-Request-ID"]
    assert "\n" not in replaced and replaced != "evil\nline"


def test_the_request_log_line_is_json_with_request_id_user_path_status_and_duration(
    request_log, manager_client, settings
):
    settings.SLOW_REQUEST_SECONDS = 3600  # however loaded the machine, this request is not "slow"
    response = manager_client.get("/accounts/profile/")
    lines = [line for line in request_log() if "path" in line]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user"] == "manager"
    assert line["path"] == "/accounts/profile/"
    assert line["method"] == "GET"
    assert line["status"] == response.status_code
    assert isinstance(line["duration_ms"], float)
    assert line["levelname"] == "INFO"
    assert line["message"] == f"GET /accounts/profile/ 200 {line['duration_ms']:.1f} ms"


def test_log_records_inside_a_request_carry_its_id(request_log, client, monkeypatch):
    seen = {}
    original = RequestIdFilter.filter

    def spy(self, record):
        result = original(self, record)
        seen.setdefault(record.getMessage(), record.request_id)
        return result

    monkeypatch.setattr(RequestIdFilter, "filter", spy)
    from lcamp import health

    monkeypatch.setattr(
        health, "database_state", lambda: logging.getLogger("lcamp.request").info("inside") or "ok"
    )
    response = client.get("/health/")
    assert seen["inside"] == response["X-Request-ID"]


def test_a_slow_request_is_logged_as_a_warning(request_log, client, settings):
    settings.SLOW_REQUEST_SECONDS = 0
    client.get("/health/")
    line = next(line for line in request_log() if line["path"] == "/health/")
    assert line["levelname"] == "WARNING"
    assert line["message"] == f"slow request GET /health/ 200 {line['duration_ms']:.1f} ms"


def test_an_anonymous_request_logs_an_empty_user(request_log, client):
    client.get("/health/")
    assert request_log()[-1]["user"] == ""


@pytest.mark.urls("tests.lcamp.fault_urls")
def test_a_database_outage_in_a_view_answers_the_503_page(client):
    response = client.get("/test/outage/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert b"temporarily unavailable" in response.content
    assert b"Traceback" not in response.content and b"OperationalError" not in response.content


@pytest.mark.urls("tests.lcamp.fault_urls")
def test_a_database_outage_outside_the_view_answers_the_503_page_too(monkeypatch):
    def broken_save(self, must_create=False):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(SessionStore, "save", broken_save)
    client = Client(raise_request_exception=False)
    response = client.get("/test/session/")
    assert response.status_code == 503
    assert b"temporarily unavailable" in response.content


@pytest.mark.urls("tests.lcamp.fault_urls")
def test_a_bug_is_still_a_500_not_a_503(client):
    client.raise_request_exception = False
    response = client.get("/test/bug/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
