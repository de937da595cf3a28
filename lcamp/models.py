from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person using LCAMP Tracker, working for one organisation of the network.

    What the user may do comes from the role groups (see ``lcamp.roles``); what a
    partner may see is limited to its organisation's records.
    """

    organisation = models.ForeignKey(
        "alliance.Organisation",
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


class TrackedModel(models.Model):
    """Common columns of the register records.

    ``version`` grows by one on every save through a service; a form carries the
    version it was read at, so that a stale edit is refused instead of silently
    overwriting somebody else's change. ``is_demo`` marks records made by
    ``demo_data``.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    is_demo = models.BooleanField(default=False, editable=False, db_index=True)

    class Meta:
        abstract = True
