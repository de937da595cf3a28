"""bench_web: what it reads from wrk, and that it refuses what it cannot measure."""

import pytest
from django.core.management import CommandError, call_command

from bench.management.commands.bench_web import parse_wrk

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8391/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.61ms    4.20ms  61.17ms   83.03%
    Req/Sec   418.62     52.47   530.00     71.50%
  Latency Distribution
     50%    8.72ms
     75%   10.93ms
     90%   14.12ms
     99%  120.50us
  8342 requests in 10.01s, 91.92MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    833.45
Transfer/sec:      9.18MB
"""


def test_it_reads_p50_p99_throughput_and_errors_from_wrk():
    result = parse_wrk("/", WRK_OUTPUT)
    assert result.p50_ms == pytest.approx(8.72)
    assert result.p99_ms == pytest.approx(0.1205)
    assert result.requests_per_second == pytest.approx(833.45)
    assert result.requests == 8342
    assert result.errors == 6


def test_it_reads_latencies_in_seconds():
    result = parse_wrk("/", WRK_OUTPUT.replace("8.72ms", "1.50s"))
    assert result.p50_ms == pytest.approx(1500)


def test_unreadable_output_is_an_error():
    with pytest.raises(CommandError):
        parse_wrk("/", "wrk: connection refused")


def test_it_refuses_what_it_cannot_measure_fairly(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("bench_web", skip_data=True)
    else:
        with pytest.raises(CommandError, match="bounded"):
            call_command("bench_web", skip_data=True, duration=0, wrk="/bin/true")


def test_a_save_between_runs_bumps_its_register_and_only_the_pages_that_show_it(db, settings, staff_user):
    from bench.management.commands.bench_pages import generations_read, save_one
    from tests.factories import MicroCredentialFactory, MoUFactory

    settings.PAGE_CACHE = True
    MoUFactory()
    MicroCredentialFactory()
    before, after = save_one("alliance.mou", staff_user)
    assert before != after
    assert "alliance.mou" in generations_read("/mous/", staff_user)
    read = generations_read("/registers/micro-credentials/", staff_user)
    assert "training.microcredential" in read
    assert "alliance.mou" not in read



def test_it_tells_the_generations_of_an_api_list_past_the_rate_limit(db, settings, staff_user):
    from unittest import mock

    from rest_framework.throttling import UserRateThrottle

    from bench.management.commands.bench_pages import generations_read

    settings.PAGE_CACHE = True
    with mock.patch.object(UserRateThrottle, "allow_request", return_value=False):
        assert "alliance.mou" in generations_read("/api/v1/mous/", staff_user)
