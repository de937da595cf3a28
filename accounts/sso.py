"""Who may come in, and how (issue 24): django-allauth's adapters.

Nobody signs up. A person signs in with their password (django-axes locks a username out per
client address), or through an OpenID Connect provider (``OIDC_PROVIDERS``). Through a provider,
only an e-mail address the provider says it verified counts, and it must match:

1. an existing account (active): the identity is linked to it, and signs it in from then on;
2. a pending invitation (an account invited within ``INVITATION_TIMEOUT`` and never used): the
   identity is attached and the account activated, as choosing a password would;
3. a domain an administrator tied to an organisation (``SignInDomain``): an account is made for
   the person in that organisation, with the least role (partner viewer).

Anything else -- an unknown address, an unverified one, a disabled account -- is refused with a
page that says why; an unverified address is never linked to anything.
"""

import logging
from datetime import timedelta

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from . import roles
from .client_ip import client_ip
from .models import SignInDomain, User

logger = logging.getLogger(__name__)

# Why a sign-in through a provider was refused: the page explains each.
UNVERIFIED, UNKNOWN, INACTIVE, AMBIGUOUS, NOT_YOURS = "unverified", "unknown", "inactive", "ambiguous", "not_yours"
APP_FIELDS = ("name", "provider_id", "client_id", "secret", "key", "settings")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False  # accounts are made by invitation, or by accounts.sso for a tied domain

    def get_client_ip(self, request):
        # allauth's own rate limits count the client as the login lockout does (trusted proxy only).
        return client_ip(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False  # pre_social_login links or makes the account, or refuses

    def list_apps(self, request, provider=None, client_id=None):
        """The providers of the settings (OIDC_PROVIDERS) only, never rows of allauth's SocialApp table:
        the environment is the one place they are configured, and the login page asks no database."""
        apps = []
        for provider_name, config in settings.SOCIALACCOUNT_PROVIDERS.items():
            for entry in config.get("APPS", []):
                app = SocialApp(provider=provider_name, **{field: entry[field] for field in APP_FIELDS if field in entry})
                if client_id and app.client_id != client_id:
                    continue
                if provider and provider not in (app.provider_id, app.provider):
                    continue
                apps.append(app)
        return apps

    def pre_social_login(self, request, sociallogin):
        if sociallogin.is_existing:
            if not sociallogin.user.is_active:
                refuse(request, sociallogin, INACTIVE)
            return
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # A signed-in person linking a provider from their profile: only an identity whose verified
            # address is their account's own; allauth then links it to them.
            if not (request.user.is_authenticated and request.user.email
                    and request.user.email.strip().lower() in verified_emails(sociallogin)):
                refuse(request, sociallogin, NOT_YOURS)
            return
        user, reason = account_for(sociallogin)
        if user is None:
            refuse(request, sociallogin, reason)
        sociallogin.connect(request, user)


def provider_names():
    """The names of the configured identity providers (OIDC_PROVIDERS), as the login page shows them."""
    return sorted(entry.get("name") or entry.get("provider_id", "")
                  for config in settings.SOCIALACCOUNT_PROVIDERS.values() for entry in config.get("APPS", []))


def verified_emails(sociallogin):
    """The addresses the provider says it verified (``email_verified``: true; a string "true" too,
    as some providers send it), lower-cased."""
    return [address.email.strip().lower() for address in sociallogin.email_addresses
            if address.email and (address.verified is True or str(address.verified).lower() == "true")]


def is_pending_invitation(user):
    """An account invited (``organisations.invitations``) within the invitation's lifetime and never
    used: inactive, no password, never signed in, partner roles only."""
    return (not user.is_active and not user.has_usable_password() and user.last_login is None
            and not user.is_superuser and not user.is_staff
            and user.date_joined >= timezone.now() - timedelta(seconds=settings.INVITATION_TIMEOUT)
            and not user.groups.exclude(name__in=roles.PARTNER_ROLES).exists())


@transaction.atomic
def account_for(sociallogin):
    """(user, None) for the account this provider identity may sign in to, or (None, reason)."""
    emails = verified_emails(sociallogin)
    if not emails:
        return None, UNVERIFIED
    for email in emails:
        matches = list(User.objects.filter(email__iexact=email)[:2])
        if len(matches) > 1:
            return None, AMBIGUOUS
        if matches:
            user = matches[0]
            if user.is_active:
                return user, None
            if is_pending_invitation(user):
                user.is_active = True
                user.save(update_fields=["is_active"])
                return user, None
            return None, INACTIVE
    for email in emails:
        sign_in = SignInDomain.objects.filter(domain=email.rpartition("@")[2]).select_related("organisation").first()
        if sign_in is not None:
            if User.objects.filter(username__iexact=email).exists():
                return None, AMBIGUOUS
            return user_for_domain(email=email, sign_in=sign_in, sociallogin=sociallogin), None
    return None, UNKNOWN


def user_for_domain(*, email, sign_in, sociallogin):
    """A partner viewer of the domain's organisation, named as the provider names them."""
    fields = sociallogin.provider.extract_common_fields(sociallogin.account.extra_data)
    user = User(username=email, email=email, organisation=sign_in.organisation,
                first_name=(fields.get("first_name") or "")[:150], last_name=(fields.get("last_name") or "")[:150])
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=roles.PARTNER_VIEWER)[0])
    logger.info("account made for a sign-in at %s (organisation %s)", sign_in.domain, sign_in.organisation_id)
    return user


def refuse(request, sociallogin, reason):
    logger.info("sign-in through %s refused: %s", sociallogin.account.provider, reason)
    response = render(request, "account/sso_refused.html",
                      {"reason": reason, "provider_name": sociallogin.provider.name}, status=403)
    raise ImmediateHttpResponse(response)
