"""Partner accounts by invitation: a single-use link valid 7 days; expired, used and altered links say so."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.urls import reverse

from accounts import roles
from organisations.invitations.services import make_token, user_invite

User = get_user_model()
NEW_PASSWORD = "Welding-robot-2024"


@pytest.fixture
def invite_data(organisation):
    return {"first_name": "Marie", "last_name": "Dupont", "email": "Marie.Dupont@example.fr",
            "organisation": organisation.pk}


@pytest.fixture
def invited(manager_user, organisation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return user_invite(invited_by=manager_user, first_name="Marie", last_name="Dupont",
                           email="marie.dupont@example.fr", organisation=organisation)


def link_in(message):
    return re.search(r"https?://\S+(/accounts/invite/\S+/)", message.body).group(1)


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def accept(client, url, password=NEW_PASSWORD):
    return client.post(url, {"new_password1": password, "new_password2": password})


def test_a_manager_invites_a_partner_who_gets_an_inactive_account_and_an_email(
        manager_client, invite_data, organisation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("invite"), invite_data)
    assert response.status_code == 302
    user = User.objects.get(email="marie.dupont@example.fr")
    assert not user.is_active and not user.has_usable_password()
    assert user.organisation == organisation and roles.is_partner(user)
    assert (user.username, user.get_full_name()) == ("marie.dupont@example.fr", "Marie Dupont")
    [message] = mail.outbox
    assert message.to == ["marie.dupont@example.fr"]
    assert "7 days" in message.body and link_in(message)


def test_the_valid_link_sets_the_password_logs_in_and_lands_on_the_mous(client, invited):
    url = link_in(mail.outbox[0])
    page = client.get(url)
    assert page.status_code == 200 and "Choose a password" in page.content.decode()
    response = accept(client, url)
    assert response.status_code == 302 and response["Location"] == reverse("alliance:mou-list")
    invited.refresh_from_db()
    assert invited.is_active and invited.check_password(NEW_PASSWORD)
    assert client.get(reverse("alliance:mou-list")).status_code == 200
    client.logout()
    assert log_in(client, "marie.dupont@example.fr", NEW_PASSWORD).status_code == 302


def test_an_inactive_invited_user_cannot_log_in_before_accepting(client, invited):
    response = log_in(client, "marie.dupont@example.fr", "")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_used_link_says_it_was_used(client, invited):
    url = link_in(mail.outbox[0])
    accept(client, url)
    client.logout()
    response = client.get(url)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    accept(client, url, "Another-password-99")
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)


def in_days(monkeypatch, days):
    import time

    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + days * 24 * 60 * 60)


def test_the_link_still_works_on_the_seventh_day(client, invited, monkeypatch):
    url = link_in(mail.outbox[0])
    in_days(monkeypatch, 6.99)
    assert client.get(url).status_code == 200
    assert accept(client, url).status_code == 302


def test_after_seven_days_the_link_says_it_expired(client, invited, monkeypatch):
    url = link_in(mail.outbox[0])
    in_days(monkeypatch, 7.01)
    response = client.get(url)
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    accept(client, url)
    invited.refresh_from_db()
    assert not invited.is_active and not invited.has_usable_password()


@pytest.mark.parametrize("alter", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
    lambda token: token.replace(token.split(":")[0], signing.b64_encode(b'{"u":1,"f":"x"}').decode()),
    lambda token: "garbage",
])
def test_an_altered_link_says_it_is_not_valid(client, invited, alter):
    token = make_token(invited)
    response = client.get(reverse("invite-accept", args=[alter(token)]))
    assert response.status_code == 400
    assert "This invitation link is not valid" in response.content.decode()
    accept(client, reverse("invite-accept", args=[alter(token)]))
    invited.refresh_from_db()
    assert not invited.is_active


def test_a_link_for_another_purpose_is_not_an_invitation(client, invited):
    token = signing.TimestampSigner(salt="something-else").sign_object({"u": invited.pk, "f": "x"})
    assert client.get(reverse("invite-accept", args=[token])).status_code == 400


def test_a_weak_password_is_refused_and_the_link_still_works(client, invited):
    url = link_in(mail.outbox[0])
    response = accept(client, url, "password")
    assert response.status_code == 400
    assert "too common" in response.content.decode()
    invited.refresh_from_db()
    assert not invited.is_active
    assert accept(client, url).status_code == 302


def test_inviting_again_before_acceptance_sends_a_new_link_to_the_same_account(
        manager_client, invited, invite_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("invite"), invite_data)
    assert User.objects.filter(email__iexact="marie.dupont@example.fr").count() == 1
    assert len(mail.outbox) == 2


def test_an_existing_active_account_is_not_invited(manager_client, partner_user, organisation):
    before = User.objects.count()
    response = manager_client.post(reverse("invite"), {"first_name": "P", "last_name": "Q",
                                                       "email": partner_user.email, "organisation": organisation.pk})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert User.objects.count() == before and mail.outbox == []


@pytest.mark.parametrize("missing", ["first_name", "last_name", "email", "organisation"])
def test_the_invitation_form_needs_every_field(manager_client, invite_data, missing):
    before = User.objects.count()
    invite_data[missing] = ""
    response = manager_client.post(reverse("invite"), invite_data)
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert User.objects.count() == before and mail.outbox == []


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("manager", 200), ("staff", 403), ("partner", 403),
                                              ("other_partner", 403), ("anonymous", 302)])
def test_only_managers_invite(role_clients, role, status, invite_data):
    before = User.objects.count()
    assert role_clients[role].get(reverse("invite")).status_code == status
    response = role_clients[role].post(reverse("invite"), invite_data)
    if status != 200:
        assert response.status_code == status
        assert User.objects.count() == before


def test_password_reset_by_email(client, partner_user):
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200 and "Reset your password" in page.content.decode()
    client.post(reverse("password_reset"), {"email": partner_user.email})
    [message] = mail.outbox
    url = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    form_url = client.get(url, follow=True)
    assert "Choose a new password" in form_url.content.decode()
    response = client.post(form_url.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD,
                                                           "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    partner_user.refresh_from_db()
    assert partner_user.check_password(NEW_PASSWORD)
    assert "Your password is set" in client.get(response["Location"]).content.decode()


def test_password_change_renders_in_the_site_layout(partner_client):
    html = partner_client.get(reverse("password_change")).content.decode()
    assert "Change your password" in html and "LCAMP Tracker" in html


@pytest.mark.parametrize("rights", ["manager", "superuser"])
def test_a_disabled_account_with_other_rights_is_not_taken_over_by_an_invitation(
    manager_user, organisation, rights
):
    from django.core.exceptions import ValidationError

    from tests.factories import UserFactory

    dormant = UserFactory(username="dormant@example.org", email="dormant@example.org", is_active=False,
                          is_superuser=rights == "superuser", role="manager" if rights == "manager" else None)
    dormant.set_unusable_password()
    dormant.save()
    with pytest.raises(ValidationError, match="other rights"):
        user_invite(invited_by=manager_user, first_name="D", last_name="O", email="dormant@example.org",
                    organisation=organisation)
    dormant.refresh_from_db()
    assert not dormant.is_active and not dormant.groups.filter(name=roles.PARTNER).exists()
    assert mail.outbox == []


def test_with_identity_providers_the_invitation_offers_them_too(settings, manager_user, organisation, client,
                                                                django_capture_on_commit_callbacks):
    from lcamp.settings import _oidc_app

    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [_oidc_app(
        {"id": "eulogin", "name": "EU Login", "server_url": "https://ecas.example/cas/oauth2", "client_id": "c"})]}}
    with django_capture_on_commit_callbacks(execute=True):
        user_invite(invited_by=manager_user, first_name="Marie", last_name="Dupont", email="marie@example.fr",
                    organisation=organisation)
    [message] = mail.outbox
    assert "log in with your organisation's account (EU Login) at http://127.0.0.1:8000/accounts/login/" in message.body
    assert "marie@example.fr" in message.body
    page = client.get(link_in(message)).content.decode()
    assert "Log in with EU Login" in page and 'action="/accounts/oidc/eulogin/login/?process=login"' in page


def test_without_identity_providers_the_invitation_speaks_of_the_password_only(invited, client):
    [message] = mail.outbox
    assert "organisation's account" not in message.body
    assert "/accounts/oidc/" not in client.get(link_in(message)).content.decode()
