"""Wait (up to DB_WAIT_SECONDS, default 60) until the database accepts connections."""

import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lcamp.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.db.utils import OperationalError  # noqa: E402

deadline = time.monotonic() + float(os.environ.get("DB_WAIT_SECONDS", "60"))
while True:
    try:
        connection.ensure_connection()
        break
    except OperationalError as exc:
        if time.monotonic() > deadline:
            sys.exit(f"database not reachable: {exc}".strip())
        print("waiting for the database…", file=sys.stderr, flush=True)
        time.sleep(1)
connection.close()
