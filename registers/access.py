"""Who may open a register page, and where a page may send its user back to.

Every register page asks ``check_access`` first, so the rules are the same for every
register: coordinators (and admins) edit everything; EARLALL staff read everything and edit
nothing (403 on forms); partners open only the registers that let them (``partners``: "own"
for the registers of records their organisation is responsible for, "read" for reference data
such as organisations) and, within them, find only their own organisation's records (the
register's ``queryset_for``: another organisation's record answers 404); partner editors write
their own (as submissions), partner viewers only read; users without a role see no register
(403); anonymous users are sent to the login page.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from accounts import roles

OWN = "own"
READ = "read"


def allowed(user, *, edit=False, partners=""):
    """Whether ``user`` may open a page (``edit``: one that writes) of a register open to partners as ``partners``."""
    if roles.is_partner(user):
        if partners == OWN:
            return not edit or roles.is_partner_editor(user)
        return partners == READ and not edit
    return roles.can_edit_registers(user) if edit else roles.can_view_registers(user)


def check_access(request, *, edit=False, partners=""):
    """Return a redirect to the login page for anonymous users; raise 403 for users without the right."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not allowed(request.user, edit=edit, partners=partners):
        raise PermissionDenied(gettext("Your role does not allow this."))
    return None


def safe_next(request):
    """The ``next`` URL of the request when it is local to this site, else None."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return None
