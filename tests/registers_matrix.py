"""Shared permission-matrix check of register pages (used by tests/<app>/test_register_permissions.py).

Since issue 21 partners open the registers of the records their organisation is responsible for
("own": the list shows only their own, another organisation's record answers 404, a partner editor
opens the create form) and read reference data (organisations, regions); the registers index lists
them those registers (INDEX); other registers stay closed to them (403). The records these matrices build belong to neither
partner's organisation, so their record pages answer 404 to partners.
"""

from django.urls import reverse

# A register closed to partners.
READ = {"admin": 200, "staff": 200, "manager": 200, "partner": 403, "other_partner": 403, "anonymous": 302}
EDIT = {"admin": 200, "staff": 403, "manager": 200, "partner": 403, "other_partner": 403, "anonymous": 302}
# Reference data partners read (organisations, regions): forms stay closed to them.
PARTNER_READ = {**READ, "partner": 200, "other_partner": 200}
# A register of records with a responsible organisation: the list and the create form open to partner
# editors; another organisation's record is not found (404), to read or to change.
OWN_LIST = PARTNER_READ
# The registers index: a partner finds there the registers it may open.
INDEX = PARTNER_READ
OWN_CREATE = {**EDIT, "partner": 200, "other_partner": 200}
FOREIGN_READ = {**READ, "partner": 404, "other_partner": 404}
FOREIGN_EDIT = {**EDIT, "partner": 404, "other_partner": 404}


def check_pages(role_clients, role, pages):
    """``pages``: (url name, args, one of the dicts above); GET each page as ``role`` and compare the status."""
    client = role_clients[role]
    seen = {}
    for name, args, expected in pages:
        url = reverse(name, args=args)
        response = client.get(url)
        seen[url] = response.status_code
        if role == "anonymous":
            assert "/accounts/login/" in response.get("Location", ""), url
    assert seen == {reverse(n, args=a): e[role] for n, a, e in pages}


def check_posts_refused(role_clients, role, urls, model, expected=None):
    """A POST by a role that may not write there answers 403 (login for anonymous; ``expected``: ``{url:
    status}`` where it differs, e.g. a partner editor's empty create form, 200 with its errors, or another
    organisation's record, 404) and writes nothing."""
    before = model._default_manager.count()
    for url in urls:
        response = role_clients[role].post(url, {})
        default = 302 if role == "anonymous" else 403
        assert response.status_code == (expected or {}).get(url, default), url
    assert model._default_manager.count() == before


def partner_post_codes(role, creates=(), foreign=()):
    """What a partner editor's empty POST answers (``check_posts_refused``'s ``expected``): its create forms
    come back with errors (200), another organisation's records are not found (404); others: {}."""
    if role not in ("partner", "other_partner"):
        return {}
    return {**{url: 200 for url in creates}, **{url: 404 for url in foreign}}
