"""The Alliance, its cooperation projects and the MoUs with external organisations."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from organisations.models import Organisation
from registers.models import TrackedModel
from registers.storage import private_storage


class AllianceMemberQuerySet(models.QuerySet):
    def active_on(self, on):
        """Memberships that began on or before ``on`` and have not ended on or before it."""
        return self.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))

    def overlapping(self, organisation_id, joined_on, left_on, exclude_pk=None):
        """Memberships of the organisation whose period meets [joined_on, left_on)."""
        qs = self.filter(organisation_id=organisation_id).filter(Q(left_on__isnull=True) | Q(left_on__gt=joined_on))
        if left_on is not None:
            qs = qs.filter(joined_on__lt=left_on)
        if exclude_pk:
            qs = qs.exclude(pk=exclude_pk)
        return qs


# --- Membership rules: one copy, called by AllianceMember.clean() and by the bulk import ---------


def membership_period_error(joined_on, left_on):
    """The message when a membership would end before it began, else None."""
    if joined_on and left_on and left_on < joined_on:
        return "The membership cannot end before it began."
    return None


def periods_overlap(joined_on, left_on, other_joined_on, other_left_on):
    """Whether [joined_on, left_on) meets [other_joined_on, other_left_on) (None: still open).

    The same condition as ``AllianceMemberQuerySet.overlapping`` and the PostgreSQL
    exclusion constraint, for periods already in memory (a file being imported).
    """
    return (other_left_on is None or other_left_on > joined_on) and (left_on is None or other_joined_on < left_on)


def membership_overlap_error(name, clash_joined_on):
    return f"{name} is already a member in this period (since {clash_joined_on})."


class AllianceMember(TrackedModel):
    """A period of membership of an organisation in the LCAMP Alliance.

    An organisation that leaves and rejoins has two rows; the indicator counts
    distinct organisations, so it still counts once.
    """

    class Category(models.TextChoices):
        VET = "vet", "VET centres"
        RESEARCH = "research", "Research centres and universities of applied sciences"
        BUSINESS = "business", "Businesses and SMEs"
        POLICY = "policy", "Policymakers"
        INTERNATIONAL = "international", "International organisations"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    category = models.CharField(max_length=20, choices=Category.choices)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True,
                               help_text="Leave empty while the organisation is a member. The day it stopped.")
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = AllianceMemberQuerySet.as_manager()

    class Meta:
        ordering = ["-joined_on", "id"]
        # The indicator page lists the latest records by this date: read from the index's end.
        indexes = [models.Index(fields=["joined_on", "id"], name="member_joined_on_id")]
        constraints = [
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                                   name="member_left_not_before_joined"),
        ]

    def __str__(self):
        return f"{self.organisation} since {self.joined_on}"

    def is_active_on(self, on):
        return self.joined_on <= on and (self.left_on is None or self.left_on > on)

    def clean(self):
        period_error = membership_period_error(self.joined_on, self.left_on)
        if period_error:
            raise ValidationError({"left_on": period_error})
        if self.organisation_id and self.joined_on:
            clash = AllianceMember.objects.overlapping(self.organisation_id, self.joined_on, self.left_on,
                                                       exclude_pk=self.pk).first()
            if clash:
                raise ValidationError({"joined_on": membership_overlap_error(self.organisation.name, clash.joined_on)})


class CooperationProject(TrackedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ONGOING = "ongoing", "Ongoing"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    lead_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_projects")
    participants = models.ManyToManyField(Organisation, related_name="cooperation_projects",
                                          help_text="At least two organisations, all alliance members when it starts.")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ONGOING)
    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        ordering = ["-started_on", "id"]
        # The indicator page lists the latest records by this date: read from the index's end.
        indexes = [models.Index(fields=["started_on", "id"], name="coop_started_on_id")]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="coop_ended_not_before_started"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "A project cannot end before it starts."})

    @staticmethod
    def validate_participants(participants, started_on):
        """Raise ValidationError unless there are two or more participants, all members on ``started_on``."""
        participants = list(participants)
        if len({p.pk for p in participants}) < 2:
            raise ValidationError({"participants": "A cooperation project needs at least two participating "
                                                   "organisations."})
        if started_on:
            ids = [p.pk for p in participants]
            members = set(AllianceMember.objects.active_on(started_on).filter(organisation_id__in=ids)
                          .values_list("organisation_id", flat=True))
            outsiders = [p.name for p in participants if p.pk not in members]
            if outsiders:
                raise ValidationError({"participants": "Not alliance members on the start date: "
                                                       + ", ".join(sorted(outsiders)) + "."})


def mou_document_path(instance, filename):
    """A generated name: the user's file name never reaches the disk."""
    return f"mous/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class MoUQuerySet(models.QuerySet):
    def countable(self):
        return self.filter(status=MoU.Status.APPROVED)

    def with_duplicate_flag(self):
        """Annotate ``has_possible_duplicate``: another MoU, not withdrawn, with the same counterpart
        and signing date exists (the rule of ``MoU.possible_duplicates``, in one query)."""
        others = MoU.objects.filter(counterpart_id=models.OuterRef("counterpart_id"),
                                    signed_on=models.OuterRef("signed_on")).exclude(
            pk=models.OuterRef("pk")).exclude(status=MoU.Status.WITHDRAWN)
        return self.annotate(has_possible_duplicate=models.Exists(others))

    def visible_to(self, user):
        from accounts import roles

        if roles.can_view_registers(user):
            return self
        if roles.is_partner(user) and user.organisation_id:
            return self.filter(partner_organisation_id=user.organisation_id)
        return self.none()


class MoU(TrackedModel):
    """A memorandum of understanding between a network organisation and an external one."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    counterpart = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="mous_as_counterpart",
                                    help_text="The external organisation the MoU is signed with.")
    partner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="mous_brought",
                                             help_text="The network organisation that brings the MoU.")
    title = models.CharField(max_length=255)
    scope = models.TextField(help_text="Scope and areas of cooperation.")
    areas = models.CharField("areas of cooperation", max_length=500, blank=True)
    signed_on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    signatories = models.TextField(help_text="Names and roles of the people who signed, one a line.")
    document = models.FileField(upload_to=mou_document_path, storage=private_storage, max_length=255, blank=True)
    document_name = models.CharField(max_length=255, blank=True, help_text="The file name as uploaded (shown only).")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="mous_submitted")
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="mous_reviewed")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    history = HistoricalRecords(excluded_fields=["document"])

    objects = MoUQuerySet.as_manager()

    class Meta:
        verbose_name = "MoU"
        verbose_name_plural = "MoUs"
        ordering = ["-submitted_at", "-id"]
        # The indicator page lists the latest records by this date: read from the index's end.
        indexes = [models.Index(fields=["signed_on", "id"], name="mou_signed_on_id"),
                   models.Index(fields=["submitted_at", "id"], name="mou_submitted_at_id")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("signed_on")),
                                   name="mou_valid_until_after_signed_on"),
        ]

    def __str__(self):
        return self.title

    def is_countable(self):
        return self.status == self.Status.APPROVED

    def possible_duplicates(self):
        return MoU.objects.filter(counterpart_id=self.counterpart_id, signed_on=self.signed_on).exclude(
            pk=self.pk).exclude(status=self.Status.WITHDRAWN)

    @property
    def document_filename(self):
        return self.document_name or (Path(self.document.name).name if self.document else "")

    def clean(self):
        errors = {}
        if self.signed_on and self.signed_on > timezone.localdate():
            errors["signed_on"] = "The signing date cannot be in the future."
        if self.signed_on and self.valid_until and self.valid_until <= self.signed_on:
            errors["valid_until"] = "Valid until must be after the signing date."
        if self.counterpart_id and self.counterpart_id == self.partner_organisation_id:
            errors["counterpart"] = "The counterpart must be another organisation than the one bringing the MoU."
        if errors:
            raise ValidationError(errors)

