"""Writes on accounts: API tokens, the chosen language."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from .models import User


def token_create(*, user: User) -> Token:
    """A new API token for the user, replacing any earlier one (which stops working at once)."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def token_revoke(*, user: User) -> bool:
    """Revoke the user's API token; returns whether there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)


def account_set_language(*, user: User, language: str) -> None:
    """Save the language the person chose (pages and e-mails); "" means the browser's."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
