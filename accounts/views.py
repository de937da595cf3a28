from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from rest_framework.authtoken.models import Token

from .services import token_create, token_revoke


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
    return render(request, "accounts/profile.html", context)
