"""Inviting a person to an organisation: under /accounts/, with names of their own (no namespace)."""

from django.urls import path

from . import invitations

urlpatterns = [
    path("invite/", invitations.invite, name="invite"),
    path("invite/<str:token>/", invitations.invite_accept, name="invite-accept"),
]
