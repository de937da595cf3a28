"""The one review workflow: approve or reject a submitted ``Reviewable`` record.

MoUs and reported values go through ``review``; the browser and the API call it (an
app may wrap it to add its side effects, e.g. an e-mail, never to repeat its checks).
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import webhook_events
from .models import Reviewable

if TYPE_CHECKING:
    from accounts.models import User

_Record = TypeVar("_Record", bound=Reviewable)


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


SELF_REVIEW_MESSAGE = _("You submitted this yourself, so you cannot approve or reject it: another manager "
                        "reviews it.")


class ReviewRefused(PermissionDenied):
    """The reviewer may not review this record (their role, their organisation, or their own submission)."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)
        self.message = message


def refusal(*, obj: Reviewable, reviewer: "User") -> str | Promise | None:
    """The reason ``reviewer`` may not review ``obj``, or ``None`` when they may."""
    if obj.is_own_submission(reviewer):
        return SELF_REVIEW_MESSAGE
    if not obj.may_be_reviewed_by(reviewer):
        return getattr(obj, "REVIEWER_RULE", None) or _("You may not review this record.")
    return None


def may_review(*, obj: Reviewable, reviewer: "User") -> bool:
    """Whether to offer ``reviewer`` the approve and reject buttons on ``obj``."""
    return obj.status == obj.Status.SUBMITTED and refusal(obj=obj, reviewer=reviewer) is None


@transaction.atomic
def review(*, obj: _Record, reviewer: "User", decision: Decision | str, note: str | None = "",
           confirmations: Iterable[str] = ()) -> _Record:
    """Approve or reject the submitted record ``obj``; return it as saved.

    Raises ``ReviewRefused`` (a PermissionDenied) when ``reviewer`` may not review it -- nobody
    reviews what they submitted themselves -- and ValidationError (field messages) when it is
    no longer submitted, a rejection has no note, or the record is not ready to be approved
    (``check_approvable``, given the reviewer's ``confirmations``). The row is locked, so two
    reviewers deciding at once cannot both win.
    """
    decision = Decision(decision)
    note = (note or "").strip()
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    reason = refusal(obj=obj, reviewer=reviewer)
    if reason:
        raise ReviewRefused(reason)
    if obj.status != obj.Status.SUBMITTED:
        if decision == Decision.APPROVE:
            message = gettext("Only a submitted %(kind)s can be approved; this one is %(status)s.")
        else:
            message = gettext("Only a submitted %(kind)s can be rejected; this one is %(status)s.")
        raise ValidationError({"status": message % {"kind": obj._meta.verbose_name,
                                                    "status": obj.get_status_display().lower()}})
    if decision == Decision.REJECT and not note:
        raise ValidationError({"review_note": gettext("Give the reason for the rejection: the submitter will read it.")})
    if decision == Decision.APPROVE:
        obj.check_approvable(set(confirmations))
    obj.status = obj.Status.APPROVED if decision == Decision.APPROVE else obj.Status.REJECTED
    obj.reviewed_by = reviewer
    obj.reviewed_at = timezone.now()
    obj.review_note = note
    obj.version += 1  # type: ignore[attr-defined]  # every reviewable record is a TrackedModel (MoU, Report)
    obj._history_user = reviewer  # type: ignore[attr-defined]  # simple_history reads it: the change's author

    obj.save()
    webhook_events.emit(webhook_events.Event.SUBMISSION_DECIDED, _decision_data(obj, reviewer))
    return obj


def _decision_data(obj: Reviewable, reviewer: "User") -> dict[str, Any]:
    """What a webhook says of a decision: the record, the decision, and who took it when."""
    data = {"record": {"type": obj._meta.label_lower, "id": obj.pk, "title": str(obj)},
            "decision": obj.status, "note": obj.review_note, "reviewed_at": obj.reviewed_at,
            "reviewed_by": reviewer.get_username()}
    for name in ("register", "kind"):  # a partner's submission: the register and the record it is about
        if hasattr(obj, name):
            data[name] = getattr(obj, name)
    if hasattr(obj, "object_id"):
        data["record_id"] = obj.object_id
    return data
