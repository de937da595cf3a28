"""Writes that span models or have side effects. Views, forms, serializers and tasks call these."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import MoU


@transaction.atomic
def mou_approve(*, mou, reviewer, note=""):
    """A manager approves a submitted MoU; from then on it counts."""
    mou = MoU.objects.select_for_update().get(pk=mou.pk)
    if mou.status != MoU.Status.SUBMITTED:
        raise ValidationError({"status": f"Only a submitted MoU can be approved; this one is {mou.get_status_display().lower()}."})
    mou.status = MoU.Status.APPROVED
    mou.reviewed_by = reviewer
    mou.reviewed_at = timezone.now()
    mou.review_note = note
    mou.version += 1
    mou.save()
    return mou


@transaction.atomic
def mou_reject(*, mou, reviewer, note):
    """A manager rejects a submitted MoU, with the reason the partner will read."""
    if not (note or "").strip():
        raise ValidationError({"review_note": "Give the reason for the rejection: the partner will read it."})
    mou = MoU.objects.select_for_update().get(pk=mou.pk)
    if mou.status != MoU.Status.SUBMITTED:
        raise ValidationError({"status": f"Only a submitted MoU can be rejected; this one is {mou.get_status_display().lower()}."})
    mou.status = MoU.Status.REJECTED
    mou.reviewed_by = reviewer
    mou.reviewed_at = timezone.now()
    mou.review_note = note.strip()
    mou.version += 1
    mou.save()
    return mou


@transaction.atomic
def mou_withdraw(*, mou, user):
    """The partner withdraws its MoU while it is still waiting for review."""
    mou = MoU.objects.select_for_update().get(pk=mou.pk)
    if mou.status != MoU.Status.SUBMITTED:
        raise ValidationError({"status": "Only a submitted MoU can be withdrawn."})
    mou.status = MoU.Status.WITHDRAWN
    mou.version += 1
    mou.save()
    return mou
