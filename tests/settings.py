"""Settings of the test suite: the project's one settings file, read in test mode.

``LCAMP_TESTING`` switches on what a test run needs (a fast password hasher, plain
static storage, the cache treated as shared since the tests run in one process);
it is set here rather than guessed from ``sys.modules``.
"""

import os

os.environ.setdefault("LCAMP_TESTING", "1")

from lcamp.settings import *  # noqa: E402,F403
