"""URLs of the middleware tests: the real URL conf plus views that meet a database outage."""

from django.db import OperationalError
from django.http import HttpResponse
from django.urls import path

from lcamp.urls import urlpatterns as real_urlpatterns


def outage_in_view(request):
    raise OperationalError("server closed the connection unexpectedly")


def other_error_in_view(request):
    raise ValueError("a bug, not an outage")


def touches_session(request):
    request.session["touched"] = True
    return HttpResponse("ok")


urlpatterns = [
    path("test/outage/", outage_in_view),
    path("test/bug/", other_error_in_view),
    path("test/session/", touches_session),
    *real_urlpatterns,
]
handler500 = "lcamp.views.server_error"
