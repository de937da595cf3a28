"""Who may open a register page, and where a page may send its user back to.

Every register page asks ``check_access`` first, so the rules are the same for every
register: managers (and admins) edit; EARLALL staff read everything and edit nothing
(403 on forms); partners and users without a role see no register (403); anonymous
users are sent to the login page.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from accounts import roles


def check_access(request, *, edit=False):
    """Return a redirect to the login page for anonymous users; raise 403 for users without the right."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    allowed = roles.can_edit_registers(request.user) if edit else roles.can_view_registers(request.user)
    if not allowed:
        raise PermissionDenied(gettext("Your role does not allow this."))
    return None


def safe_next(request):
    """The ``next`` URL of the request when it is local to this site, else None."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return None
