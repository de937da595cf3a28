"""A person's sessions, listed from the profile and ended everywhere else at once (allauth.usersessions)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def signed_in_client(username="manager"):
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": "pass-word-123"}).status_code == 302
    return client


def test_signing_out_everywhere_else_ends_the_other_sessions_and_keeps_this_one(manager_user, staff_user):
    laptop, phone, tablet = signed_in_client(), signed_in_client(), signed_in_client()
    colleague = signed_in_client("staff")
    page = laptop.get("/accounts/sessions/")
    assert page.status_code == 200 and page.content.decode().count("<tr>") >= 4  # a header and three sessions
    assert "/accounts/sessions/" in laptop.get("/accounts/profile/").content.decode()

    response = laptop.post("/accounts/sessions/")
    assert response.status_code == 302
    assert laptop.get("/accounts/profile/").status_code == 200
    for other in (phone, tablet):
        response = other.get("/accounts/profile/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # Another person's session is not touched.
    assert colleague.get("/accounts/profile/").status_code == 200


def test_the_sessions_page_is_the_signed_in_persons_own(client):
    response = client.get("/accounts/sessions/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/sessions/").status_code == 302
