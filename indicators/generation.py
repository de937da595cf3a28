"""One generation key that every cached dashboard view reads and every roll-up bumps.

The djangoproject.com dashboard pattern: a cached page's key carries the current
generation, so a roll-up that ends (``bump``, on commit of what it stored) makes
every page build afresh, without knowing which pages exist.

Only a cache shared by every process can carry the generation (a roll-up may run in
a worker); with a per-process cache, or the cache down, ``current()`` is None and
the views build their pages on every request.
"""

import contextlib
import logging
import uuid

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

KEY = "indicators:generation"
SECONDS = 7 * 24 * 60 * 60


def current():
    """The current generation (a short string), or None when pages must not be cached."""
    if not settings.CACHE_IS_SHARED:
        return None
    try:
        value = cache.get(KEY)
        if value is None:
            cache.add(KEY, uuid.uuid4().hex, SECONDS)
            value = cache.get(KEY)
    except Exception:  # noqa: BLE001 - a cache outage must not take the pages down
        logger.warning("cache unavailable: pages are built without it", exc_info=True)
        return None
    return value


def bump():
    """A roll-up ended: every cached page is built again on its next request."""
    with contextlib.suppress(Exception):
        cache.set(KEY, uuid.uuid4().hex, SECONDS)


def bump_now_and_on_commit():
    """What a roll-up calls when it writes: bump now and again on commit.

    A page rendered between the two read the snapshots as they were before the commit
    and cached them under the first new generation; the second one drops it.
    """
    from django.db import transaction

    bump()
    transaction.on_commit(bump)
