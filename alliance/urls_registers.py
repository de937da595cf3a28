"""Register pages of the alliance app and the bulk import."""

from django.urls import path

from . import views

urlpatterns = [
    *views.members.urlpatterns(),
    *views.cooperation_projects.urlpatterns(),
    path("registers/import/", views.import_view, name="import"),
    path("registers/import/template-<str:kind>.<str:extension>", views.import_template, name="import-template"),
]
