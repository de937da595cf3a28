"""Error pages of the whole site."""

import sys

from django.shortcuts import render


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """Rendered without the request context: the failure may be the database itself.

    A database outage met outside a view (loading the session, saving it) gets
    the 503 page, like one met inside a view.
    """
    from django.http import HttpResponseServerError
    from django.template.loader import render_to_string

    from .middleware import database_unavailable_response, is_database_outage

    exception = sys.exc_info()[1]
    if exception is not None and is_database_outage(exception):
        return database_unavailable_response(exception)
    return HttpResponseServerError(render_to_string("500.html"))
