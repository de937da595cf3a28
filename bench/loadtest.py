#!/usr/bin/env python
# ruff: noqa: S603, S607, S310 - runs fixed local tools against loopback addresses only
"""Load test: gunicorn + a Celery worker on PostgreSQL and Redis, driven by wrk (loopback only).

    .venv/bin/python bench/loadtest.py --database lcamp_load --scale 100000

1. (unless --reuse) drops and creates the database, migrates, loads the reference data
   and `demo_data --scale N`, then `rollup --backfill` (today and the month-end history);
2. collects static files, creates a manager with a session and an API token;
3. starts gunicorn (--workers) and a Celery worker with DEBUG=0, checks every URL of
   the mix answers 200 (201 for a save), and runs wrk with bench/loadtest.lua:
   --connections concurrent clients for --duration seconds on a mix of dashboard,
   indicator pages, public page, API lists and saves (API: organisation creation);
4. prints the wrk summary (requests, errors, p50/p90/p99) and exits 1 on any error.

Needs wrk, a PostgreSQL server (DATABASE_HOST, default postgres@localhost:5432) and
Redis (--redis-url). The API throttle is lifted for the run: 32 clients share one token.
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent

SESSION_AND_TOKEN = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.authtoken.models import Token
from organisations.models import Organisation
from accounts.models import User
organisation = Organisation.objects.filter(is_consortium_partner=True).first() or Organisation.objects.first()
user, _ = User.objects.get_or_create(username="loadtest-manager", defaults={"organisation": organisation})
user.groups.add(Group.objects.get(name="manager"))
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
token, _ = Token.objects.get_or_create(user=user)
print(session.session_key, token.key)
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args, env, **kwargs):
    print("+", " ".join(map(str, args)), flush=True)
    return subprocess.run(list(map(str, args)), cwd=BASE_DIR, env=env, check=True, **kwargs)


def request(url, headers, data=None):
    body = json.dumps(data).encode() if data else None
    req = urllib.request.Request(url, data=body, headers={**headers, **({"Content-Type": "application/json"} if body
                                                                        else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def print_page_summary(log_file):
    """Server-side time per kind of page, from the request log lines (JSON)."""
    durations = {}
    for line in log_file.read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("name") != "lcamp.request":
            continue
        path = record["path"]
        if path.startswith("/indicators/"):
            path = "/indicators/<code>/"
        key = f"{record['method']} {path}"
        durations.setdefault(key, []).append(record["duration_ms"])
    print(f"{'server time per page':60} {'count':>6} {'mean ms':>8} {'p99 ms':>8}")
    for key, values in sorted(durations.items(), key=lambda item: -sum(item[1])):
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"{key:60} {len(values):6} {sum(values) / len(values):8.1f} {p99:8.1f}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="lcamp_load", help="PostgreSQL database name (dropped and made anew)")
    parser.add_argument("--database-host", default=os.environ.get("DATABASE_HOST", "postgres@localhost:5432"))
    parser.add_argument("--redis-url", default="redis://localhost:6379/8")
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--reuse", action="store_true", help="keep the database from an earlier run")
    return parser.parse_args()


def production_env(args, static_root):
    """The environment of the served app: production settings on the load-test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_SETTINGS")}
    env.update(
        DATABASE_URL=f"postgres://{args.database_host}/{args.database}",
        REDIS_URL=args.redis_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        LCAMP_IGNORE_DOTENV="1",
        STATIC_ROOT=str(static_root),
        API_THROTTLE_USER="1000000/minute",
        # One JSON line per request (lcamp.middleware): the per-page summary is read from it.
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
        SLOW_REQUEST_SECONDS="5",
    )
    env.pop("LCAMP_TESTING", None)
    return env


def build_database(args, env):
    """Drop and make the database anew: migrate, reference data, N records, the month-end history."""
    manage = [PYTHON, "manage.py"]
    user, _, hostport = args.database_host.partition("@")
    host, _, port = hostport.partition(":")
    pg = ["-h", host, "-p", port or "5432", "-U", user]
    subprocess.run(["dropdb", *pg, "--if-exists", args.database], check=True)
    subprocess.run(["createdb", *pg, args.database], check=True)
    run([*manage, "migrate", "--noinput", "-v", "0"], env)
    run([*manage, "seed_lcamp"], env)
    started = time.perf_counter()
    run([*manage, "demo_data", "--scale", args.scale], env)
    print(f"demo_data --scale {args.scale}: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    run([*manage, "rollup", "--backfill", "-v", "0"], env)
    print(f"roll-up with month-end backfill: {time.perf_counter() - started:.1f} s")


def start_servers(args, env, port, logs):
    """gunicorn and a Celery worker, their output in ``logs``."""
    web = subprocess.Popen(
        [BIN / "gunicorn", "-c", "gunicorn.conf.py", "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
         "lcamp.wsgi:application"], cwd=BASE_DIR, env=env, stdout=open(logs / "gunicorn.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT)
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "lcamp", "worker", "--concurrency", "1", "--loglevel", "WARNING",
         "--hostname", "loadtest@%h"], cwd=BASE_DIR, env=env, stdout=open(logs / "worker.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT)
    return web, worker


def wait_for_health(base, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            if request(f"{base}/health/", {}) == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit("gunicorn did not start")
        time.sleep(0.5)


def preflight(base, html, api):
    """Every URL of the mix answers before the load starts: a failing page would only show as errors."""
    checks = [("/", html), ("/indicators/alliance-members/", html), ("/public/", {}),
              ("/api/v1/indicators/", api), ("/api/v1/organisations/?page=2", api),
              ("/api/v1/indicators/alliance-members/breakdown/?dimension=country", api)]
    for path, headers in checks:
        status = request(base + path, headers)
        if status != 200:
            sys.exit(f"pre-flight: {path} answered {status}")
    status = request(f"{base}/api/v1/organisations/", api, {"name": "Load test pre-flight", "country": "BE"})
    if status not in (201, 400):
        sys.exit(f"pre-flight: save answered {status}")


def run_wrk(args, base, session, token):
    """wrk with the mix of bench/loadtest.lua; returns its output and the figures of its RESULT line."""
    result = subprocess.run(
        ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s", "--timeout",
         "10s", "--latency", "-s", str(BASE_DIR / "bench" / "loadtest.lua"), base],
        env={**os.environ, "LCAMP_SESSION": session, "LCAMP_TOKEN": token}, capture_output=True, text=True,
        timeout=args.duration + 60, check=True)
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return result.stdout, dict(part.split("=") for part in line.split()[1:])


def stop(processes):
    for process in processes:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed")
    static_root = Path(tempfile.mkdtemp(prefix="lcamp-load-static-"))
    env = production_env(args, static_root)
    if not args.reuse:
        build_database(args, env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    session, token = run([PYTHON, "manage.py", "shell", "-c", SESSION_AND_TOKEN], env, capture_output=True,
                         text=True).stdout.split()[-2:]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = Path(tempfile.mkdtemp(prefix="lcamp-load-logs-"))
    processes = start_servers(args, env, port, logs)
    try:
        wait_for_health(base)
        preflight(base, {"Cookie": f"sessionid={session}", "Accept": "text/html"},
                  {"Authorization": f"Token {token}", "Accept": "application/json"})
        output, figures = run_wrk(args, base, session, token)
        print(output)
        errors = sum(int(figures[k]) for k in ("non2xx", "connect", "read", "write", "timeout"))
        print(f"logs in {logs}")
        print_page_summary(logs / "gunicorn.log")
        if errors:
            sys.exit(f"{errors} errors")
        print(f"zero errors; p99 {figures['p99_ms']} ms over {figures['requests']} requests")
    finally:
        stop(processes)
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
