"""Fault tests with real processes: Redis stopped, a worker killed mid-roll-up, PostgreSQL restarted.

Each test starts its own throwaway processes on the loopback interface (a
redis-server, a gunicorn, a Celery worker, a PostgreSQL cluster), bounded in
time, and stops them afterwards; the shared PostgreSQL and Redis are never
stopped. Skipped unless DATABASE_URL (PostgreSQL) and REDIS_URL are set.
"""

import datetime
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        or not os.environ.get("REDIS_URL"),
        reason="needs a PostgreSQL DATABASE_URL and REDIS_URL",
    ),
    pytest.mark.timeout(240),
]

BASE_DIR = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


# --- Processes -----------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, interval=0.25, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def stop(process, sig=signal.SIGTERM, timeout=15):
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextmanager
def started(args, env, log_name, tmp_path):
    log = open(tmp_path / f"{log_name}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(args, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        stop(process)
        log.close()


def start_redis(port, tmp_path):
    return subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def redis_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def throwaway_redis(tmp_path):
    """A redis-server of our own on a free port, without persistence."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = free_port()
    holder = {"process": start_redis(port, tmp_path), "port": port}
    wait_for(lambda: redis_answers(port), 10, what="redis-server")
    yield holder
    stop(holder["process"])


def database_url(settings_dict):
    user, password = settings_dict["USER"] or "postgres", settings_dict["PASSWORD"]
    auth = f"{user}:{password}" if password else user
    return f"postgres://{auth}@{settings_dict['HOST'] or 'localhost'}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


def app_env(database, redis_url=""):
    """The environment of a production-like app process (DEBUG=0, no TLS on loopback)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST", "DJANGO_SETTINGS")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=database,
        REDIS_URL=redis_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        LCAMP_TESTING="1",  # plain static storage: no collectstatic manifest needed
        LCAMP_IGNORE_DOTENV="1",
        ROLLUP_DEBOUNCE_SECONDS="0.5",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(BASE_DIR),
    )
    if not redis_url:
        env.pop("REDIS_URL")
    return env


def gunicorn_args(port):
    return [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", "2", "--bind", f"127.0.0.1:{port}",
            "--timeout", "60", "lcamp.wsgi:application"]


def worker_args(name, pool="prefork"):
    return ["worker", "--pool", pool, "--concurrency", "1", "--hostname", f"{name}@%h", "--without-gossip",
            "--without-mingle", "--loglevel", "WARNING"]


def http(method, url, data=None, headers=None, timeout=15):
    """(status, body) of one request; never raises on an HTTP error status."""
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method, headers={
        "Accept": "application/json", **({"Content-Type": "application/json"} if body else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def server_up(base):
    try:
        return http("GET", f"{base}/health/", timeout=2)[0] in (200, 503)
    except OSError:
        return False


# --- Data ----------------------------------------------------------------------------------------


@pytest.fixture
def seeded(transactional_db, settings):
    """Reference data and a first roll-up (eager, in this process), a manager with an API token."""
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from accounts.roles import ROLES
    from tests.factories import OrganisationFactory, UserFactory

    # A transactional test's flush also empties the role groups made by a migration.
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_lcamp", verbosity=0)
    organisation = OrganisationFactory(name="Fault Test Centre", country="ES")
    manager = UserFactory(username="fault-manager", role="manager", organisation=organisation)
    token = Token.objects.create(user=manager)
    from indicators.rollup import rollup_all

    rollup_all()
    return {"token": token.key}


def snapshot_state(on):
    """{indicator code: (value, sorted breakdown rows)} of the snapshots dated ``on``."""
    from indicators.models import Breakdown, Snapshot

    state = {}
    for snapshot in Snapshot.objects.filter(date=on).select_related("indicator"):
        rows = sorted(Breakdown.objects.filter(snapshot=snapshot).values_list("dimension", "key", "value"))
        state[snapshot.indicator.code] = (snapshot.value, rows)
    return state


def computed_state(on):
    """What the snapshots dated ``on`` must say, computed now from the registers."""
    from indicators.models import Indicator
    from indicators.rollup import compute

    state = {}
    for indicator in Indicator.objects.all():
        result = compute(indicator, on)
        rows = sorted((name, key, value) for name, key, _label, value, _overlap in result.breakdown_rows())
        state[indicator.code] = (result.value, rows)
    return state


def members_snapshot_value(on):
    from indicators.models import Snapshot

    snapshot = Snapshot.objects.filter(indicator__code="alliance-members", date=on).first()
    return snapshot.value if snapshot else None


def members_value(on):
    from indicators.models import Indicator
    from indicators.rollup import indicator_value

    return indicator_value(Indicator.objects.get(code="alliance-members"), on)


def add_member_over_http(base, token, name):
    headers = {"Authorization": f"Token {token}"}
    status, body = http("POST", f"{base}/api/v1/organisations/", {"name": name, "country": "PT"}, headers)
    assert status == 201, body
    organisation = json.loads(body)["id"]
    status, body = http("POST", f"{base}/api/v1/alliance-members/", {
        "organisation": organisation, "category": "vet", "joined_on": timezone.localdate().isoformat()}, headers)
    assert status == 201, body


# --- (a) Redis stopped -------------------------------------------------------------------------------


def test_with_redis_stopped_saves_succeed_health_is_degraded_and_the_snapshot_catches_up(
    seeded, throwaway_redis, tmp_path
):
    today = timezone.localdate()
    redis_port = throwaway_redis["port"]
    env = app_env(database_url(connection.settings_dict), f"redis://127.0.0.1:{redis_port}/0")
    web_port = free_port()
    base = f"http://127.0.0.1:{web_port}"
    worker = [sys.executable, "-m", "celery", "-A", "lcamp", *worker_args("faults-a")]
    beat = [sys.executable, "-m", "celery", "-A", "lcamp", "beat", "--loglevel", "WARNING",
            "--schedule", str(tmp_path / "beat-schedule")]
    env["OUTBOX_DRAIN_SECONDS"] = "5"  # the beat's drain, every minute in production
    with started(gunicorn_args(web_port), env, "gunicorn", tmp_path), started(worker, env, "worker", tmp_path), \
            started(beat, env, "beat", tmp_path):
        wait_for(lambda: server_up(base), 30, what="gunicorn")
        status, body = http("GET", f"{base}/health/")
        assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok", "broker": "ok"})

        # Broker up: the save is rolled up by the worker.
        add_member_over_http(base, seeded["token"], "Before The Outage")
        wait_for(lambda: members_snapshot_value(today) == members_value(today), 30, what="worker roll-up")

        # Broker down: saves still succeed and nothing answers 500.
        stop(throwaway_redis["process"])
        wait_for(lambda: not redis_answers(redis_port), 5, what="redis to stop")
        status, body = http("GET", f"{base}/health/")
        assert (status, json.loads(body)) == (200, {"status": "degraded", "database": "ok", "broker": "down"})
        # Publishing to the dead broker fails; no roll-up runs in the web process (checked below).
        add_member_over_http(base, seeded["token"], "During The Outage")
        headers = {"Authorization": f"Token {seeded['token']}"}
        for path in ("/api/v1/alliance-members/", "/api/v1/indicators/", "/accounts/login/"):
            assert http("GET", f"{base}{path}", headers=headers)[0] == 200, path
        # The change made during the outage is not lost: the outbox holds it.
        from indicators.models import OutboxEntry

        assert OutboxEntry.objects.filter(indicator__code="alliance-members").exists()
        assert members_snapshot_value(today) != members_value(today)

        # Broker back: the beat's drain catches up within 30 s, without any new change.
        throwaway_redis["process"] = start_redis(redis_port, tmp_path)
        wait_for(lambda: redis_answers(redis_port), 10, what="redis to restart")
        started_at = time.monotonic()
        wait_for(lambda: members_snapshot_value(today) == members_value(today), 30, what="the drain after the outage")
        print(f"current again {time.monotonic() - started_at:.1f} s after Redis came back")
        assert not OutboxEntry.objects.exists()
        wait_for(lambda: json.loads(http("GET", f"{base}/health/")[1])["status"] == "ok", 30, what="health ok")
        add_member_over_http(base, seeded["token"], "After The Outage")
        wait_for(lambda: members_snapshot_value(today) == members_value(today), 30, what="catch-up drain")
        assert snapshot_state(today) == computed_state(today)
    assert "Internal Server Error" not in (tmp_path / "gunicorn.log").read_text()


def test_publishing_to_a_dead_broker_fails_rather_than_retrying():
    """Celery's publish must not hang when Redis is gone (CELERY_BROKER_TRANSPORT_OPTIONS): it raises."""
    code = (
        "import django; django.setup()\n"
        "from indicators.tasks import rollup_task\n"
        "try:\n    rollup_task.apply_async(countdown=1)\nexcept Exception as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    env = app_env("sqlite:///:memory:", f"redis://127.0.0.1:{free_port()}/0")
    env["DJANGO_SETTINGS_MODULE"] = "lcamp.settings"
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.split() == ["OperationalError"], result.stdout + result.stderr


# --- (b) Worker killed mid-roll-up -------------------------------------------------------------------


def add_member_without_rollup(name):
    from alliance.models import AllianceMember
    from organisations.models import Organisation

    # bulk_create sends no signal: the roll-up is left to the worker under test.
    [organisation] = Organisation.objects.bulk_create([Organisation(name=name, country="FI")])
    AllianceMember.objects.bulk_create([AllianceMember(organisation=organisation, category="business",
                                                        joined_on=timezone.localdate() - datetime.timedelta(days=1))])


def send_rollup(broker_url):
    from celery import Celery

    sender = Celery(broker=broker_url)
    sender.conf.broker_transport_options = {"max_retries": 2}
    sender.send_task("indicators.tasks.rollup_task")
    sender.close()


def test_sigkill_of_the_process_running_a_rollup_leaves_no_half_snapshot_and_the_task_is_redelivered(
    seeded, throwaway_redis, tmp_path
):
    today = timezone.localdate()
    broker = f"redis://127.0.0.1:{throwaway_redis['port']}/0"
    env = app_env(database_url(connection.settings_dict), broker)
    before = snapshot_state(today)
    assert before == computed_state(today)
    add_member_without_rollup("Killed Mid Roll-up")
    assert computed_state(today) != before

    marker = tmp_path / "stalled.pid"
    worker = [sys.executable, "tests/integration/slow_rollup_worker.py", str(marker), *worker_args("faults-b")]
    with started(worker, env, "worker", tmp_path):
        send_rollup(broker)
        pid = int(wait_for(lambda: marker.exists() and marker.read_text(), 60, what="the roll-up to stall"))
        # The roll-up has written its rows inside its transaction; kill the process holding it.
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
                 .lower(), 10, what="the child to die")
        # Nothing of the killed roll-up is visible: the snapshots are exactly as before.
        assert snapshot_state(today) == before
        # acks_late + reject_on_worker_lost: the task comes back to a new child and completes.
        wait_for(lambda: snapshot_state(today) == computed_state(today), 60, what="the redelivered roll-up")


def test_sigkill_of_a_solo_worker_mid_rollup_is_repaired_by_the_next_run(seeded, throwaway_redis, tmp_path):
    today = timezone.localdate()
    broker = f"redis://127.0.0.1:{throwaway_redis['port']}/0"
    env = app_env(database_url(connection.settings_dict), broker)
    before = snapshot_state(today)
    add_member_without_rollup("Killed Solo Worker")

    marker = tmp_path / "stalled.pid"
    worker = [sys.executable, "tests/integration/slow_rollup_worker.py", str(marker),
              *worker_args("faults-b-solo", pool="solo")]
    with started(worker, env, "worker-1", tmp_path) as first:
        send_rollup(broker)
        pid = int(wait_for(lambda: marker.exists() and marker.read_text(), 60, what="the roll-up to stall"))
        assert pid == first.pid
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert snapshot_state(today) == before

    # A new worker (as after `docker compose restart worker`) and the next roll-up (beat or a change).
    with started([sys.executable, "-m", "celery", "-A", "lcamp", *worker_args("faults-b-next")], env, "worker-2",
                 tmp_path):
        send_rollup(broker)
        wait_for(lambda: snapshot_state(today) == computed_state(today), 60, what="the next roll-up")


# --- (c) PostgreSQL restarted --------------------------------------------------------------------------


def as_postgres(*args, **kwargs):
    runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*runner, *map(str, args)], capture_output=True, text=True, timeout=120, check=True,
                          **kwargs)


@pytest.fixture
def throwaway_postgres():
    """A PostgreSQL 15 cluster of our own in a temporary directory, never the shared one."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL 15 server binaries not found")
    directory = Path(tempfile.mkdtemp(prefix="lcamp-prod-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    data = directory / "data"
    port = free_port()
    as_postgres(PG_BIN / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"

    def pg_ctl(action):
        return as_postgres(PG_BIN / "pg_ctl", "-D", data, "-o", options, "-l", directory / "log", "-w", "-t", "30",
                           *(["-m", "fast"] if action == "stop" else []), action)

    pg_ctl("start")
    as_postgres(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "lcamp_fault")
    try:
        yield {"url": f"postgres://postgres@127.0.0.1:{port}/lcamp_fault", "pg_ctl": pg_ctl}
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data), "-m",
                        "immediate", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(directory, ignore_errors=True)


SESSION_SCRIPT = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from tests.factories import UserFactory
user = UserFactory(username="restart-staff", role="staff")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def test_postgres_restart_gives_503_pages_during_and_200_after_without_restarting_the_app(
    throwaway_postgres, tmp_path
):
    env = app_env(throwaway_postgres["url"])
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True, timeout=180)
    session_key = subprocess.run([*manage, "shell", "-c", SESSION_SCRIPT], cwd=BASE_DIR, env=env, check=True,
                                 capture_output=True, text=True, timeout=120).stdout.split()[-1]
    cookie = {"Cookie": f"sessionid={session_key}", "Accept": "text/html"}
    web_port = free_port()
    base = f"http://127.0.0.1:{web_port}"
    with started(gunicorn_args(web_port), env, "gunicorn", tmp_path) as server:
        wait_for(lambda: server_up(base), 30, what="gunicorn")
        for _ in range(3):  # both workers hold a connection (CONN_MAX_AGE) before the restart
            assert http("GET", f"{base}/accounts/profile/", headers=cookie)[0] == 200

        throwaway_postgres["pg_ctl"]("stop")
        for _ in range(4):
            status, body = http("GET", f"{base}/accounts/profile/", headers=cookie)
            assert status == 503
            assert b"temporarily unavailable" in body and b"Traceback" not in body
        status, body = http("GET", f"{base}/health/")
        assert (status, json.loads(body)["database"]) == (503, "down")

        throwaway_postgres["pg_ctl"]("start")
        # Each worker reconnects on its own next request: no restart of the app.
        wait_for(lambda: http("GET", f"{base}/accounts/profile/", headers=cookie)[0] == 200, 30, what="reconnect")
        for _ in range(4):
            assert http("GET", f"{base}/accounts/profile/", headers=cookie)[0] == 200
        assert http("GET", f"{base}/health/")[0] == 200
        assert server.poll() is None
    assert "Internal Server Error" not in (tmp_path / "gunicorn.log").read_text()
