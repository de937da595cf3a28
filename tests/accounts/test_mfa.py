"""Two-factor authentication (allauth.mfa: TOTP and recovery codes), required of coordinators and
administrators when MFA_REQUIRED_FOR_COORDINATORS is on; codes made by pyotp as an authenticator app
makes them, through the real pages."""

import re

import pyotp
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"
PAGES = ["/", "/registers/", "/mous/", "/periods/", "/admin/", "/admin/accounts/user/", "/accounts/profile/",
         "/accounts/sessions/", "/api/v1/organisations/", "/public/"]


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_FOR_COORDINATORS = True
    # A code made at the very end of its 30 seconds may reach the server in the next: one step either
    # way is accepted, as an authenticator app's clock drift is (it keeps these tests from flaking).
    settings.MFA_TOTP_TOLERANCE = 1


def password_login(client, username):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def enrol(client):
    """Activate TOTP on the enrolment page as a person with an authenticator app does; the secret.
    Changing one's second factor asks for the password again (allauth's reauthentication)."""
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/reauthenticate/")
    assert client.post(page["Location"], {"password": PASSWORD}).status_code == 302
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def recovery_codes(client):
    return client.get("/accounts/2fa/recovery-codes/").context["unused_codes"]


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_a_coordinator_without_a_second_factor_reaches_nothing_but_enrolment(required, who, manager_user,
                                                                             admin_user):
    client = Client()
    response = password_login(client, who)
    assert response.status_code == 302 and signed_in(client)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/", path
    assert client.post("/accounts/profile/", {"token": "create"})["Location"] == "/accounts/2fa/totp/activate/"
    enrol(client)
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == (200 if who == "admin" else 302)


def test_partners_and_staff_are_not_required_to_enrol_but_are_offered_it(required, partner_user, staff_user):
    for who in ("partner", "staff"):
        client = Client()
        password_login(client, who)
        assert client.get("/accounts/profile/").status_code == 200
        assert "Set up two-factor authentication" in client.get("/accounts/profile/").content.decode()
        assert client.get("/accounts/2fa/totp/activate/").status_code == 302  # the password again first
        enrol(client)


def test_off_by_default_in_development_and_tests(manager_user, settings):
    assert settings.MFA_REQUIRED_FOR_COORDINATORS is False
    client = Client()
    password_login(client, "manager")
    assert client.get("/").status_code == 200


def test_a_totp_code_from_an_authenticator_app_completes_the_sign_in(required, manager_user):
    client = Client()
    password_login(client, "manager")
    secret = enrol(client)
    client.post("/accounts/logout/")
    assert not signed_in(client)

    response = password_login(client, "manager")
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert not signed_in(client)  # the password alone does not sign in
    assert client.get("/").status_code == 302 and not signed_in(client)
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200 and not signed_in(client)
    response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and signed_in(client)
    assert client.get("/").status_code == 200


def test_a_recovery_code_works_once(required, manager_user):
    client = Client()
    password_login(client, "manager")
    enrol(client)
    code = recovery_codes(client)[0]
    client.post("/accounts/logout/")

    password_login(client, "manager")
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302 and signed_in(client)
    client.post("/accounts/logout/")

    password_login(client, "manager")
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 200 and not signed_in(client)
    assert re.search(r"[Ii]ncorrect code", response.content.decode())


def test_an_api_token_keeps_working_for_a_coordinator_required_to_enrol(required, manager_user):
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=manager_user).key
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/organisations/").status_code == 200


def test_the_admin_site_signs_in_on_the_sites_login_page_only(client, admin_user):
    """The admin's own password form would skip the second factor: it sends to the site's login page."""
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not signed_in(client)


@pytest.mark.parametrize("overrides, required", [
    ({}, "True"),
    ({"MFA_REQUIRED_FOR_COORDINATORS": "0"}, "False"),
])
def test_in_production_the_second_factor_is_required_unless_switched_off(overrides, required):
    from tests.lcamp.test_security import PRODUCTION_ENV, _run

    code = "import django; django.setup(); from django.conf import settings; print(settings.MFA_REQUIRED_FOR_COORDINATORS)"
    result = _run(code, {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "lcamp.settings", **overrides},
                  drop=("MFA_REQUIRED_FOR_COORDINATORS",))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == required
