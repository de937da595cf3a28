"""Writes that span models or have side effects. Views, forms, serializers and tasks call these."""

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import roles
from organisations.models import Organisation
from registers import l10n, reviews, uploads, validators
from registers.models import Approval
from registers.records import record_create, record_create_or_save, record_save

from . import tasks
from .models import AllianceMember, CooperationProject, MoU

if TYPE_CHECKING:
    from accounts.models import User


def mou_review(*, mou: MoU, reviewer: "User", decision: reviews.Decision | str, note: str = "",
               not_duplicate: bool = False) -> MoU:
    """Approve or reject a submitted MoU through the one review workflow, then tell the partner.

    ``registers.reviews.review`` holds every rule (nobody reviews their own submission, a
    rejection has a reason, an MoU is approved with its document and, if it may be a
    duplicate, only with ``not_duplicate`` confirmed); this adds the partner's e-mail.
    """
    confirmations: set[str] = {MoU.NOT_DUPLICATE} if not_duplicate else set()
    with transaction.atomic():
        mou = reviews.review(obj=mou, reviewer=reviewer, decision=decision, note=note, confirmations=confirmations)
        counterpart = mou.counterpart
        if mou.status == MoU.Status.APPROVED and counterpart is not None and counterpart.proposed_by_id:
            counterpart.proposed_by = None  # approved: a counterpart every partner may now find
            counterpart.save(update_fields=["proposed_by"])
        transaction.on_commit(lambda: tasks.notify_partner_of_decision.delay(mou.pk))
    return mou


@transaction.atomic
def mou_withdraw(*, mou: MoU, user: "User") -> MoU:
    """The partner withdraws its MoU while it is still waiting for review."""
    mou = MoU.objects.select_for_update().get(pk=mou.pk)
    if mou.status != MoU.Status.SUBMITTED:
        raise ValidationError({"status": _("Only a submitted MoU can be withdrawn.")})
    mou.status = MoU.Status.WITHDRAWN
    mou.version += 1
    mou.save()
    return mou


def mou_submissions_left(*, user: "User") -> int:
    """How many more MoUs ``user`` may submit in the current hour (MOU_SUBMISSIONS_PER_HOUR)."""
    since = timezone.now() - datetime.timedelta(hours=1)
    recent = MoU.objects.filter(submitted_by=user, submitted_at__gte=since).count()
    return max(0, settings.MOU_SUBMISSIONS_PER_HOUR - recent)


MOU_RATE_LIMIT_MESSAGE = _("You have submitted {limit} MoUs in the last hour, the most allowed. "
                           "Please wait a while before submitting another one.")


def mou_counterpart_match(*, name: str | None, country: str) -> Organisation | None:
    """The registered organisation with this name (any case) in this country, if there is one."""
    return Organisation.objects.filter(name__iexact=(name or "").strip(), country=country).first()


class DuplicateMoU(ValidationError):
    """The same MoU (partner, counterpart, signing date, title) is already registered: ``existing``."""

    def __init__(self, existing: MoU) -> None:
        self.existing = existing
        super().__init__({"title": [
            gettext("This MoU is already registered (“%(title)s”, %(status)s): see %(url)s. It was not registered "
                    "a second time.") % {"title": existing.title, "status": existing.get_status_display().lower(),
                                         "url": reverse("alliance:mou-detail", args=[existing.pk])}]},
            code="duplicate")


def _replayed(*, user: "User", key: str) -> MoU | None:
    """The MoU this person already submitted with this one-time key, if any."""
    if not key:
        return None
    mou = MoU.objects.filter(submitted_by=user, idempotency_key=key).first()
    if mou is not None:
        mou.replayed = True  # type: ignore[attr-defined]  # tells the caller it is the first submission's MoU
    return mou


def mou_already_submitted(*, user: "User", key: str | None) -> bool:
    """Whether ``user`` already submitted an MoU with this one-time key (a resent form is not a new one)."""
    return _replayed(user=user, key=(key or "").strip()[:64]) is not None


def _counterpart_found_or_made(fields: Mapping[str, Any], *, proposed_by: Organisation) -> Organisation:
    """The organisation of the same name and country as ``fields``, or a new one made from them,
    confidential to ``proposed_by`` until the MoU is approved (``Organisation.visible_to``)."""
    found = mou_counterpart_match(name=fields["name"], country=fields["country"])
    if found is not None:
        return found
    counterpart = Organisation(**{**fields, "name": fields["name"].strip()}, proposed_by=proposed_by)
    counterpart.full_clean()
    counterpart.save()
    return counterpart


def mou_submit(*, user: "User", partner_organisation: Organisation, data: Mapping[str, Any],
               document: "UploadedFile[bytes]", counterpart: Organisation | None = None,
               new_counterpart: Mapping[str, Any] | None = None, idempotency_key: str | None = "") -> MoU:
    """Register an MoU submitted for review, with its PDF, and tell the managers: the only way an MoU is made.

    ``data`` holds the MoU's own fields (title, scope, areas, signed_on, valid_until,
    signatories); the counterpart is an Organisation or ``new_counterpart``, the
    fields of one to create (name, kind, country, region, website) -- an existing
    organisation of the same name and country is used instead of a duplicate. The
    document is checked before anything is written; the file is stored under a
    generated name and removed again if the database write fails.

    Idempotent: a second call by the same person with the same ``idempotency_key`` (the
    form's one-time token, the API's Idempotency-Key header) returns the first MoU, marked
    ``replayed``. An exact duplicate (same partner, counterpart, signing date and title) is
    refused with ``DuplicateMoU``. Submissions for one partner organisation are serialised
    by locking its row, so five concurrent submissions of the same MoU make one.
    """
    if roles.is_partner(user) and not roles.is_partner_editor(user):
        raise PermissionDenied(gettext("A partner viewer reads its organisation's MoUs; a partner editor submits them."))
    idempotency_key = (idempotency_key or "").strip()[:64]
    replayed = _replayed(user=user, key=idempotency_key)
    if replayed:
        return replayed
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
            list(Organisation.objects.select_for_update().filter(pk=partner_organisation.pk).values_list("pk"))
            replayed = _replayed(user=user, key=idempotency_key)
            if replayed:
                return replayed
            if counterpart is None:
                assert new_counterpart  # checked above: one or the other is given
                counterpart = _counterpart_found_or_made(new_counterpart, proposed_by=partner_organisation)
            mou = MoU(**data, counterpart=counterpart, partner_organisation=partner_organisation,
                      status=MoU.Status.SUBMITTED, submitted_by=user, submitted_at=timezone.now(),
                      document_name=uploads.display_filename(document.name), idempotency_key=idempotency_key)
            mou.full_clean(exclude=["document"])
            existing = mou.exact_duplicate()
            if existing:
                raise DuplicateMoU(existing)
            # The name given here is ignored: MoU.document's upload_to generates one.
            mou.document.save("document.pdf", document, save=False)
            storage_name = mou.document.name
            mou.save()
            transaction.on_commit(lambda: tasks.notify_managers_of_submission.delay(mou.pk))
    except BaseException:
        if storage_name:
            mou.document.storage.delete(storage_name)
        raise
    mou.replayed = False  # type: ignore[attr-defined]  # see _replayed
    return mou


# --- Registers: alliance members and cooperation projects ----------------------


@transaction.atomic
def member_create(*, organisation: Organisation, category: str, joined_on: datetime.date,
                  left_on: datetime.date | None = None, note: str = "", user: "User | None" = None,
                  approval: str = Approval.APPROVED) -> AllianceMember:
    """Add a membership of ``organisation`` in the Alliance from ``joined_on`` (to ``left_on``, for
    a past membership imported); return the member.

    ``organisation`` may be a new, unsaved Organisation (typed into the member form): it is
    validated and saved in the same transaction. Adds for the same organisation are
    serialised by locking its row, so two concurrent adds cannot both pass the overlap
    check. Raises ValidationError (field messages) for invalid input. ``approval``: submitted for a
    partner editor's membership (``registers.submissions.prepare_write``), which counts once approved.
    """
    if organisation.pk is None:
        record_create(instance=organisation, user=user)
    else:
        list(Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk"))
    member = AllianceMember(organisation=organisation, category=category, joined_on=joined_on, left_on=left_on,
                            note=note, approval=approval)
    return record_create(instance=member, user=user)


@transaction.atomic
def member_withdraw(*, member: AllianceMember, left_on: datetime.date | None, user: "User | None" = None,
                    expected_version: int | None = None) -> AllianceMember:
    """End a membership on ``left_on`` (the day it stopped): from then on it is not counted.

    A withdrawn member is never deleted: the indicator's history on earlier dates still counts it.
    """
    saved = AllianceMember.objects.filter(pk=member.pk).values_list("left_on", flat=True).first()
    if saved is not None:
        raise ValidationError({"left_on": _("This membership already ended on %(date)s.") % {
            "date": l10n.short_date(saved)}})
    if not left_on:
        raise ValidationError({"left_on": _("Give the day the organisation left the Alliance.")})
    try:
        validators.validate_not_in_future(left_on)
    except ValidationError as error:
        raise ValidationError({"left_on": error.messages}) from error
    member.left_on = left_on
    return record_save(instance=member, user=user, expected_version=expected_version)


@transaction.atomic
def cooperation_project_save(*, instance: CooperationProject, participants: Iterable[Organisation],
                             user: "User | None" = None, expected_version: int | None = None) -> CooperationProject:
    """Create (no pk) or update a cooperation project with its participants; return it.

    The lead organisation is always a participant. The participants are checked with
    ``CooperationProject.validate_participants`` (two or more, all alliance members on the
    start date). An update is refused with ``StaleEdit`` when ``expected_version`` is stale.
    """
    by_pk = {p.pk: p for p in participants}
    if instance.lead_organisation_id and instance.lead_organisation_id not in by_pk:
        by_pk[instance.lead_organisation_id] = instance.lead_organisation
    organisations = list(by_pk.values())
    CooperationProject.validate_participants(organisations, instance.started_on)
    return record_create_or_save(instance=instance, user=user, m2m={"participants": organisations},
                                 expected_version=expected_version)


@transaction.atomic
def cooperation_project_change_status(*, instance: CooperationProject, user: "User | None" = None,
                                      expected_version: int | None = None) -> CooperationProject:

    """Save a status change (cancelled with its date) made in the status form; the participants stay.

    The participants are not checked again here: a membership corrected since the project was
    registered does not block its cancellation; the measure applies the membership rule itself.
    """
    return record_save(instance=instance, user=user, expected_version=expected_version)
