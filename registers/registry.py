"""The registers declared so far, by ``namespace:name`` (each ``pages.Register`` adds itself).

Apart from the pages so that the tasks find a register (a large export) without
importing the pages, which queue them.
"""

REGISTER_PAGES = {}  # URL name prefix with namespace -> Register, in the order declared
# Lists with pages of their own, off the registers index (``Register(in_index=False)``), found by their
# export jobs: job subject -> an object with ``export_job_run(job)``.
EXPORTS = {}


def loaded():
    """Every register and export by job subject: the URL configuration imports the apps' views,
    which declare them."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loading it is the point
    return {**REGISTER_PAGES, **EXPORTS}
