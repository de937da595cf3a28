"""Who may come in through an identity provider (accounts.sso), through allauth's real social-login flow
from the point where a provider has answered: the claims of a userinfo response go into the OpenID
Connect provider's ``sociallogin_from_response`` and allauth's ``complete_social_login`` (the browser
test in tests/e2e/test_sso.py does the whole round trip against a real provider)."""

from datetime import timedelta

import pytest
from allauth.core import context
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import roles
from accounts.models import SignInDomain, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
IDP = {"id": "test-idp", "name": "Test IdP", "server_url": "http://127.0.0.1:1/o", "client_id": "lcamp", "secret": "s"}


@pytest.fixture(autouse=True)
def _provider(settings):
    from lcamp.settings import _oidc_app

    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [_oidc_app(IDP)]}}


def sign_in(rf, *, email, verified=True, sub="idp-1", user=None, process="login", **claims):
    """allauth's social login completed with these userinfo claims (by ``user`` signed in, linking from
    the profile with ``process="connect"``); (response, request)."""
    request = rf.get("/accounts/oidc/test-idp/login/callback/")
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    request.user = user or AnonymousUser()
    with context.request_context(request):
        provider = get_adapter().get_provider(request, "test-idp")
        sociallogin = provider.sociallogin_from_response(
            request, {"userinfo": {"sub": sub, "email": email, "email_verified": verified, **claims}})
        sociallogin.state = {"process": process}
        response = complete_social_login(request, sociallogin)
    return response, request


def signed_in_as(request):
    return request.session.get("_auth_user_id")


def test_an_existing_account_is_linked_by_a_verified_email(rf, manager_user):
    response, request = sign_in(rf, email=manager_user.email.upper())
    assert response.status_code == 302
    assert signed_in_as(request) == str(manager_user.pk)
    assert SocialAccount.objects.get(uid="idp-1").user == manager_user
    # The next time the identity itself signs in, whatever address it then gives.
    response, request = sign_in(rf, email="changed@elsewhere.example")
    assert signed_in_as(request) == str(manager_user.pk)


def test_an_unverified_email_is_never_linked(rf, manager_user):
    for verified in (False, "false", None):
        response, request = sign_in(rf, email=manager_user.email, verified=verified)
        assert response.status_code == 403
        assert "did not confirm" in response.content.decode()
        assert signed_in_as(request) is None
    assert not SocialAccount.objects.exists()


def test_an_unknown_verified_email_is_refused_and_nothing_is_made(rf):
    before = User.objects.count()
    response, request = sign_in(rf, email="stranger@nowhere.example")
    assert response.status_code == 403
    assert "Ask your coordinator for an invitation" in response.content.decode()
    assert signed_in_as(request) is None
    assert User.objects.count() == before and not SocialAccount.objects.exists()


def test_a_pending_invitation_is_accepted_by_signing_in(rf, organisation, manager_user):
    from organisations.invitations.services import user_invite

    invited = user_invite(invited_by=manager_user, first_name="Ane", last_name="Etxeberria",
                          email="ane@tknika.example", organisation=organisation)
    response, request = sign_in(rf, email="ANE@tknika.example")
    invited.refresh_from_db()
    assert invited.is_active and signed_in_as(request) == str(invited.pk)
    assert roles.is_partner_editor(invited)


def test_an_expired_invitation_or_a_disabled_account_is_refused(rf, organisation, manager_user, settings):
    from organisations.invitations.services import user_invite

    invited = user_invite(invited_by=manager_user, first_name="Ane", last_name="E", email="ane@tknika.example",
                          organisation=organisation)
    User.objects.filter(pk=invited.pk).update(date_joined=timezone.now() - timedelta(days=8))
    response, _ = sign_in(rf, email="ane@tknika.example")
    assert response.status_code == 403
    disabled = UserFactory(username="gone", email="gone@tknika.example", is_active=False)
    response, _ = sign_in(rf, email=disabled.email, sub="idp-2")
    assert response.status_code == 403 and "disabled" in response.content.decode()
    disabled.refresh_from_db()
    invited.refresh_from_db()
    assert not disabled.is_active and not invited.is_active
    assert not SocialAccount.objects.exists()


def test_a_domain_tied_to_an_organisation_lets_a_person_in_as_partner_viewer(rf, organisation):
    SignInDomain.objects.create(domain="tknika.example", organisation=organisation)
    response, request = sign_in(rf, email="Mikel@Tknika.example", given_name="Mikel", family_name="Ugarte")
    user = User.objects.get(email="mikel@tknika.example")
    assert signed_in_as(request) == str(user.pk)
    assert user.organisation == organisation and (user.first_name, user.last_name) == ("Mikel", "Ugarte")
    assert roles.role_names(user) == {roles.PARTNER_VIEWER}
    assert not user.has_usable_password()


def test_a_subdomain_or_an_unverified_address_at_the_domain_is_not_let_in(rf, organisation):
    SignInDomain.objects.create(domain="tknika.example", organisation=organisation)
    assert sign_in(rf, email="a@mail.tknika.example")[0].status_code == 403
    assert sign_in(rf, email="b@tknika.example", verified=False, sub="idp-2")[0].status_code == 403
    assert not User.objects.filter(email__endswith="tknika.example").exists()


@pytest.mark.parametrize("domain", ["@tknika.example", "tknika", "Tknika.example", "-x.example", "a b.example", ""])
def test_a_sign_in_domain_must_be_a_lower_case_domain_name(organisation, domain):
    with pytest.raises(ValidationError):
        SignInDomain(domain=domain, organisation=organisation).full_clean()
    assert not SignInDomain.objects.exists()


def test_the_login_page_lists_the_providers_each_a_form_that_posts(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'action="/accounts/oidc/test-idp/login/?process=login"' in html
    assert "Log in with Test IdP" in html
    assert 'name="username"' in html and 'name="password"' in html


def test_the_login_page_without_providers_has_the_password_form_only(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
    html = client.get("/accounts/login/").content.decode()
    assert "/accounts/oidc/" not in html and 'name="password"' in html


@pytest.mark.parametrize("entry, says", [
    ({"name": "EU Login", "client_id": "x"}, "server_url"),
    ({"id": "eu", "server_url": "https://x.example"}, "client_id"),
    ({"id": "eu login", "server_url": "https://x.example", "client_id": "x"}, "an id of"),
    ({"client_id": "x", "server_url": "https://x.example"}, "id or name"),
    ("eu", "JSON list of objects"),
])
def test_a_malformed_provider_entry_stops_start_up_saying_why(entry, says):
    from lcamp.settings import MissingSetting, _oidc_app

    with pytest.raises(MissingSetting, match=says):
        _oidc_app(entry)


def test_a_provider_entry_takes_the_issuer_and_turns_pkce_on():
    from lcamp.settings import SOCIALACCOUNT_PROVIDERS, _oidc_app

    app = _oidc_app({"id": "eulogin", "name": "EU Login", "issuer": "https://ecas.example/cas/oauth2",
                     "client_id": "c", "secret": "s"})
    assert app == {"provider_id": "eulogin", "name": "EU Login", "client_id": "c", "secret": "s",
                   "settings": {"server_url": "https://ecas.example/cas/oauth2"}}
    assert SOCIALACCOUNT_PROVIDERS["openid_connect"]["OAUTH_PKCE_ENABLED"] is True


def test_the_login_page_may_send_the_browser_to_the_providers_origins_only():
    from lcamp.settings import _oidc_app, oidc_origins

    apps = [_oidc_app({"id": "eu", "server_url": "https://ecas.example:8443/cas/oauth2", "client_id": "c"}),
            _oidc_app({"id": "kc", "server_url": "https://sso.tknika.example/realms/x", "client_id": "c"}),
            _oidc_app({"id": "kc2", "server_url": "https://sso.tknika.example/realms/y", "client_id": "c"})]
    assert oidc_origins(apps) == ["https://ecas.example:8443", "https://sso.tknika.example"]
    assert oidc_origins([]) == []


def test_with_no_provider_the_policy_lets_forms_post_to_the_site_only(client):
    assert "form-action 'self';" in client.get("/accounts/login/")["Content-Security-Policy"] + ";"


def test_an_administrator_ties_a_domain_to_an_organisation_in_the_admin(admin_client, organisation):
    url = "/admin/accounts/signindomain/add/"
    for bad in ("@tknika.example", "TKNIKA.example", "tknika", "tknika.example/x"):
        response = admin_client.post(url, {"domain": bad, "organisation": organisation.pk})
        assert response.status_code == 200 and "errorlist" in response.content.decode(), bad
    assert admin_client.post(url, {"domain": "tknika.example", "organisation": ""}).status_code == 200
    assert not SignInDomain.objects.exists()
    response = admin_client.post(url, {"domain": "tknika.example", "organisation": organisation.pk})
    assert response.status_code == 302
    assert SignInDomain.objects.get().organisation == organisation
    response = admin_client.post(url, {"domain": "tknika.example", "organisation": organisation.pk})
    assert response.status_code == 200 and SignInDomain.objects.count() == 1  # one organisation a domain


def test_only_administrators_reach_the_sign_in_domains(manager_client, partner_client):
    for client in (manager_client, partner_client):
        assert client.get("/admin/accounts/signindomain/").status_code in (302, 403)


def test_providers_come_from_the_environment_only_never_from_a_database_row(client, django_assert_num_queries):
    from allauth.socialaccount.models import SocialApp

    SocialApp.objects.create(provider="openid_connect", provider_id="rogue", name="Rogue IdP", client_id="x",
                             settings={"server_url": "https://rogue.example"})
    with django_assert_num_queries(0):
        html = client.get("/accounts/login/").content.decode()
    assert "Rogue IdP" not in html and "Log in with Test IdP" in html
    assert client.post("/accounts/oidc/rogue/login/").status_code == 404


def test_linking_a_provider_from_the_profile_takes_only_an_identity_with_ones_own_verified_address(
        rf, manager_user, staff_user):
    for email, verified in ((staff_user.email, True), (manager_user.email, False)):
        response, _ = sign_in(rf, email=email, verified=verified, user=manager_user, process="connect")
        assert response.status_code == 403 and "cannot be linked to your account" in response.content.decode()
    assert not SocialAccount.objects.exists()
    response, request = sign_in(rf, email=manager_user.email, user=manager_user, process="connect")
    assert response.status_code == 302
    assert SocialAccount.objects.get().user == manager_user
