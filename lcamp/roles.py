"""Roles and the questions views ask about a user.

Roles are groups created by a migration: ``manager`` (project managers of
consortium partners: edit the registers, review MoUs and reports), ``staff``
(EARLALL staff: read everything, edit nothing) and ``partner`` (organisations that
submit MoUs). Superusers are admins and may do everything.
"""

MANAGER = "manager"
STAFF = "staff"
PARTNER = "partner"
ROLES = (MANAGER, STAFF, PARTNER)


def role_names(user):
    """The user's role names, read once per request object and cached on it."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_lcamp_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._lcamp_roles = cached
    return cached


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
