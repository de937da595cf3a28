"""Settings of the test suite: the project's one settings file, read in test mode.

``LCAMP_TESTING`` switches on what a test run needs (a fast password hasher, plain
static storage, the cache treated as shared since a test and the app it drives run in one process);
it is set here rather than guessed from ``sys.modules``.

Under pytest-xdist every worker (``gw0``, ``gw1``, …) is a process of its own, with its own
test database (pytest-django suffixes its name; on SQLite it lives in memory) and its own
temporary and media directories (``tmp_path``). With ``REDIS_URL`` set, worker ``gwN`` also
takes Redis database N places after the one named: every test empties the cache (a FLUSHDB),
which must not empty another worker's.
"""

import os
import re

os.environ.setdefault("LCAMP_TESTING", "1")


def _worker_redis_url(url, worker):
    match = re.fullmatch(r"(rediss?://[^/?#]*)(?:/(\d*))?(.*)", url)
    if not match or not worker.startswith("gw"):
        return url
    base, db, rest = match.groups()
    return f"{base}/{int(db or 0) + int(worker[2:])}{rest}"


if os.environ.get("REDIS_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["REDIS_URL"] = _worker_redis_url(os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"])

from lcamp.settings import *  # noqa: E402,F403
