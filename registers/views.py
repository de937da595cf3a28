from django.shortcuts import render

from accounts import roles

from .engine import REGISTER_PAGES, check_access


def index(request):
    """All registers, with links; no count per register (a COUNT(*) of each big table on every load)."""
    denied = check_access(request)
    if denied:
        return denied
    registers = [{"register": r, "url": r.url("list"),
                  "create_url": r.url("create") if r.creatable() else None} for r in REGISTER_PAGES.values()]
    return render(request, "registers/index.html", {
        "registers": registers, "can_edit": roles.can_edit_registers(request.user),
        "extra_links": [link for r in REGISTER_PAGES.values() for link in r.extra_links],
    })

