"""How long a saved record takes to reach the dashboard and the API, with a real Celery worker.

    REDIS_URL=redis://localhost:6379/0 DATABASE_URL=postgres://postgres@localhost:5432/lcamp_1m \\
        python manage.py bench_save_to_screen --saves 20

Needs a broker (``REDIS_URL``) and a database the worker shares (PostgreSQL). Starts a Celery
worker (``celery -A lcamp worker``, the same settings) unless ``--no-worker`` says one runs
already. Then ``--saves`` times, after a quiet spell longer than the debounce window (the
first change after a quiet spell is drained at once; a burst is debounced):

1. adds an alliance member (a new organisation, joined today) through the service the
   member form calls, in its own transaction, as a request does (its commit asks for the drain);
2. from the moment the save returns, reads ``/api/v1/indicators/alliance-members/`` and the
   dashboard ``/`` as a staff user would (Django's test client, the whole request stack, the
   page cache included) until both show the new value.

Prints each save's delay to the API and to the dashboard card, then p50 and max of the later of
the two, the load average, and the goal (1 s). The members are deleted at the end (drained).
"""

import os
import re
import statistics
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

GOAL_SECONDS = 1.0
POLL_SECONDS = 0.01
USERNAME = "bench-save-to-screen"


class Command(BaseCommand):
    help = "Time a saved member's way to the dashboard card and the API with a real worker: p50 and max."

    def add_arguments(self, parser):
        parser.add_argument("--saves", type=int, default=20)
        parser.add_argument("--quiet", type=float, default=None,
                            help="Seconds between saves (default: the debounce window plus one).")
        parser.add_argument("--timeout", type=float, default=30.0, help="Give up on one save after this long.")
        parser.add_argument("--no-worker", action="store_true", help="A worker runs already: start none.")

    def handle(self, *args, saves, quiet, timeout, no_worker, **options):
        if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
            raise CommandError("Set REDIS_URL (a broker): with eager tasks the drain runs inside the save.")
        if connection.vendor != "postgresql":
            raise CommandError("Use PostgreSQL (DATABASE_URL): the worker must share the database.")
        if saves < 1:
            raise CommandError("--saves takes a number, 1 or more.")
        from alliance.services import member_create
        from indicators.models import Indicator
        from organisations.models import Organisation

        if not Indicator.objects.filter(code="alliance-members").exists():
            raise CommandError("No alliance-members indicator: run `python manage.py seed_lcamp` first.")
        quiet = float(settings.ROLLUP_DEBOUNCE_SECONDS) + 1 if quiet is None else quiet
        client = self._staff_client()
        worker = None if no_worker else self._start_worker()
        created = []
        try:
            self._wait_for_worker()
            rows = []
            for number in range(1, saves + 1):
                time.sleep(quiet)
                before = self._api_value(client)
                with transaction.atomic():
                    organisation = Organisation(name=f"Bench save-to-screen {os.getpid()}-{number}", country="ES",
                                                kind=Organisation.Kind.VET, is_demo=True)
                    member = member_create(organisation=organisation, category="vet",
                                           joined_on=timezone.localdate())
                saved = time.perf_counter()  # the commit has returned: the drain is asked for
                created.append(member)
                expected = before + 1
                api_s = card_s = None
                while api_s is None or card_s is None:
                    elapsed = time.perf_counter() - saved
                    if elapsed > timeout:
                        raise CommandError(f"Save {number}: not on screen after {timeout:.0f} s.")
                    if api_s is None and self._api_value(client) == expected:
                        api_s = time.perf_counter() - saved
                    if card_s is None and self._card_value(client) == expected:
                        card_s = time.perf_counter() - saved
                    time.sleep(POLL_SECONDS)
                rows.append((api_s, card_s))
                self.stdout.write(f"save {number:2d}: API {api_s * 1000:7.0f} ms   dashboard card {card_s * 1000:7.0f} ms")
        finally:
            self._clean_up(created)
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
        on_screen = [max(row) for row in rows]
        load = os.getloadavg()
        self.stdout.write(f"saves:             {len(rows)}")
        self.stdout.write(f"save -> screen p50: {statistics.median(on_screen) * 1000:.0f} ms")
        self.stdout.write(f"save -> screen max: {max(on_screen) * 1000:.0f} ms (goal {GOAL_SECONDS * 1000:.0f} ms)")
        self.stdout.write(f"load average:      {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    def _staff_client(self):
        user, _ = get_user_model().objects.get_or_create(username=USERNAME, defaults={"is_active": True})
        user.groups.add(Group.objects.get_or_create(name="staff")[0])
        client = Client()
        client.force_login(user)
        return client

    def _api_value(self, client):
        response = client.get("/api/v1/indicators/alliance-members/", HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            raise CommandError(f"The API answered {response.status_code}.")
        value = response.json().get("value")
        return int(float(value)) if value is not None else 0

    def _card_value(self, client):
        """The alliance members' card's value on the dashboard, as shown (digits only)."""
        page = client.get("/").content.decode()
        match = re.search(r'data-indicator="alliance-members".*?<strong class="value">([^<]*)</strong>', page, re.S)
        if match is None:
            raise CommandError("No alliance members card on the dashboard.")
        digits = re.sub(r"\D", "", match.group(1))
        return int(digits) if digits else None

    def _start_worker(self):
        command = [sys.executable, "-m", "celery", "-A", "lcamp", "worker", "--pool", "solo", "-l", "WARNING",
                   "--without-heartbeat", "--without-gossip", "--without-mingle"]
        self.stdout.write("Starting a Celery worker...")
        return subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL)  # noqa: S603

    def _wait_for_worker(self, seconds=60):
        from lcamp.celery import app

        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if app.control.ping(timeout=1.0):
                return
        raise CommandError("No Celery worker answers.")

    def _clean_up(self, members):
        from indicators import rollup

        for member in members:
            organisation = member.organisation
            member.delete()
            organisation.delete()
        rollup.drain()
