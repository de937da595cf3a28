"""Roles and the questions views ask about a user.

Roles are groups created by a migration, one per user in the project:

- ``coordinator``: keeps the whole picture; edits every register at once (audited) and
  validates what partners submit (formerly "manager");
- ``partner_editor``: a consortium partner's editor; creates and changes the records its own
  organisation is responsible for, each a submission that counts once a coordinator approves
  it (formerly "partner", who could only submit MoUs);
- ``partner_viewer``: reads its own organisation's records and contribution;
- ``staff``: EARLALL staff; read everything, edit nothing.

Superusers are administrators and may do everything.
"""

import contextlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

COORDINATOR = "coordinator"
STAFF = "staff"
PARTNER_EDITOR = "partner_editor"
PARTNER_VIEWER = "partner_viewer"
ROLES = (COORDINATOR, STAFF, PARTNER_EDITOR, PARTNER_VIEWER)
PARTNER_ROLES = (PARTNER_EDITOR, PARTNER_VIEWER)
# The names of the roles before the partners kept their own records (the migration renames them).
MANAGER = COORDINATOR
PARTNER = PARTNER_EDITOR

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


def is_coordinator(user):
    """A coordinator (or an administrator): full rights, validates the partners' submissions."""
    return is_admin(user) or COORDINATOR in role_names(user)


is_manager = is_coordinator


def is_staff_viewer(user):
    """EARLALL staff: may read everything."""
    return STAFF in role_names(user)


def is_partner(user):
    """A partner editor or viewer only: admins, coordinators and staff are not limited to their organisation."""
    names = role_names(user)
    return bool(names & set(PARTNER_ROLES)) and not is_admin(user) and not names & {COORDINATOR, STAFF}


def is_partner_editor(user):
    return is_partner(user) and PARTNER_EDITOR in role_names(user)


def partner_organisation_id(user):
    """The organisation a partner's rights are limited to, or None for everyone else (who is not
    limited to one, or a partner without an organisation, who then owns nothing)."""
    return getattr(user, "organisation_id", None) if is_partner(user) else None


def can_view_dashboard(user):
    if is_admin(user) or role_names(user) & {COORDINATOR, STAFF}:
        return True
    return is_partner(user) and partners_see_dashboard()


# Whether the project lets partners read the dashboard: the project's setting, which the app that
# keeps projects installs here (``indicators.apps``); accounts sits below it.
_partners_see_dashboard = [lambda: False]


def partners_see_dashboard():
    return bool(_partners_see_dashboard[0]())


def partners_see_dashboard_from(read):
    """Install ``read() -> bool``, the project's setting."""
    _partners_see_dashboard[0] = read


def can_view_registers(user):
    """Read every record of every register: coordinators, staff and administrators (partners read
    their own organisation's records: ``registers.access``)."""
    return is_admin(user) or bool(role_names(user) & {COORDINATOR, STAFF})


def can_edit_registers(user):
    """Change any record, applied at once: coordinators and administrators (partner editors submit
    changes to their own organisation's records: ``registers.access``)."""
    return is_coordinator(user)


def can_review(user):
    """Approve or reject MoUs and reported values."""
    return is_manager(user)


def can_delete_records(user):
    """Only an admin hard-deletes a counted record; managers change its status."""
    return is_admin(user)


def role_label(user):
    if is_admin(user):
        return "admin"
    for role in (COORDINATOR, STAFF, PARTNER_EDITOR, PARTNER_VIEWER):
        if role in role_names(user):
            return role
    return ""


def may_pick_records(user):
    """Use a register's picker: readers of every register, and partners (who pick their own records)."""
    return can_view_registers(user) or is_partner(user)
