"""Shared permission-matrix check of register pages (used by tests/<app>/test_register_permissions.py)."""

from django.urls import reverse

READ = {"admin": 200, "staff": 200, "manager": 200, "partner": 403, "other_partner": 403, "anonymous": 302}
EDIT = {"admin": 200, "staff": 403, "manager": 200, "partner": 403, "other_partner": 403, "anonymous": 302}


def check_pages(role_clients, role, pages):
    """``pages``: (url name, args, READ or EDIT); GET each page as ``role`` and compare the status."""
    client = role_clients[role]
    seen = {}
    for name, args, expected in pages:
        url = reverse(name, args=args)
        response = client.get(url)
        seen[url] = response.status_code
        if role == "anonymous":
            assert "/accounts/login/" in response.get("Location", ""), url
    assert seen == {reverse(n, args=a): e[role] for n, a, e in pages}


def check_posts_refused(role_clients, role, urls, model):
    """A POST by a role that may not edit answers 403 (login for anonymous) and writes nothing."""
    before = model._default_manager.count()
    for url in urls:
        response = role_clients[role].post(url, {})
        assert response.status_code == (302 if role == "anonymous" else 403), url
    assert model._default_manager.count() == before
