import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from rest_framework.authtoken.models import Token

from .api import token_create, token_revoke


@login_required
def profile(request):
    # The API token: created or revoked by a POST here. A new key is shown once, in
    # this response only (never stored in a message or the session).
    new_token = None
    if request.method == "POST":
        if request.POST.get("token") == "create":
            new_token = token_create(user=request.user).key
        elif request.POST.get("token") == "revoke":
            if token_revoke(user=request.user):
                messages.success(request, "Your API token is revoked: it no longer works.")
            return redirect("profile")
        else:
            return HttpResponseBadRequest("Unknown action.")
    context = {"new_token": new_token, "has_token": Token.objects.filter(user=request.user).exists()}
    return render(request, "lcamp/profile.html", context)


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
