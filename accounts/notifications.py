"""The kinds of e-mail LCAMP Tracker sends, and each person's opt-outs."""

from django.utils.translation import gettext_lazy as _

from .models import NotificationOptOut

PERIOD_DUE = "period_due"
REVIEW_WAITING = "review_waiting"
STATUS_DIGEST = "status_digest"

KINDS = {
    PERIOD_DUE: _("A reporting period ends soon and indicators lack a narrative (managers)"),
    REVIEW_WAITING: _("MoUs or reported values have waited for review too long (managers)"),
    STATUS_DIGEST: _("Weekly digest of indicators whose status changed (staff and managers)"),
}


def opted_out(user, kind):
    return NotificationOptOut.objects.filter(user=user, kind=kind).exists()


def opted_out_user_ids(kind):
    return set(NotificationOptOut.objects.filter(kind=kind).values_list("user_id", flat=True))


def opt_outs_set(*, user, kinds):
    """Replace the user's opt-outs by ``kinds`` (unknown kinds are ignored)."""
    kinds = {kind for kind in kinds if kind in KINDS}
    NotificationOptOut.objects.filter(user=user).exclude(kind__in=kinds).delete()
    for kind in kinds:
        NotificationOptOut.objects.get_or_create(user=user, kind=kind)
