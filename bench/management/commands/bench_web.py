"""Benchmark the dashboard against /health/ under gunicorn on PostgreSQL, with wrk.

    DATABASE_URL=postgres://postgres@localhost:5432/lcamp_bench \\
        python manage.py bench_web --scale 1000000 --duration 15 --connections 8

Loads the reference data and ``demo_data --scale N`` (unless ``--skip-data``),
rolls up, serves the app with gunicorn (DEBUG=0, collected static files) on a
loopback port, logs a staff user in through a session cookie, warms up, then
loads ``/health/`` and ``/`` in turn with a bounded number of connections for a
bounded time, and prints p50 / p99 latency and requests per second of both and
their ratio. Goal: ``/`` p99 under 100 ms and at least half the throughput of
``/health/``.
"""

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

GOAL_P99_MS = 100.0
GOAL_THROUGHPUT_RATIO = 0.5
BENCH_USERNAME = "bench-staff"


@dataclass
class Result:
    path: str
    p50_ms: float
    p99_ms: float
    requests_per_second: float
    requests: int
    errors: int


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(number) * _UNITS_MS[unit]


def parse_wrk(path, output):
    """p50, p99, req/s, requests and errors from ``wrk --latency`` output."""
    p50 = re.search(r"^\s*50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.M)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in", output, re.M)
    if not (p50 and p99 and rps and total):
        raise CommandError(f"Could not read wrk's output for {path}:\n{output}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Result(path, _ms(p50.group(1)), _ms(p99.group(1)), float(rps.group(1)), int(total.group(1)), errors)


class Command(BaseCommand):
    help = "Serve the app with gunicorn on PostgreSQL and compare / with /health/ under wrk (loopback only)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1_000_000,
                            help="Synthetic records for demo_data --scale (default 1,000,000).")
        parser.add_argument("--skip-data", action="store_true",
                            help="Use the data already in the database (no seed, demo_data or roll-up).")
        parser.add_argument("--duration", type=int, default=15, help="Seconds of load per URL (1-120).")
        parser.add_argument("--connections", type=int, default=8, help="Concurrent connections (1-64).")
        parser.add_argument("--threads", type=int, default=2, help="wrk threads (1-8).")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (1-16).")
        parser.add_argument("--port", type=int, default=8391, help="Loopback port for gunicorn.")
        parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")

    def handle(self, *args, scale, skip_data, duration, connections, threads, workers, port, wrk, **options):
        threads = self._check_options(wrk=wrk, duration=duration, connections=connections, threads=threads,
                                      workers=workers)
        with self._served(scale=scale, skip_data=skip_data, port=port, workers=workers) as (base, cookie, _server):
            self._check_dashboard(base, cookie)
            results = []
            for path, headers in (("/health/", []), ("/", [f"Cookie: {cookie}"])):
                self._wrk(wrk, base + path, headers, 2, connections, threads)  # warm-up
                output = self._wrk(wrk, base + path, headers, duration, connections, threads)
                results.append(parse_wrk(path, output))
        self._report(results, duration, connections, workers, scale if not skip_data else None)

    def _check_options(self, *, wrk, duration, connections, threads, workers):
        """Refuse what would not measure (no PostgreSQL, no wrk) or not stay bounded; the threads to use."""
        if connection.vendor != "postgresql":
            command = type(self).__module__.rsplit(".", 1)[-1]  # bench_web, bench_pages
            raise CommandError(f"{command} measures on PostgreSQL: set DATABASE_URL=postgres://...")
        if not os.path.exists(wrk):
            raise CommandError(f"wrk not found at {wrk}; install it (apt-get install wrk) or pass --wrk.")
        if not (1 <= duration <= 120 and 1 <= connections <= 64 and 1 <= threads <= 8 and 1 <= workers <= 16):
            raise CommandError("Keep the load bounded: duration 1-120 s, connections 1-64, threads 1-8, workers 1-16.")
        return min(threads, connections)

    @contextlib.contextmanager
    def _served(self, *, scale, skip_data, port, workers):
        """The data loaded (unless ``skip_data``), a staff session and gunicorn serving the app with DEBUG=0:
        ``(base URL, session cookie, server process)``; the server and the session are gone afterwards."""
        if not skip_data:
            self._load_data(scale)
        cookie = self._session_cookie()
        static_root = tempfile.mkdtemp(prefix="lcamp-bench-static-")
        server = None
        try:
            env = self._server_env(port, static_root, workers)
            self.stdout.write("Collecting static files for DEBUG=0 ...")
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env,
                           cwd=settings.BASE_DIR, check=True)
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "lcamp.wsgi:application"],
                env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                start_new_session=True,
            )
            base = f"http://127.0.0.1:{port}"
            self._wait_until_up(base, server)
            yield base, cookie, server
        finally:
            if server is not None:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
            shutil.rmtree(static_root, ignore_errors=True)
            self._end_session()

    # --- steps -------------------------------------------------------------------

    def _load_data(self, scale):
        from indicators.rollup import rollup_all

        started = time.monotonic()
        call_command("seed_lcamp", verbosity=0)
        call_command("demo_data", scale=scale, verbosity=1)
        # Fresh bulk inserts leave the planner's statistics empty (autovacuum has not run
        # yet): without them PostgreSQL picks nested loops over the whole tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"Data loaded and analysed in {time.monotonic() - started:.0f} s; rolling up ...")
        started = time.monotonic()
        rollup_all()
        self.stdout.write(f"Roll-up in {time.monotonic() - started:.1f} s.")

    def _session_cookie(self):
        """A session of a staff user, made directly in the session store (no login form)."""
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
        from django.contrib.auth.models import Group
        from django.contrib.sessions.backends.db import SessionStore

        user, created = get_user_model().objects.get_or_create(username=BENCH_USERNAME)
        if created:
            user.set_password(secrets.token_urlsafe(24))
            user.save()
        user.groups.add(Group.objects.get_or_create(name="staff")[0])
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        self._session = session
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    def _end_session(self):
        session = getattr(self, "_session", None)
        if session is not None:
            session.delete()

    def _server_env(self, port, static_root, workers):
        env = dict(os.environ)
        env.update({
            "DEBUG": "0",
            # The session cookie made here is signed with this process's key.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": static_root,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_MAX_REQUESTS": "0",
            "LOG_LEVEL": env.get("BENCH_LOG_LEVEL", "WARNING"),
            "AXES_ENABLED": "0",
            # The load measures the pages, not the API's per-user rate limit (one user sends it all).
            "API_THROTTLE_USER": "1000000/minute",
            "LCAMP_IGNORE_DOTENV": "1",
        })
        env.pop("LCAMP_TESTING", None)
        return env

    def _wait_until_up(self, base, server, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn stopped: {server.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/health/", timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise CommandError("gunicorn did not answer /health/ within a minute.")

    def _check_dashboard(self, base, cookie):
        request = urllib.request.Request(base + "/", headers={"Cookie": cookie})  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            body = response.read().decode()
            if response.status != 200 or "Progress dashboard" not in body:
                raise CommandError(f"/ did not answer the dashboard (status {response.status}, "
                                   f"at {response.url}): {body[:300]}")
        cards = body.count('<article class="card')
        self.stdout.write(f"/ answers the dashboard with {cards} cards ({len(body)} bytes).")

    def _wrk(self, wrk, url, headers, duration, connections, threads):
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
        for header in headers:
            command += ["-H", header]
        completed = subprocess.run([*command, url], capture_output=True, text=True, check=True,  # noqa: S603
                                   timeout=duration + 30)
        return completed.stdout

    def _report(self, results, duration, connections, workers, scale):
        health, dashboard = results
        self.stdout.write("")
        self.stdout.write(f"gunicorn {workers} workers, wrk {connections} connections, {duration} s per URL"
                          + (f", demo_data --scale {scale}" if scale is not None else ""))
        self.stdout.write(f"{'URL':<10} {'p50 ms':>9} {'p99 ms':>9} {'req/s':>9} {'requests':>9} {'errors':>7}")
        for r in results:
            self.stdout.write(f"{r.path:<10} {r.p50_ms:>9.2f} {r.p99_ms:>9.2f} {r.requests_per_second:>9.1f} "
                              f"{r.requests:>9} {r.errors:>7}")
        throughput = dashboard.requests_per_second / health.requests_per_second if health.requests_per_second else 0
        latency = dashboard.p99_ms / health.p99_ms if health.p99_ms else 0
        self.stdout.write(f"ratio /:/health/  throughput {throughput:.2f}  p50 "
                          f"{dashboard.p50_ms / health.p50_ms if health.p50_ms else 0:.2f}  p99 {latency:.2f}")
        met = dashboard.p99_ms < GOAL_P99_MS and throughput >= GOAL_THROUGHPUT_RATIO and not dashboard.errors
        self.stdout.write((self.style.SUCCESS if met else self.style.WARNING)(
            f"Goal (/ p99 < {GOAL_P99_MS:.0f} ms, throughput >= {GOAL_THROUGHPUT_RATIO:.0%} of /health/, "
            f"no errors): {'met' if met else 'NOT met'}"
        ))
