"""Login lockout per username AND client address, the address believed from X-Forwarded-For only from
a trusted proxy; a locked-out user gets in through the password-reset e-mail."""

import re
from pathlib import Path

import pytest
import yaml
from django.core import mail
from django.test import Client

from accounts.client_ip import client_ip

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _behind_a_proxy(settings):
    settings.TRUSTED_PROXY_IPS = [PROXY]


def behind_proxy(address):
    """A browser at ``address`` whose requests reach Django through the trusted proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def login(client, password):
    return client.post("/accounts/login/", {"username": "manager", "password": password})


def test_a_stranger_guessing_a_password_does_not_lock_the_real_user_out(manager_user, settings):
    stranger, owner = behind_proxy("203.0.113.5"), behind_proxy("198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        login(stranger, "wrong")
    assert login(stranger, "pass-word-123").status_code in (403, 429)
    response = login(owner, "pass-word-123")
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(manager_user.pk)


def test_a_forwarded_address_from_an_untrusted_client_is_not_believed(manager_user, settings):
    forger = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(forger, "wrong")
    # The forger locked their own address, not the one they wrote into the header.
    assert login(behind_proxy("198.51.100.7"), "pass-word-123").status_code == 302
    assert login(Client(REMOTE_ADDR="203.0.113.9"), "pass-word-123").status_code in (403, 429)


@pytest.mark.parametrize("remote, forwarded, expected", [
    ("203.0.113.9", "198.51.100.7", "203.0.113.9"),
    (PROXY, "198.51.100.7", "198.51.100.7"),
    (PROXY, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client wrote 1.2.3.4; the proxy appended the real one
    (PROXY, "198.51.100.7, 10.0.0.2", "198.51.100.7"),
    (PROXY, "not-an-address", PROXY),
    (PROXY, "", PROXY),
])
def test_the_client_address(rf, remote, forwarded, expected):
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_locked_out_user_gets_in_through_the_password_reset_email(manager_user, settings):
    browser = behind_proxy("198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(browser, "wrong")
    assert login(browser, "pass-word-123").status_code in (403, 429)
    assert "reset your password" in login(browser, "pass-word-123").content.decode()

    response = browser.post("/accounts/password_reset/", {"email": manager_user.email})
    assert response.status_code == 302
    [message] = mail.outbox
    link = re.search(r"/accounts/reset/[^/\s]+/[^/\s]+/", message.body).group(0)
    form = browser.get(link, follow=True)
    response = browser.post(form.redirect_chain[-1][0], {"new_password1": "A-new-long-pass-42",
                                                         "new_password2": "A-new-long-pass-42"})
    assert response.status_code == 302
    assert login(browser, "A-new-long-pass-42").status_code == 302


def test_the_reset_page_does_not_reveal_whether_an_account_exists(manager_user):
    known = behind_proxy("198.51.100.7").post("/accounts/password_reset/", {"email": manager_user.email}, follow=True)
    unknown = behind_proxy("198.51.100.8").post("/accounts/password_reset/", {"email": "nobody@example.org"},
                                                follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.content.decode().split("<main")[1] == unknown.content.decode().split("<main")[1]
    assert len(mail.outbox) == 1


def test_password_reset_requests_are_throttled(manager_user, settings):
    settings.PASSWORD_RESETS_PER_HOUR = 2
    browser = behind_proxy("198.51.100.7")
    for _ in range(2):
        assert browser.post("/accounts/password_reset/", {"email": "nobody@example.org"}).status_code == 302
    response = browser.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 429
    assert "Too many password-reset requests" in response.content.decode()
    # The same address asked from elsewhere is throttled too (per e-mail address).
    assert behind_proxy("198.51.100.9").post("/accounts/password_reset/",
                                             {"email": "nobody@example.org"}).status_code == 429


def test_compose_gunicorn_and_django_trust_the_same_proxy():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    trusted = compose["x-app"]["environment"]["TRUSTED_PROXY_IPS"]
    assert compose["services"]["proxy"]["networks"]["default"]["ipv4_address"] == trusted
    assert "FORWARDED_ALLOW_IPS" not in compose["services"]["web"]["environment"]
    gunicorn = (ROOT / "gunicorn.conf.py").read_text()
    assert 'forwarded_allow_ips = os.environ.get("TRUSTED_PROXY_IPS", "127.0.0.1")' in gunicorn


def test_the_sixth_wrong_password_from_one_address_is_refused_there_only(manager_user, settings):
    """On allauth's login page (issue 24) as on Django's before it: five wrong passwords for a user from an
    address lock that user out from that address, and nowhere else."""
    assert settings.AXES_FAILURE_LIMIT == 5
    here, elsewhere = behind_proxy("203.0.113.5"), behind_proxy("198.51.100.7")
    for _ in range(4):
        response = login(here, "wrong")
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert login(here, "wrong").status_code in (403, 429)  # the fifth failure locks
    assert login(here, "wrong").status_code in (403, 429)  # the sixth is refused
    assert login(here, "pass-word-123").status_code in (403, 429)
    assert "_auth_user_id" not in here.session
    response = login(elsewhere, "wrong")
    assert response.status_code == 200  # a wrong password there, not a lockout
    assert login(elsewhere, "pass-word-123").status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(manager_user.pk)
