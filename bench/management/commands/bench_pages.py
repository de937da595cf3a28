"""Benchmark the pages of issue 13 against /health/ under gunicorn on PostgreSQL, with wrk.

    DATABASE_URL=postgres://postgres@localhost:5432/lcamp_scale_1m \\
        python manage.py bench_pages --scale 1000000 --duration 15 --connections 16

The set-up is ``bench_web``'s (reference data, ``demo_data --scale N`` unless
``--skip-data``, ANALYZE, roll-up, gunicorn with DEBUG=0 on a loopback port, a staff
session). Then every page of the list is loaded in turn with wrk, between two runs of
``/health/`` (which must keep answering), and the table prints p50, p99, req/s, errors
and the throughput as a share of /health/'s. Goal per page: p99 < 300 ms and at least
20% of /health/'s requests per second, no errors.

``--save-between alliance.mou`` saves one record of that register (through the write path, as
an edit does) after each page's warm-up and before its measured run, checks that the save
bumped the register's generation, and tells per page whether the page reads that generation
(rebuilt after the save) or not (should stay cached, its figures as when warm).
"""

import subprocess
from unittest import mock

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.views import APIView

from registers import generations
from registers.records import current_version, record_save

from .bench_web import BENCH_USERNAME, parse_wrk
from .bench_web import Command as WebCommand

GOAL_P99_MS = 300.0
GOAL_THROUGHPUT_SHARE = 0.2
PAGES = [
    "/",
    "/indicators/alliance-members/",
    "/mous/",
    "/mous/?q=ika",
    "/mous/?sort=title",
    "/registers/",
    "/registers/alliance-members/",
    "/registers/alliance-members/?q=ika",
    "/registers/alliance-members/?sort=organisation__name",
    "/registers/organisations/",
    "/registers/organisations/?q=ika",
    "/registers/organisations/?sort=-name",
    "/registers/micro-credentials/",
    "/registers/micro-credentials/?q=weld",
    "/registers/micro-credentials/?sort=title",
    "/api/v1/mous/?page_size=100",
    "/api/v1/micro-credentials/?page_size=100",
    "/indicators/export.xlsx",
    "/inbox/",  # staff read the review inbox: every source's count and first page
    "/inbox/?older_than=7",
    "/public/",
]


def save_one(label, user=None):
    """Save the first record of the register ``label`` unchanged through the write path (as an edit
    saved from its form); its generation must change. The old and new generations."""
    model = apps.get_model(label)
    instance = model._default_manager.order_by("pk").first()
    if instance is None:
        raise CommandError(f"{label} holds no record to save.")
    before = generations.current(label)
    record_save(instance=instance, expected_version=current_version(instance), user=user)
    after = generations.current(label)
    if before is None or before == after:
        raise CommandError(f"Saving {label} #{instance.pk} did not bump its generation ({before} -> {after}): "
                           "the pages are cached only with a shared cache (REDIS_URL) and PAGE_CACHE on.")
    return before, after


def generations_read(path, user):
    """The generation names that ``path`` reads when ``user`` loads it (in this process, with no API
    rate limit: the runs before may have used this user's)."""
    names = set()
    real = generations.current

    def recording(*args):
        names.update(generations._label(name) for name in args)
        return real(*args)

    client = Client()
    client.force_login(user)
    with (mock.patch.object(generations, "current", recording),
          mock.patch.object(APIView, "check_throttles", lambda self, request: None)):
        response = client.get(path)
    client.logout()
    if response.status_code != 200:
        raise CommandError(f"{path} answered {response.status_code}: cannot tell which generations it reads.")
    return names


class Command(WebCommand):
    help = "Serve the app with gunicorn on PostgreSQL and load the issue's page list with wrk, against /health/."

    def _wrk(self, wrk, url, headers, duration, connections, threads):
        # wrk counts a timeout only within the run: keep it under the duration, so a page
        # slower than that shows as errors rather than as "0 requests".
        timeout = max(1, min(5, duration // 2))
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", f"{timeout}s"]
        for header in headers:
            command += ["-H", header]
        completed = subprocess.run([*command, url], capture_output=True, text=True, check=True,  # noqa: S603
                                   timeout=duration + 30)
        return completed.stdout

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(connections=16, port=8220, duration=10)
        parser.add_argument("--pages", nargs="*", default=None, help="Only these paths (default: the issue's list).")
        parser.add_argument("--save-between", metavar="MODEL_LABEL", default=None,
                            help="Save one record of this register (e.g. alliance.mou) before each page's run.")

    def handle(self, *args, scale, skip_data, duration, connections, threads, workers, port, wrk, pages, save_between,
               **options):
        threads = self._check_options(wrk=wrk, duration=duration, connections=connections, threads=threads,
                                      workers=workers)
        pages = pages or PAGES
        results = []
        with self._served(scale=scale, skip_data=skip_data, port=port, workers=workers) as (base, cookie, server):
            rebuilt = {}  # page -> whether it reads the generation of the register saved between runs
            if save_between:
                save_between = generations._label(save_between)
                user = get_user_model().objects.get(username=BENCH_USERNAME)
                rebuilt = {path: save_between in generations_read(path, user) for path in pages}
            for path in ["/health/", *pages, "/health/"]:
                headers = [] if path == "/health/" else [f"Cookie: {cookie}"]
                self._wrk(wrk, base + path, headers, 1, connections, threads)  # warm-up
                if path in rebuilt:
                    before, after = save_one(save_between, user)
                    self.stdout.write(f"  saved {save_between} (generation {before[:8]} -> {after[:8]}): {path} "
                                      + ("reads it, rebuilt" if rebuilt[path] else "does not read it, stays cached"))
                output = self._wrk(wrk, base + path, headers, duration, connections, threads)
                results.append(parse_wrk(path, output))
                # Requests wrk gave up on still occupy the workers: let them drain before the next page.
                self._wait_until_up(base, server)
                self.stdout.write(f"  {path}: p99 {results[-1].p99_ms:.0f} ms, "
                                  f"{results[-1].requests_per_second:.1f} req/s")
        self._table(results, duration, connections, workers, None if skip_data else scale, save_between, rebuilt)

    def _table(self, results, duration, connections, workers, scale, save_between=None, rebuilt=None):
        health = max(results[0].requests_per_second, results[-1].requests_per_second)
        self.stdout.write("")
        self.stdout.write(f"gunicorn {workers} workers, wrk {connections} connections, {duration} s per page"
                          + (f", demo_data --scale {scale}" if scale is not None else "")
                          + (f", a save of {save_between} before each page" if save_between else ""))
        self.stdout.write(f"{'page':<56} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'share':>6} {'errors':>6}"
                          + (f" {'expected':>8}" if save_between else ""))
        failed = []
        for r in results:
            share = r.requests_per_second / health if health else 0
            ok = r.path == "/health/" or (r.p99_ms < GOAL_P99_MS and share >= GOAL_THROUGHPUT_SHARE and not r.errors)
            if not ok:
                failed.append(r.path)
            after = ("rebuilt" if rebuilt[r.path] else "cached") if r.path in (rebuilt or {}) else ""
            self.stdout.write(f"{r.path:<56} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.requests_per_second:>8.1f} "
                              f"{share:>6.0%} {r.errors:>6}" + (f" {after:>8}" if save_between else "")
                              + ("" if ok else "  NOT met"))
        style = self.style.SUCCESS if not failed else self.style.WARNING
        self.stdout.write(style(f"Goal (p99 < {GOAL_P99_MS:.0f} ms, >= {GOAL_THROUGHPUT_SHARE:.0%} of /health/'s "
                                f"req/s, no errors): {'met' if not failed else 'NOT met by ' + ', '.join(failed)}"))
