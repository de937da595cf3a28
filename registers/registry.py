"""The registers declared so far, by ``namespace:name`` (each ``engine.Register`` adds itself).

Apart from the engine so that the tasks find a register (a large export) without
importing the engine, which queues them.
"""

REGISTER_PAGES = {}  # URL name prefix with namespace -> Register, in the order declared


def loaded():
    """Every register: the URL configuration imports the apps' views, which declare them."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loading it is the point
    return REGISTER_PAGES
