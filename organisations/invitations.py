"""Partner accounts by invitation.

A manager enters a name, an e-mail address and an organisation; the account is
created inactive with the partner role, and the person receives a link that lets
them choose a password once, within ``INVITATION_TIMEOUT`` (7 days). The link is a
``TimestampSigner`` signature over the user's id and a fingerprint of the account's
state (password hash, active flag, last login): setting the password changes that
state, so a used link no longer matches and says it was used.
"""

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.emails import send_in_language
from registers.forms import add_errors
from registers.pickers import use_pickers

if TYPE_CHECKING:
    from accounts.models import User
    from organisations.models import Organisation

    class AuthenticatedRequest(HttpRequest):
        """A request past ``login_required``: its user is signed in."""

        user: User

SALT = "organisations.invitations"


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
    context = {"user": user, "invited_by": invited_by, "link": invitation_link(user), "valid_for": valid_for}
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
    user.save()
    user.groups.add(Group.objects.get_or_create(name=roles.PARTNER)[0])
    transaction.on_commit(lambda: send_invitation(user=user, invited_by=invited_by))
    return user


# --- Forms and views -------------------------------------------------------------

class InvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"), max_length=150,
                             help_text=_("The invitation goes here; it is also the username to log in with."))
    organisation: "forms.ModelChoiceField[Organisation]" = forms.ModelChoiceField(label=_("Organisation"), queryset=None,
                                          help_text=_("The network organisation the person works for. "
                                                      "They will see and submit its MoUs only."))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False,
                                 help_text=_("The language of the invitation e-mail and of the pages for this person."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from organisations.models import Organisation

        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"]).queryset = Organisation.objects.order_by("-is_consortium_partner", "name")
        self.fields["language"].initial = translation.get_language()
        use_pickers(self)  # a search field: a deployment may hold a hundred thousand organisations


@login_required
def invite(request: "AuthenticatedRequest") -> HttpResponse:
    if not roles.can_review(request.user):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_invite(invited_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, gettext("The invitation was sent to %(email)s. The link works once, for "
                                              "%(valid_for)s.") % {
                "email": user.email, "valid_for": timeuntil_days(settings.INVITATION_TIMEOUT)})
            return redirect("invite")
    status = 400 if form.is_bound else 200
    return render(request, "registration/invite_form.html", {"form": form}, status=status)


INVALID_STATUS = {"tampered": 400, "expired": 410, "used": 410}


def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = user_for_token(token)
    except InvitationInvalid as error:
        return render(request, "registration/invite_invalid.html", {"reason": error.reason},
                      status=INVALID_STATUS[error.reason])
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.is_active = True
            user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, gettext("Welcome to LCAMP Tracker. Your password is set; from here you submit "
                                          "and follow your organisation's MoUs."))
        return redirect(settings.PARTNER_HOME_URL_NAME)
    return render(request, "registration/invite_accept.html", {"form": form, "invited_user": user},
                  status=400 if form.is_bound else 200)
