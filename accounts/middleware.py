"""Activates the signed-in user's saved language (issue 15); leads a coordinator without a second
factor to enrolment (issue 24)."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext

from . import roles


class UserLanguageMiddleware:
    """After LocaleMiddleware and AuthenticationMiddleware: a signed-in user's saved
    ``language`` wins over the cookie and the browser's Accept-Language.

    The user is looked at only when the request carries a session cookie, so that
    anonymous requests (the health check, the public page) never load a session for
    this. API requests keep the language their client asks for with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and not request.path.startswith("/api/"):
            user = getattr(request, "user", None)
            language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
            if language and language != getattr(request, "LANGUAGE_CODE", None):
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """With ``MFA_REQUIRED_FOR_COORDINATORS`` on, a coordinator or an administrator without a second
    factor is led to enrolling one, and reaches no other page (the admin site included) until then.

    Enrolment, its reauthentication, signing out and the language switch stay open; so does the API
    with a token (DRF authenticates a token in the view: to this middleware such a request is
    anonymous). The question costs one query, asked only of coordinators and administrators.
    """

    OPEN_URL_NAMES = ("mfa_activate_totp", "mfa_index", "mfa_reauthenticate", "account_reauthenticate",
                      "mfa_view_recovery_codes", "mfa_download_recovery_codes", "mfa_generate_recovery_codes",
                      "account_logout", "logout", "set-language", "health", "login")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MFA_REQUIRED_FOR_COORDINATORS and self.must_enrol(request):
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in self.OPEN_URL_NAMES and not request.path_info.startswith(settings.STATIC_URL):
                messages.warning(request, gettext("Coordinators and administrators sign in with a second factor. "
                                                  "Set up an authenticator app to continue."))
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def must_enrol(request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not roles.is_coordinator(user):
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
