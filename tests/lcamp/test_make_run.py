"""`make run PORT=… HOST=…`: the server and the links in e-mails (SITE_URL) agree on the address."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")


def dry_run(*args, env=None):
    """The commands `make run` would run, without running them."""
    if env is None:
        env = {key: value for key, value in os.environ.items() if key not in ("SITE_URL", "HOST", "PORT")}
    result = subprocess.run(["make", "-n", "-B", "run", *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, env=env, check=True)
    return [line for line in result.stdout.splitlines() if "runserver" in line]


def test_site_url_follows_host_and_port():
    (line,) = dry_run("PORT=8101", "HOST=127.0.0.2")
    assert re.search(r'SITE_URL="http://127\.0\.0\.2:8101" DASHBOARD_AS_OF="\S+" \S+python manage\.py runserver '
                     r'127\.0\.0\.2:8101', line)


def test_the_demo_dashboard_opens_at_the_demo_datas_date_unless_told_otherwise():
    (line,) = dry_run("PORT=8104")
    # The shell gives the environment's DASHBOARD_AS_OF (even empty: today's figures) or the demo's date.
    assert 'DASHBOARD_AS_OF="${DASHBOARD_AS_OF-2024-12-31}"' in line


def test_listening_everywhere_links_to_this_machine():
    (line,) = dry_run("PORT=8102", "HOST=0.0.0.0")
    assert 'SITE_URL="http://127.0.0.1:8102"' in line and "runserver 0.0.0.0:8102" in line


def test_a_site_url_from_the_environment_wins():
    env = {**os.environ, "SITE_URL": "https://tracker.example.eu"}
    (line,) = dry_run("PORT=8103", env=env)
    assert 'SITE_URL="https://tracker.example.eu"' in line


def test_readme_documents_port_and_host():
    readme = (ROOT / "README.md").read_text()
    assert "make run PORT=" in readme and "HOST=" in readme and "SITE_URL" in readme
