from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from .services import account_set_language, token_create, token_revoke


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
                messages.success(request, gettext("Your API token is revoked: it no longer works."))
            return redirect("profile")
        else:
            return HttpResponseBadRequest(gettext("Unknown action."))
    context = {"new_token": new_token, "has_token": Token.objects.filter(user=request.user).exists()}
    return render(request, "accounts/profile.html", context)


@require_POST
def set_language(request):
    """The language switch: Django's ``set_language`` (cookie, safe redirect), and for a
    signed-in user the choice saved on the user, so it follows them to other devices
    and into the e-mails they receive."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        account_set_language(user=request.user, language=language)
    return response
