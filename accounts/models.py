from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person using LCAMP Tracker, working for one organisation of the network.

    What the user may do comes from the role groups (see ``accounts.roles``); what a
    partner may see is limited to its organisation's records. The organisation is
    named by a string, as Django names its own user model: this floor imports no app
    above it.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="The organisation this person works for. Partners see only its records.",
    )

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username
