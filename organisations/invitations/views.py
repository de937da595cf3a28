"""Inviting a person (a manager's page) and accepting the invitation (the person's page, from the link)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from accounts import roles
from registers.forms import add_errors

from .forms import InvitationForm
from .services import InvitationInvalid, timeuntil_days, user_for_token, user_invite


@login_required
def invite(request):
    if not roles.can_review(request.user):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_invite(invited_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, gettext("The invitation was sent to %(email)s. The link works once, for "
                                              "%(valid_for)s.") % {
                "email": user.email, "valid_for": timeuntil_days(settings.INVITATION_TIMEOUT)})
            return redirect("invite")
    status = 400 if form.is_bound else 200
    return render(request, "registration/invite_form.html", {"form": form}, status=status)


INVALID_STATUS = {"tampered": 400, "expired": 410, "used": 410}


def invite_accept(request, token):
    try:
        user = user_for_token(token)
    except InvitationInvalid as error:
        return render(request, "registration/invite_invalid.html", {"reason": error.reason},
                      status=INVALID_STATUS[error.reason])
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.is_active = True
            user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, gettext("Welcome to LCAMP Tracker. Your password is set; from here you submit "
                                          "and follow your organisation's MoUs."))
        return redirect(settings.PARTNER_HOME_URL_NAME)
    return render(request, "registration/invite_accept.html", {"form": form, "invited_user": user},
                  status=400 if form.is_bound else 200)
