"""Writes that span models or have side effects. Views, forms, serializers and tasks call these."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from registers import uploads
from registers.engine import record_create, record_save

from . import tasks
from .models import AllianceMember, CooperationProject, MoU


@transaction.atomic
def mou_approve(*, mou, reviewer, note=""):
    """A manager approves a submitted MoU; from then on it counts."""
    mou = MoU.objects.select_for_update().get(pk=mou.pk)
    if mou.status != MoU.Status.SUBMITTED:
        raise ValidationError({"status": _("Only a submitted MoU can be approved; this one is %(status)s.") % {
            "status": mou.get_status_display().lower()}})
    mou.status = MoU.Status.APPROVED
    mou.reviewed_by = reviewer
    mou.reviewed_at = timezone.now()
    mou.review_note = note
    mou.version += 1
    mou.save()
    transaction.on_commit(lambda: tasks.notify_partner_of_decision.delay(mou.pk))
    return mou


@transaction.atomic
def mou_reject(*, mou, reviewer, note):
    """A manager rejects a submitted MoU, with the reason the partner will read."""
    if not (note or "").strip():
        raise ValidationError({"review_note": _("Give the reason for the rejection: the partner will read it.")})
    mou = MoU.objects.select_for_update().get(pk=mou.pk)
    if mou.status != MoU.Status.SUBMITTED:
        raise ValidationError({"status": _("Only a submitted MoU can be rejected; this one is %(status)s.") % {
            "status": mou.get_status_display().lower()}})
    mou.status = MoU.Status.REJECTED
    mou.reviewed_by = reviewer
    mou.reviewed_at = timezone.now()
    mou.review_note = note.strip()
    mou.version += 1
    mou.save()
    transaction.on_commit(lambda: tasks.notify_partner_of_decision.delay(mou.pk))
    return mou


@transaction.atomic
def mou_withdraw(*, mou, user):
    """The partner withdraws its MoU while it is still waiting for review."""
    mou = MoU.objects.select_for_update().get(pk=mou.pk)
    if mou.status != MoU.Status.SUBMITTED:
        raise ValidationError({"status": _("Only a submitted MoU can be withdrawn.")})
    mou.status = MoU.Status.WITHDRAWN
    mou.version += 1
    mou.save()
    return mou


def mou_submissions_left(*, user):
    """How many more MoUs ``user`` may submit in the current hour (MOU_SUBMISSIONS_PER_HOUR)."""
    since = timezone.now() - datetime.timedelta(hours=1)
    recent = MoU.objects.filter(submitted_by=user, submitted_at__gte=since).count()
    return max(0, settings.MOU_SUBMISSIONS_PER_HOUR - recent)


MOU_RATE_LIMIT_MESSAGE = _("You have submitted {limit} MoUs in the last hour, the most allowed. "
                           "Please wait a while before submitting another one.")


def mou_counterpart_match(*, name, country):
    """The registered organisation with this name (any case) in this country, if there is one."""
    return Organisation.objects.filter(name__iexact=(name or "").strip(), country=country).first()


def mou_submit(*, user, partner_organisation, data, document, counterpart=None, new_counterpart=None):
    """Register an MoU submitted for review, with its PDF, and tell the managers.

    ``data`` holds the MoU's own fields (title, scope, areas, signed_on, valid_until,
    signatories); the counterpart is an Organisation or ``new_counterpart``, the
    fields of one to create (name, kind, country, region, website) -- an existing
    organisation of the same name and country is used instead of a duplicate. The
    document is checked before anything is written; the file is stored under a
    generated name and removed again if the database write fails.
    """
    if mou_submissions_left(user=user) <= 0:
        raise ValidationError(MOU_RATE_LIMIT_MESSAGE.format(limit=settings.MOU_SUBMISSIONS_PER_HOUR),
                              code="rate_limited")
    try:
        uploads.validate_pdf(document)
    except ValidationError as error:
        raise ValidationError({"document": error.messages}) from error
    if counterpart is None and not new_counterpart:
        raise ValidationError({"counterpart": _("Pick the counterpart organisation or enter a new one.")})

    storage_name = None
    try:
        with transaction.atomic():
            if counterpart is None:
                counterpart = mou_counterpart_match(name=new_counterpart["name"], country=new_counterpart["country"])
            if counterpart is None:
                counterpart = Organisation(**{**new_counterpart, "name": new_counterpart["name"].strip()})
                counterpart.full_clean()
                counterpart.save()
            mou = MoU(**data, counterpart=counterpart, partner_organisation=partner_organisation,
                      status=MoU.Status.SUBMITTED, submitted_by=user, submitted_at=timezone.now(),
                      document_name=uploads.display_filename(document.name))
            mou.full_clean(exclude=["document"])
            # The name given here is ignored: MoU.document's upload_to generates one.
            mou.document.save("document.pdf", document, save=False)
            storage_name = mou.document.name
            mou.save()
            transaction.on_commit(lambda: tasks.notify_managers_of_submission.delay(mou.pk))
    except BaseException:
        if storage_name:
            mou.document.storage.delete(storage_name)
        raise
    return mou


# --- Registers: alliance members and cooperation projects ----------------------


@transaction.atomic
def member_create(*, organisation, category, joined_on, note="", user=None):
    """Add a membership of ``organisation`` in the Alliance from ``joined_on``; return the member.

    ``organisation`` may be a new, unsaved Organisation (typed into the member form): it is
    validated and saved in the same transaction. Adds for the same organisation are
    serialised by locking its row, so two concurrent adds cannot both pass the overlap
    check. Raises ValidationError (field messages) for invalid input.
    """
    if organisation.pk is None:
        record_create(instance=organisation, user=user)
    else:
        list(Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk"))
    member = AllianceMember(organisation=organisation, category=category, joined_on=joined_on, note=note)
    return record_create(instance=member, user=user)


@transaction.atomic
def member_withdraw(*, member, left_on, user=None, expected_version=None):
    """End a membership on ``left_on`` (the day it stopped): from then on it is not counted.

    A withdrawn member is never deleted: the indicator's history on earlier dates still counts it.
    """
    saved = AllianceMember.objects.filter(pk=member.pk).values_list("left_on", flat=True).first()
    if saved is not None:
        raise ValidationError({"left_on": _("This membership already ended on %(date)s.") % {
            "date": f"{saved:%Y-%m-%d}"}})
    if not left_on:
        raise ValidationError({"left_on": _("Give the day the organisation left the Alliance.")})
    member.left_on = left_on
    return record_save(instance=member, user=user,
                       expected_version=member.version if expected_version is None else expected_version)


@transaction.atomic
def cooperation_project_save(*, instance, participants, user=None, expected_version=None):
    """Create (no pk) or update a cooperation project with its participants; return it.

    The lead organisation is always a participant. The participants are checked with
    ``CooperationProject.validate_participants`` (two or more, all alliance members on the
    start date). An update is refused with ``StaleEdit`` when ``expected_version`` is stale.
    """
    participants = {p.pk: p for p in participants}
    if instance.lead_organisation_id and instance.lead_organisation_id not in participants:
        participants[instance.lead_organisation_id] = instance.lead_organisation
    participants = list(participants.values())
    CooperationProject.validate_participants(participants, instance.started_on)
    if instance.pk is None:
        return record_create(instance=instance, user=user, m2m={"participants": participants})
    return record_save(instance=instance, user=user, m2m={"participants": participants},
                       expected_version=instance.version if expected_version is None else expected_version)
