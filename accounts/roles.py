"""Roles and the questions views ask about a user.

Roles are groups created by a migration: ``manager`` (project managers of
consortium partners: edit the registers, review MoUs and reports), ``staff``
(EARLALL staff: read everything, edit nothing) and ``partner`` (organisations that
submit MoUs). Superusers are admins and may do everything.
"""

import contextlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

MANAGER = "manager"
STAFF = "staff"
PARTNER = "partner"
ROLES = (MANAGER, STAFF, PARTNER)

# Role names are cached per user (saving a query on every page) and forgotten when
# the user's groups change (``role_names_forget``, called by the signal handlers in
# ``accounts.signals``). The timeout only bounds a change made while Redis was down,
# whose forgetting the fail-open cache then dropped.
ROLE_CACHE_SECONDS = 60
# After a change, the user's entry is a marker for this long, so that a request that
# read the groups just before the change cannot store them again (it uses ``add``).
FORGOTTEN_SECONDS = 10
_FORGOTTEN = "forgotten"


def _cache_key(user_id):
    return f"lcamp:roles:{user_id}"


def role_names(user):
    """The user's role names: from the request's user object, else the cache, else one query."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_lcamp_roles", None)
    if cached is None and not settings.CACHE_IS_SHARED:
        cached = user._lcamp_roles = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    if cached is None:
        key = _cache_key(user.pk)
        try:
            stored = cache.get(key)
        except Exception:  # noqa: BLE001 - a cache outage must not take the pages down
            stored = _FORGOTTEN
        if isinstance(stored, list):
            cached = frozenset(stored)
        else:
            cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
            if stored is None:
                with contextlib.suppress(Exception):
                    cache.add(key, sorted(cached), ROLE_CACHE_SECONDS)
        user._lcamp_roles = cached
    return cached


def role_names_forget(user_ids):
    """Forget the cached role names of these users (their groups or roles changed)."""
    try:
        cache.set_many({_cache_key(user_id): _FORGOTTEN for user_id in user_ids}, FORGOTTEN_SECONDS)
    except Exception:  # noqa: BLE001 - the change has been made; the entries expire on their own
        logger.warning("cache unavailable: cached roles of users %s expire on their own", user_ids, exc_info=True)


def is_admin(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def is_manager(user):
    return is_admin(user) or MANAGER in role_names(user)


def is_staff_viewer(user):
    """EARLALL staff: may read everything."""
    return STAFF in role_names(user)


def is_partner(user):
    """A partner only: admins, managers and staff are not limited to their organisation."""
    return (
        PARTNER in role_names(user)
        and not is_admin(user)
        and MANAGER not in role_names(user)
        and STAFF not in role_names(user)
    )


def can_view_dashboard(user):
    return is_admin(user) or bool(role_names(user) & {MANAGER, STAFF})


def can_view_registers(user):
    return can_view_dashboard(user)


def can_edit_registers(user):
    return is_manager(user)


def can_review(user):
    """Approve or reject MoUs and reported values."""
    return is_manager(user)


def can_delete_records(user):
    """Only an admin hard-deletes a counted record; managers change its status."""
    return is_admin(user)


def role_label(user):
    if is_admin(user):
        return "admin"
    for role in (MANAGER, STAFF, PARTNER):
        if role in role_names(user):
            return role
    return ""
