"""Register pages cached until the registers change: one generation key, bumped by every write.

A register list costs a count, a page of rows and the rendering of its table and filters
(40-60 ms); the same list is asked again and again (a page reloaded, a team on one
register). Its HTML is cached under the *registers generation*, which every write to a
record changes (any model's save, delete or many-to-many change, except the machinery's
own tables, and the bulk imports, which call ``bump_on_commit`` themselves), so a
cached page never outlives a change: the next request builds it afresh.

The key names everything the HTML depends on: the page, the query string, the language,
the day (filters such as "member today") and what the viewer may do. Only pages that
are the same for every viewer with those rights are cached here (the register lists,
the MoU review list), never a page with a form token or someone's own records.
Without a shared cache (or with Redis down, or ``PAGE_CACHE=0``) pages are built on every request.
"""

import contextlib
import hashlib
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

KEY = "registers:generation"
GENERATION_SECONDS = 7 * 24 * 60 * 60
PAGE_SECONDS = 10 * 60
# Tables written on every request or by the machinery, never shown in a register list.
IGNORED_APPS = {"sessions", "axes", "admin", "contenttypes", "django_celery_beat", "django_celery_results"}
IGNORED_MODELS = {"indicators.outboxentry", "indicators.snapshot", "indicators.breakdown", "registers.job"}
# Saves of only these fields change nothing a page shows (a login writes the user's last_login).
IGNORED_UPDATES = {"last_login"}


def current():
    """The registers generation (a short string), or None when pages must not be cached."""
    if not (settings.CACHE_IS_SHARED and settings.PAGE_CACHE):
        return None
    try:
        value = cache.get(KEY)
        if value is None:
            cache.add(KEY, uuid.uuid4().hex, GENERATION_SECONDS)
            value = cache.get(KEY)
    except Exception:  # noqa: BLE001 - a cache outage must not take the pages down
        logger.warning("cache unavailable: register pages are built without it", exc_info=True)
        return None
    return value


def bump():
    with contextlib.suppress(Exception):
        cache.set(KEY, uuid.uuid4().hex, GENERATION_SECONDS)


def bump_on_commit():
    """A record changed: drop every cached page now and again when the change commits (a page built
    in between read the rows as they were before the commit)."""
    bump()
    transaction.on_commit(bump)


def cached(name, request, build, *, vary=()):
    """``build()`` (a string of HTML), cached under the registers generation for ``name`` and
    ``request``'s query string, language and day, and ``vary`` (what the viewer may do)."""
    generation = current()
    if generation is None:
        return build()
    query = "&".join(sorted(f"{k}={v}" for k, values in request.GET.lists() for v in values))
    parts = [name, generation, translation.get_language() or "", timezone.localdate().isoformat(), query,
             *map(str, vary)]
    key = "registers:page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage (Redis down) must not take the pages down
        logger.warning("cache unavailable: the page renders without it", exc_info=True)
        return build()
    if value is None:
        value = build()
        with contextlib.suppress(Exception):
            cache.set(key, value, PAGE_SECONDS)
    return value


def _ignored(model):
    meta = model._meta
    return (meta.app_label in IGNORED_APPS or meta.label_lower in IGNORED_MODELS
            or hasattr(model, "instance_type"))  # django-simple-history's historical records follow their record


def _changed(sender, **kwargs):
    model = type(kwargs["instance"]) if kwargs.get("instance") is not None else sender
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= IGNORED_UPDATES:
        return
    if not _ignored(model):
        bump_on_commit()


def connect():
    """Called once by the app's ``ready``."""
    post_save.connect(_changed, dispatch_uid="registers.pagecache.post_save")
    post_delete.connect(_changed, dispatch_uid="registers.pagecache.post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="registers.pagecache.m2m_changed")


def _m2m_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(sender, **kwargs)
