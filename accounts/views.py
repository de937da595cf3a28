import hashlib

from allauth.account.decorators import reauthentication_required
from allauth.mfa.models import Authenticator
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from . import notifications
from .client_ip import client_ip
from .services import account_set_language, token_create, token_revoke

RESET_THROTTLED = gettext_lazy("Too many password-reset requests from here or for this address. Please wait an hour "
                               "and try again.")


def _over_reset_limit(request, email):
    """Count this reset request by client address and by e-mail address; whether either is over the limit.

    Counted whether or not an account uses the address, so the answer reveals nothing."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    over = False
    for key in (f"accounts:reset:ip:{client_ip(request)}", f"accounts:reset:email:{digest}"):
        cache.add(key, 0, timeout=3600)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=3600)
            count = 1
        over = over or count > settings.PASSWORD_RESETS_PER_HOUR
    return over


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, throttled per client and per address; the answer is the same whether
    or not an account uses the address."""

    def form_valid(self, form):
        if _over_reset_limit(self.request, form.cleaned_data["email"]):
            form.add_error(None, RESET_THROTTLED)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password from the e-mailed link also lifts the login lockout of the account:
    the link proves the person owns it."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=self.user.get_username())
        return response


@login_required
def profile(request):
    # The API token: created or revoked by a POST here. A new key is shown once, in
    # this response only (never stored in a message or the session).
    if request.method == "POST":
        if request.POST.get("token") == "create":
            return _token_create(request)
        elif request.POST.get("notifications") == "save":
            # A box left ticked means "send me these"; every other kind is opted out of.
            wanted = set(request.POST.getlist("receive"))
            if not wanted <= set(notifications.KINDS):
                return HttpResponseBadRequest(gettext("Unknown kind of e-mail."))
            notifications.opt_outs_set(user=request.user, kinds=set(notifications.KINDS) - wanted)
            messages.success(request, gettext("Your e-mail settings are saved."))
            return redirect("profile")
        elif request.POST.get("token") == "revoke":
            if token_revoke(user=request.user):
                messages.success(request, gettext("Your API token is revoked: it no longer works."))
            return redirect("profile")
        else:
            return HttpResponseBadRequest(gettext("Unknown action."))
    return _profile_page(request)


@reauthentication_required
def _token_create(request):
    """A token acts with all the person's rights: made only after a recent sign-in (the password or
    a code again when the last one is older than ACCOUNT_REAUTHENTICATION_TIMEOUT; allauth then
    replays this request)."""
    return _profile_page(request, new_token=token_create(user=request.user).key)


def _profile_page(request, new_token=None):
    opted_out = set(request.user.notification_opt_outs.values_list("kind", flat=True))
    context = {"new_token": new_token, "has_token": Token.objects.filter(user=request.user).exists(),
               "has_second_factor": Authenticator.objects.filter(user=request.user,
                                                                 type=Authenticator.Type.TOTP).exists(),
               "notification_kinds": [{"kind": kind, "label": label, "receive": kind not in opted_out}
                                      for kind, label in notifications.KINDS.items()]}
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
