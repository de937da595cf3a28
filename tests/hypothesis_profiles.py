"""Hypothesis profiles: thorough in CI, quick locally.

``HYPOTHESIS_PROFILE`` picks the profile; without it, ``ci`` when ``CI=true`` (as ``.ci/run``
sets), else ``dev``. No profile has a deadline: speed belongs in the benchmarks, not in the tests.

A property test whose examples are costly (each builds records in the database) states its number
of examples under ``ci`` through ``examples(n)``; the ``dev`` profile runs a quarter of that, never
fewer than ``DEV_MINIMUM`` (nor more than ``n``).
"""

import os

from hypothesis import settings

CI_EXAMPLES = 100
DEV_MINIMUM = 5

settings.register_profile("ci", max_examples=CI_EXAMPLES, deadline=None, derandomize=False, print_blob=True)
settings.register_profile("dev", max_examples=CI_EXAMPLES // 4, deadline=None)


def profile_name():
    if os.environ.get("HYPOTHESIS_PROFILE"):
        return os.environ["HYPOTHESIS_PROFILE"]
    return "ci" if os.environ.get("CI", "").lower() == "true" else "dev"


def load_profile():
    settings.load_profile(profile_name())


def examples(n):
    """The number of examples for a test that runs ``n`` under the ``ci`` profile, scaled to the loaded one."""
    scaled = round(n * settings.default.max_examples / CI_EXAMPLES)
    return max(min(n, DEV_MINIMUM), scaled)
