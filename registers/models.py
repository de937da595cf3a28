from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles


class TrackedModel(models.Model):
    """Common columns of the register records.

    ``version`` grows by one on every save through a service; a form carries the
    version it was read at, so that a stale edit is refused instead of silently
    overwriting somebody else's change. ``is_demo`` marks records made by
    ``demo_data``.
    """

    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("version"))
    is_demo = models.BooleanField(default=False, editable=False, db_index=True, verbose_name=_("is demo"))

    class Meta:
        abstract = True


class Reviewable(models.Model):
    """A record somebody submits and a manager approves or rejects (MoUs, reported values).

    The workflow is ``registers.reviews.review``, the same for every reviewable. A model
    says who may review it (``may_be_reviewed_by``) and what must hold before it is
    approved (``check_approvable``); nobody reviews what they submitted themselves.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="%(class)ss_submitted", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(default=timezone.now, verbose_name=_("submitted at"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="%(class)ss_reviewed", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    review_note = models.TextField(_("reviewer's note"), blank=True)

    class Meta:
        abstract = True

    def may_be_reviewed_by(self, user):
        """Whether ``user``'s role lets them review this record (self-review is refused apart)."""
        return roles.can_review(user)

    def is_own_submission(self, user):
        return self.submitted_by_id is not None and self.submitted_by_id == user.pk

    def check_approvable(self, confirmations):
        """Raise ValidationError (field messages) if this record may not be approved yet."""
