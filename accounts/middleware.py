"""Activates the signed-in user's saved language (issue 15)."""

from django.conf import settings
from django.utils import translation


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
