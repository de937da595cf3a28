"""API tokens on the profile page, the schema and throttling (the ELM export: tests/training/test_elm.py)."""


from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

ORGS = reverse("api:organisation-list")


def recently_signed_in(client, password="pass-word-123"):
    """The password typed again (allauth's reauthentication): a token is made only after it."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_creating_a_token_asks_for_the_password_again_then_makes_it(manager_client, manager_user):
    response = manager_client.post(reverse("profile"), {"token": "create"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Token.objects.exists()
    # A wrong password makes nothing either.
    assert manager_client.post(reverse("account_reauthenticate"), {"password": "wrong"}).status_code == 200
    assert not Token.objects.exists()
    recently_signed_in(manager_client)
    assert manager_client.post(reverse("profile"), {"token": "create"}).status_code == 200
    assert Token.objects.filter(user=manager_user).exists()


def test_a_sign_in_older_than_the_timeout_asks_again(manager_client, settings):
    recently_signed_in(manager_client)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    assert manager_client.post(reverse("profile"), {"token": "create"}).status_code == 302
    assert not Token.objects.exists()


def test_user_creates_a_token_on_the_profile_page_and_it_authenticates(manager_client, manager_user):
    recently_signed_in(manager_client)
    response = manager_client.post(reverse("profile"), {"token": "create"})
    assert response.status_code == 200
    key = Token.objects.get(user=manager_user).key
    assert key in response.content.decode()
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get(ORGS).status_code == 200
    # Shown once: the next visit does not show it again.
    assert key not in manager_client.get(reverse("profile")).content.decode()


def test_replacing_a_token_invalidates_the_old_one(manager_client, manager_user):
    recently_signed_in(manager_client)
    manager_client.post(reverse("profile"), {"token": "create"})
    old = Token.objects.get(user=manager_user).key
    manager_client.post(reverse("profile"), {"token": "create"})
    assert Client(HTTP_AUTHORIZATION=f"Token {old}").get(ORGS).status_code == 401


def test_user_revokes_its_token(manager_client, manager_user):
    recently_signed_in(manager_client)
    manager_client.post(reverse("profile"), {"token": "create"})
    key = Token.objects.get(user=manager_user).key
    response = manager_client.post(reverse("profile"), {"token": "revoke"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=manager_user).exists()
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get(ORGS).status_code == 401


def test_token_actions_need_csrf_and_login(manager_user, client):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(manager_user)
    assert csrf_client.post(reverse("profile"), {"token": "create"}).status_code == 403
    assert client.post(reverse("profile"), {"token": "create"}).status_code == 302
    assert not Token.objects.exists()


def test_unknown_token_action_is_refused(manager_client):
    assert manager_client.post(reverse("profile"), {"token": "steal"}).status_code == 400
    assert not Token.objects.exists()


def test_a_partner_token_sees_only_the_partner_api(partner_client, partner_user):
    recently_signed_in(partner_client)
    partner_client.post(reverse("profile"), {"token": "create"})
    token_client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=partner_user).key}")
    assert token_client.get(reverse("api:mou-list")).status_code == 200
    assert token_client.get(ORGS).status_code == 403


def test_schema_is_valid_openapi_without_warnings(tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in ("/api/v1/indicators/{code}/breakdown/", "/api/v1/mous/{id}/approve/",
                 "/api/v1/micro-credentials/{id}/elm/", "/api/v1/reports/"):
        assert path in text


def test_docs_page_serves_its_assets_locally(client, db):
    page = client.get(reverse("api-docs")).content.decode()
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


def test_anonymous_requests_are_throttled(client, settings, db):
    from rest_framework.throttling import AnonRateThrottle

    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = {**original, "anon": "3/minute"}
    try:
        codes = [client.get(ORGS).status_code for _ in range(5)]
    finally:
        AnonRateThrottle.THROTTLE_RATES = original
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]
