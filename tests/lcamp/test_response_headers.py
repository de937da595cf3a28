"""Responses to logged-in users are never cached by a proxy or the browser's history."""

import pytest
from django.urls import reverse

from tests.api.conftest import token_client

PAGES = ["/", "/mous/", "/registers/", "/api/v1/mous/", "/api/v1/indicators/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_authenticated_page_and_api_answer_is_private_and_not_stored(manager_client, path):
    response = manager_client.get(path)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_partners_pages_are_not_stored_either(partner_client):
    for path in ("/mous/", reverse("alliance:mou-create"), "/api/v1/mous/"):
        cache_control = partner_client.get(path)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control


def test_token_authenticated_api_answers_are_not_stored(manager_user):
    response = token_client(manager_user).get("/api/v1/mous/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_error_pages_of_logged_in_users_are_not_stored(partner_client):
    assert "no-store" in partner_client.get("/registers/")["Cache-Control"]

