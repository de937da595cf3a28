"""API clients per role: the session clients of tests/conftest.py, plus token ones."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token


def token_client(user):
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


@pytest.fixture
def manager_token_client(manager_user):
    return token_client(manager_user)


@pytest.fixture
def api_clients(role_clients, outsider_client):
    """Every role (session-authenticated), anonymous, an outsider and a bad token."""
    return {
        **role_clients,
        "outsider": outsider_client,
        "bad_token": Client(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567"),
    }


def send(client, method, url, data=None):
    """A JSON request; ``method`` is get/post/put/patch."""
    if method == "get":
        return client.get(url, data or {})
    return getattr(client, method)(url, data or {}, content_type="application/json")
