"""Inviting a person (writes): the signed link, the inactive partner account, the e-mail."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, ngettext

from accounts import roles
from accounts.emails import send_in_language
from accounts.sso import provider_names

if TYPE_CHECKING:
    from accounts.models import User
    from organisations.models import Organisation

SALT = "organisations.invitations"  # the signatures' salt: changing it would void the links already sent


# --- The token --------------------------------------------------------------

class InvitationInvalid(Exception):
    """The link cannot be used; ``reason`` is one of tampered, expired, used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _fingerprint(user: "User") -> str:
    state = f"{user.pk}|{user.password}|{user.is_active}|{user.last_login}"
    return salted_hmac(SALT, state).hexdigest()[:20]


def make_token(user: "User") -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"u": user.pk, "f": _fingerprint(user)})


def user_for_token(token: str) -> "User":
    """The invited user the token is for, or InvitationInvalid saying why not."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        payload = signer.unsign_object(token, max_age=settings.INVITATION_TIMEOUT)
    except signing.SignatureExpired as error:
        raise InvitationInvalid("expired") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvitationInvalid("tampered") from error
    if not isinstance(payload, dict):
        raise InvitationInvalid("tampered")
    user_id: Any = payload.get("u")  # signed by us: an id (None matches nobody)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise InvitationInvalid("tampered")
    if not constant_time_compare(str(payload.get("f", "")), _fingerprint(user)):
        raise InvitationInvalid("used")
    return user


# --- The service ---------------------------------------------------------------

def invitation_link(user: "User") -> str:
    return settings.SITE_URL.rstrip("/") + reverse("invite-accept", args=[make_token(user)])


def send_invitation(*, user: "User", invited_by: "User") -> None:
    with user.language_override():
        valid_for = timeuntil_days(settings.INVITATION_TIMEOUT)
    context = {"user": user, "invited_by": invited_by, "link": invitation_link(user), "valid_for": valid_for,
               # Signing in through one of these with the invited address accepts the invitation too (accounts.sso).
               "providers": ", ".join(provider_names()),
               "login_link": settings.SITE_URL.rstrip("/") + reverse("login")}
    send_in_language(user, subject=lambda: gettext("Your invitation to LCAMP Tracker"),
                     template="registration/invite_email.txt", context=context)


def timeuntil_days(seconds: float) -> str:
    """``7 days`` for a timeout in seconds (hours below a day)."""
    days, rest = divmod(int(seconds), 86400)
    if days:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours = max(1, rest // 3600)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


@transaction.atomic
def user_invite(*, invited_by: "User", first_name: str, last_name: str, email: str, organisation: "Organisation",
                language: str = "") -> "User":
    """Create the partner's account, inactive until they set a password, and e-mail the link.

    Inviting again a person who has not accepted yet sends a new link to the same account.
    """
    User = get_user_model()
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first() or User.objects.filter(username__iexact=email).first()
    if user is not None and (user.is_active or user.has_usable_password()):
        raise ValidationError({"email": gettext("An account with this e-mail address already exists. The person "
                                                "can log in, or reset the password from the login page.")})
    if user is not None and (user.is_superuser or user.is_staff
                             or user.groups.exclude(name=roles.PARTNER).exists()):
        # Re-inviting reuses a pending partner account only: accepting the link must never
        # reactivate an account that carries other roles or admin rights.
        raise ValidationError({"email": gettext("This address belongs to a disabled account with other rights; "
                                                "an administrator must deal with it in the admin site.")})
    if user is None:
        user = User(username=email, email=email)
        user.set_unusable_password()
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.organisation = organisation
    # The invitation and the pages after it speak the language the inviter chose for the person.
    user.language = language or user.language
    user.is_active = False
    # The invitation's date: signing in through an identity provider accepts it within INVITATION_TIMEOUT
    # of the latest one (accounts.sso), as the link does.
    user.date_joined = timezone.now()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=roles.PARTNER)[0])
    transaction.on_commit(lambda: send_invitation(user=user, invited_by=invited_by))
    return user
