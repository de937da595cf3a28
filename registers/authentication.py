"""The API's token authentication (a module of its own: DRF loads it from the settings while its views
are imported, so it imports nothing of the API)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header


class TokenOrBearerAuthentication(TokenAuthentication):
    """DRF's token, sent as ``Authorization: Token <key>`` or ``Authorization: Bearer <key>``: generated
    clients (openapi-python-client, OpenAPI Generator) send ``Bearer`` unless told otherwise."""

    KEYWORDS = (b"token", b"bearer")

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() not in self.KEYWORDS:
            return None
        # DRF's own messages (translated by DRF).
        if len(auth) == 1:
            raise exceptions.AuthenticationFailed(_("Invalid token header. No credentials provided."))
        if len(auth) > 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header. Token string should not contain spaces."))
        try:
            key = auth[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain invalid characters.")) from error
        return self.authenticate_credentials(key)
