"""The generation keys, the one cache rule: a cached page's key carries the generations of what it
shows, so a change empties exactly the cached pages that can show it.

Two kinds of generation:

- ``ROLLUP``, bumped when a roll-up or a drain has stored snapshots (now and on commit); the
  dashboard and the indicator pages read it (the djangoproject.com dashboard pattern).
- one per register, named by its model's label (``"alliance.mou"``), bumped by every save, delete
  or many-to-many change of one of its records (now and on commit: a page built in between read
  the rows as they were before the commit), and by the bulk imports, which send no signal and
  call ``bump_on_commit(model)`` themselves.

A page reads the generations of what it shows: a register list those of ``shown_with(model)``
(its model and every model its rows reach: an organisation renamed rebuilds the lists that show
organisation names, a saved MoU leaves the micro-credential list cached); a page about an
indicator those of ``around(Indicator)`` with ``ROLLUP``.

Only a cache shared by every process can carry a generation (a roll-up may run in a worker);
with a per-process cache, or the cache down, ``current()`` is None and the pages are built on
every request. Register generations are read only with ``PAGE_CACHE`` on (the tests build every
page: their query counts measure the work).

The machinery's own tables (sessions, jobs, and what the apps ``ignore()``: the roll-up's
snapshots) are never shown in a page and bump nothing; nor does a save of a user's last_login.
"""

import contextlib
import functools
import hashlib
import logging
import uuid
from typing import Any, TypeAlias

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

# What has a generation: ``ROLLUP``, a model, or a model's label ("alliance.mou").
Name: TypeAlias = type[models.Model] | str

ROLLUP = "rollup"
PREFIX = "generation:"
SECONDS = 7 * 24 * 60 * 60
# Tables written on every request or by the machinery, never shown in a page.
IGNORED_APPS = {"sessions", "axes", "admin", "contenttypes", "django_celery_beat", "django_celery_results"}
_ignored_models = {"registers.job"}
# Saves of only these fields change nothing a page shows (a login writes the user's last_login).
IGNORED_UPDATES = {"last_login"}


def ignore(*models: Name) -> None:
    """The machinery's tables of an app (the roll-up's snapshots): their writes bump nothing.
    Called by the app's ``ready``."""
    _ignored_models.update(_label(model) for model in models)


def _label(model: Name) -> str:
    """``"alliance.mou"`` for the model (or a label) ``model``; ``ROLLUP`` stays itself."""
    if isinstance(model, str):
        return model.lower()
    return _concrete(model)._meta.label_lower


def _concrete(model: type[models.Model]) -> type[models.Model]:
    concrete = model._meta.concrete_model
    assert concrete is not None  # set on every model class when Django prepares it
    return concrete


def _ignored(model: type[models.Model]) -> bool:
    meta = model._meta
    return (meta.app_label in IGNORED_APPS or _label(model) in _ignored_models
            or hasattr(model, "instance_type"))  # django-simple-history's historical records follow their record


def current(*names: Name) -> str | None:
    """The generation of ``names`` (``ROLLUP``, models or model labels) as one short string, which
    changes when any of them is bumped; None when the page must not be cached."""
    labels = sorted({_label(name) for name in names})
    if not settings.CACHE_IS_SHARED or (not settings.PAGE_CACHE and labels != [ROLLUP]):
        return None
    keys = [PREFIX + label for label in labels]
    try:
        values = cache.get_many(keys)
        missing = [key for key in keys if key not in values]
        if missing:
            for key in missing:
                cache.add(key, uuid.uuid4().hex, SECONDS)
            values = cache.get_many(keys)
    except Exception:  # noqa: BLE001 - a cache outage must not take the pages down
        logger.warning("cache unavailable: pages are built without it", exc_info=True)
        return None
    if len(values) != len(keys):
        return None
    if len(keys) == 1:
        generation: str = values[keys[0]]
        return generation
    return hashlib.sha256(".".join(values[key] for key in keys).encode()).hexdigest()[:32]


def bump(*names: Name) -> None:
    """``names`` (``ROLLUP``, models or model labels) changed: the pages that read them are built again."""
    with contextlib.suppress(Exception):
        cache.set_many({PREFIX + _label(name): uuid.uuid4().hex for name in names}, SECONDS)


def bump_on_commit(*names: Name) -> None:
    """Bump now and again when the transaction commits: a page rendered between the two read the
    rows as they were before the commit and was cached under the first new generation."""
    bump(*names)
    transaction.on_commit(lambda: bump(*names))


@functools.cache
def shown_with(model: Name) -> tuple[str, ...]:
    """The labels of what a list of ``model`` can show: the model and every model its rows reach
    through foreign keys and many-to-many fields (a column, a filter's choices, a serializer field)."""
    seen: set[type[models.Model]] = set()
    todo: list[type[models.Model]] = [apps.get_model(model) if isinstance(model, str) else model]
    while todo:
        current_model = _concrete(todo.pop())
        if current_model in seen:
            continue
        seen.add(current_model)
        todo.extend(field.related_model for field in current_model._meta.get_fields()
                    if field.concrete and field.is_relation and field.related_model is not None)
        todo.extend(current_model._meta.get_parent_list())
    return tuple(sorted(_label(m) for m in seen if not _ignored(m)))


@functools.cache
def around(model: Name) -> tuple[str, ...]:
    """The labels of what a page about a ``model`` record can show: what its rows reach and what the
    records pointing at it reach (an indicator's reports, narratives and milestones, with their
    organisations and periods)."""
    label = _label(model)
    pointing = [m for m in apps.get_models() if not _ignored(m) and label in shown_with(m)]
    return tuple(sorted({name for m in pointing for name in shown_with(m)} | set(shown_with(model))))


def _changed(sender: type[models.Model], **kwargs: Any) -> None:
    model = type(kwargs["instance"]) if kwargs.get("instance") is not None else sender
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= IGNORED_UPDATES:
        return
    if not _ignored(model):
        bump_on_commit(model, *model._meta.get_parent_list())


def _m2m_changed(sender: type[models.Model], action: str, instance: models.Model, reverse: bool,
                 model: type[models.Model], **kwargs: Any) -> None:
    # The many-to-many field belongs to the forward side: a list showing it reads that model.
    if action in ("post_add", "post_remove", "post_clear"):
        owner = model if reverse else type(instance)
        if not _ignored(owner):
            bump_on_commit(owner)


def connect() -> None:
    """Called once by the app's ``ready``."""
    post_save.connect(_changed, dispatch_uid="registers.generations.post_save")
    post_delete.connect(_changed, dispatch_uid="registers.generations.post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="registers.generations.m2m_changed")
