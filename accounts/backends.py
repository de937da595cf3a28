"""Authentication backends."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come with a request.

    Every login over the web (the login page, the admin, the API's session and token
    authentication) passes its request and is throttled. A call without one -- the test
    client's ``login()``, a shell -- has no client address to throttle by; axes would raise
    ``AxesBackendRequestParameterRequired`` and break it, so it is left to ModelBackend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
