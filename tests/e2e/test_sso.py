"""Single sign-on against a real OpenID Connect provider (issue 24).

The provider is django-oauth-toolkit's, run by this module as a second Django process on loopback
(tests/oidc_provider/: its own database, an RSA key made here, PKCE required); Chromium goes from
LCAMP Tracker's login page to the provider's, signs in there, and comes back through allauth's
callback, which fetches the token, the keys and the userinfo from the provider over HTTP.
"""

import copy
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, SECRET = "lcamp-tracker", "a-test-secret-of-the-test-provider"
IDP_PASSWORD = "idp-pass-word-42"
PEOPLE = [
    {"username": "ane", "email": "ane@tknika.example", "first_name": "Ane", "last_name": "Etxeberria"},
    {"username": "stranger", "email": "stranger@nowhere.example"},
    {"username": "mallory", "email": "coordinator@lcamp.example", "verified": False},
    {"username": "mikel", "email": "mikel@afil.example", "first_name": "Mikel", "last_name": "Rossi"},
]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    """The provider's issuer URL, its process running until the module ends."""
    where = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (where / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings", "PYTHONPATH": str(ROOT),
           "OIDC_TEST_DB": str(where / "idp.sqlite3"), "OIDC_TEST_KEY": str(where / "key.pem"),
           "OIDC_TEST_ISSUER": issuer}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    spec = {"client_id": CLIENT_ID, "secret": SECRET,
            "redirect_uri": f"{live_server.url}/accounts/oidc/test-idp/login/callback/",
            "people": [{"password": IDP_PASSWORD, **person} for person in PEOPLE]}
    subprocess.run([sys.executable, "-m", "tests.oidc_provider.people", json.dumps(spec)], env=env, cwd=ROOT,
                   check=True)
    log = open(where / "server.log", "w")  # noqa: SIM115 - closed below, after the process
    process = subprocess.Popen([sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
                               env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2) as answer:
                    assert json.load(answer)["issuer"] == issuer
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((where / "server.log").read_text()) from None
                time.sleep(0.2)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def sso(provider, live_url, settings, transactional_db):
    from django.contrib.auth.models import Group

    from accounts import roles
    from lcamp.settings import _oidc_app, oidc_origins

    for name in roles.ROLES:  # an earlier transactional test's flush may have removed them
        Group.objects.get_or_create(name=name)
    apps = [_oidc_app({"id": "test-idp", "name": "Test IdP", "server_url": provider, "client_id": CLIENT_ID,
                       "secret": SECRET})]
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": apps}}
    # As lcamp.settings does for the providers of OIDC_PROVIDERS: the login page's buttons may lead there.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = ["'self'", *oidc_origins(apps)]
    settings.CONTENT_SECURITY_POLICY = policy
    return provider


def serious_violations(page):
    return [v["id"] for v in Axe().run(page).response["violations"] if v.get("impact") in {"serious", "critical"}]


def sign_in_through_the_provider(page, username):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Log in with Test IdP").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", IDP_PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()
    page.wait_for_load_state("networkidle")
    return page


def test_an_invited_person_signs_in_through_the_provider_and_lands_on_their_home_page(sso, page, organisation,
                                                                                     manager_user):
    from allauth.socialaccount.models import SocialAccount

    from organisations.invitations.services import user_invite

    invited = user_invite(invited_by=manager_user, first_name="Ane", last_name="Etxeberria",
                          email="ane@tknika.example", organisation=organisation)
    page.goto("/accounts/login/")
    assert serious_violations(page) == []  # the login page with its provider buttons
    sign_in_through_the_provider(page, "ane")
    assert page.url.endswith("/mous/"), page.url  # a partner's home: their organisation's MoUs
    assert page.locator(".nav-user").get_by_text("Ane Etxeberria").is_visible()
    invited.refresh_from_db()
    assert invited.is_active
    assert SocialAccount.objects.get(user=invited).provider == "test-idp"


def test_an_unknown_verified_address_is_refused_with_a_clear_message(sso, page):
    from accounts.models import User

    before = User.objects.count()
    sign_in_through_the_provider(page, "stranger")
    assert page.get_by_role("heading", name="You cannot log in this way").is_visible()
    assert "Ask your coordinator for an invitation" in page.get_by_role("alert").inner_text()
    assert serious_violations(page) == []  # the refusal page
    assert User.objects.count() == before
    page.goto("/accounts/profile/")
    assert "/accounts/login/" in page.url  # not signed in


def test_an_unverified_address_is_not_linked_to_the_existing_account(sso, page):
    from allauth.socialaccount.models import SocialAccount

    from tests.factories import UserFactory

    coordinator = UserFactory(username="coordinator", email="coordinator@lcamp.example", role="manager")
    sign_in_through_the_provider(page, "mallory")
    assert "did not confirm" in page.get_by_role("alert").inner_text()
    assert not SocialAccount.objects.filter(user=coordinator).exists()
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_a_person_at_a_domain_tied_to_an_organisation_arrives_as_partner_viewer(sso, page, other_organisation):
    from accounts import roles
    from accounts.models import SignInDomain, User

    SignInDomain.objects.create(domain="afil.example", organisation=other_organisation)
    sign_in_through_the_provider(page, "mikel")
    user = User.objects.get(email="mikel@afil.example")
    assert roles.role_names(user) == {roles.PARTNER_VIEWER} and user.organisation == other_organisation
    assert page.url.endswith("/mous/"), page.url
    assert "Partner viewer" in page.locator(".nav-user").inner_text()
