"""Register pages cached until what they show changes (``registers.generations``).

A register list costs a count, a page of rows and the rendering of its table and filters
(40-60 ms); the same list is asked again and again (a page reloaded, a team on one
register). Its HTML is cached under the generations of the models it shows (its own and
those its rows reach), which every write to one of their records changes, so a cached
page never outlives a change that it could show: the next request builds it afresh.

The key names everything the HTML depends on: the page, the query string, the language,
the day (filters such as "member today") and what the viewer may do. Only pages that
are the same for every viewer with those rights are cached here (the register lists,
the MoU review list), never a page with a form token or someone's own records.
Without a shared cache (or with Redis down, or ``PAGE_CACHE=0``) pages are built on every request.
"""

import contextlib
import hashlib
import logging

from django.core.cache import cache
from django.utils import timezone, translation

from . import generations

logger = logging.getLogger(__name__)

PAGE_SECONDS = 10 * 60


def cached(name, request, build, *, models, vary=()):
    """``build()`` (a string of HTML), cached under the generations of ``models`` (the labels of
    what the page shows, e.g. ``generations.shown_with(MoU)``) for ``name`` and ``request``'s
    query string, language and day, and ``vary`` (what the viewer may do)."""
    generation = generations.current(*models)
    if generation is None:
        return build()
    query = "&".join(sorted(f"{k}={v}" for k, values in request.GET.lists() for v in values))
    parts = [name, generation, translation.get_language() or "", timezone.localdate().isoformat(), query,
             *map(str, vary)]
    key = "registers:page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return get_or_build(key, build, PAGE_SECONDS)


def get_or_build(key, build, timeout):
    """The value cached under ``key``, else ``build()`` (then cached for ``timeout`` seconds). A cache
    outage (Redis down) never takes a page down: the value is built on every request meanwhile."""
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage (Redis down) must not take the pages down
        logger.warning("cache unavailable: the page renders without it", exc_info=True)
        return build()
    if value is None:
        value = build()
        with contextlib.suppress(Exception):
            cache.set(key, value, timeout)
    return value

