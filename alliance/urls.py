"""The alliance app's pages: the MoUs (``mous/urls.py``), the member and cooperation-project registers,
and the addresses of the former import of organisations and members (each is a register's import now:
``registers/organisations/import/``, ``registers/alliance-members/import/``)."""

from django.urls import include, path
from django.views.generic import RedirectView

from . import views

app_name = "alliance"

urlpatterns = [
    path("", include("alliance.mous.urls")),
    *views.members.urlpatterns(),
    *views.cooperation_projects.urlpatterns(),
    path("registers/import/", RedirectView.as_view(pattern_name="alliance:member-import"), name="import"),
    path("registers/import/template-<str:kind>.<str:extension>", views.import_template, name="import-template"),
]
