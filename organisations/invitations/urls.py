"""Inviting a person to an organisation: under /accounts/, with names of their own (no namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("invite/", views.invite, name="invite"),
    path("invite/<str:token>/", views.invite_accept, name="invite-accept"),
]
