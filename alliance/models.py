"""The Alliance, its cooperation projects and the MoUs with external organisations."""

import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.models import Organisation
from registers import l10n
from registers.constraints import not_before
from registers.models import (
    Approval,
    CancellablePeriod,
    Reviewable,
    TrackedModel,
    Validated,
    event_date_indexes,
)
from registers.storage import private_storage
from registers.validators import ends_after, validate_event_date, validate_not_in_future


def alliance_lead_id():
    """The organisation leading the Alliance, as set on the project (None when none is)."""
    from indicators.models import Project

    return Project.objects.order_by("pk").values_list("lead_organisation_id", flat=True).first()


def alliance_lead():
    """``alliance_lead_id`` as an expression of a query (read by the database when the query runs)."""
    from indicators.models import Project

    return models.Subquery(Project.objects.order_by("pk").values("lead_organisation_id")[:1],
                           output_field=models.IntegerField())


class AllianceMemberQuerySet(models.QuerySet):
    def active_on(self, on):
        """Memberships that began on or before ``on`` and have not ended on or before it."""
        return self.countable().filter(joined_on__lte=on).filter(ends_after("left_on", on))

    def countable(self):
        """Approved memberships: a partner's submitted one counts once a coordinator approves it."""
        return self.filter(approval=Approval.APPROVED)

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
        return gettext("The membership cannot end before it began.")
    return None


def periods_overlap(joined_on, left_on, other_joined_on, other_left_on):
    """Whether [joined_on, left_on) meets [other_joined_on, other_left_on) (None: still open).

    The same condition as ``AllianceMemberQuerySet.overlapping`` and the PostgreSQL
    exclusion constraint, for periods already in memory (a file being imported).
    """
    return (other_left_on is None or other_left_on > joined_on) and (left_on is None or other_joined_on < left_on)


def membership_overlap_error(name, clash_joined_on):
    return gettext("%(name)s is already a member in this period (since %(date)s).") % {
        "name": name, "date": l10n.short_date(clash_joined_on)}


class AllianceMember(Validated, TrackedModel):
    """A period of membership of an organisation in the LCAMP Alliance.

    An organisation that leaves and rejoins has two rows; the indicator counts
    distinct organisations, so it still counts once.
    """

    class Category(models.TextChoices):
        VET = "vet", _("VET centres")
        RESEARCH = "research", _("Research centres and universities of applied sciences")
        BUSINESS = "business", _("Businesses and SMEs")
        POLICY = "policy", _("Policymakers")
        INTERNATIONAL = "international", _("International organisations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation"))
    category = models.CharField(max_length=20, choices=Category.choices, verbose_name=_("category"))
    joined_on = models.DateField(validators=[validate_event_date], verbose_name=_("joined on"))
    left_on = models.DateField(null=True, blank=True, validators=[validate_event_date],
                               help_text=_("Leave empty while the organisation is a member. The day it stopped."), verbose_name=_("left on"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    history = HistoricalRecords()

    objects = AllianceMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("alliance member")
        verbose_name_plural = _("alliance members")
        ordering = ["-joined_on", "id"]
        indexes = event_date_indexes("member", "joined_on", "left_on")
        constraints = [not_before("left_on", "joined_on", name="member_left_not_before_joined")]

    def __str__(self):
        return f"{self.organisation} since {self.joined_on}"

    @classmethod
    def owner_expression(cls):
        """Every membership is the Alliance lead's (the organisation set as such on the project)."""
        return alliance_lead()

    def owner_of(self, m2m=None):
        return alliance_lead_id()

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


class CooperationProjectQuerySet(models.QuerySet):
    def counted_on(self, on):
        """The projects counted on ``on``: cooperation projects among alliance members.

        A project counts from its start date (``started_on`` on or before ``on``) up to the day
        before it is cancelled (``cancelled_on``), unless it is only planned, and only if at least
        two of its participants are alliance members active on the project's start date. The rule
        is read from the registers whatever path wrote the project (form, API, admin, import): a
        participant's membership corrected or back-dated later changes the count accordingly.
        """
        return self.countable().filter(started_on__lte=on).filter(ends_after("cancelled_on", on))

    def countable(self):
        """The projects that count from their start date up to the day before they are cancelled: not merely
        planned, with at least two participants that are alliance members on the start date (the part of the
        rule that does not depend on the date counted)."""
        through = CooperationProject.participants.through
        member_at_start = AllianceMember.objects.countable().filter(
            organisation_id=models.OuterRef("organisation_id"),
            joined_on__lte=models.OuterRef("cooperationproject__started_on"),
        ).filter(Q(left_on__isnull=True) | Q(left_on__gt=models.OuterRef("cooperationproject__started_on")))
        among_members = (through.objects.filter(models.Exists(member_at_start))
                         .values("cooperationproject_id").annotate(n=models.Count("organisation_id"))
                         .filter(n__gte=2).values("cooperationproject_id"))
        return self.exclude(status=CooperationProject.Status.PLANNED).filter(pk__in=among_members,
                                                                             approval=Approval.APPROVED)


class CooperationProject(Validated, CancellablePeriod):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
    title = models.CharField(max_length=255, verbose_name=_("title"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    lead_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_projects", verbose_name=_("lead organisation"))
    participants = models.ManyToManyField(Organisation, related_name="cooperation_projects",
                                          help_text=_("At least two organisations, all alliance members when it starts."), verbose_name=_("participants"))
    started_on = models.DateField(validators=[validate_event_date], verbose_name=_("started on"))
    ended_on = models.DateField(null=True, blank=True, validators=[validate_event_date], verbose_name=_("ended on"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ONGOING, verbose_name=_("status"))
    cancelled_on = models.DateField(
        null=True, blank=True, validators=[validate_event_date, validate_not_in_future],
        help_text=_("The day it was cancelled: it counts up to the day before (never, when cancelled before it "
                  "started)."), verbose_name=_("cancelled on"))
    history = HistoricalRecords(m2m_fields=[participants])

    objects = CooperationProjectQuerySet.as_manager()
    owner_path = "lead_organisation_id"
    end_of_life = (Status.CANCELLED, "cancelled_on")

    class Meta:
        verbose_name = _("cooperation project")
        verbose_name_plural = _("cooperation projects")
        ordering = ["-started_on", "id"]
        indexes = event_date_indexes("coop", "started_on", "cancelled_on")
        constraints = CancellablePeriod.period_constraints("coop")

    ended_before_start = _("A project cannot end before it starts.")

    def __str__(self):
        return self.title

    @staticmethod
    def validate_participants(participants, started_on):
        """Raise ValidationError unless there are two or more participants, all members on ``started_on``."""
        participants = list(participants)
        if len({p.pk for p in participants}) < 2:
            raise ValidationError({"participants": gettext("A cooperation project needs at least two participating "
                                                   "organisations.")})
        if started_on:
            ids = [p.pk for p in participants]
            members = set(AllianceMember.objects.active_on(started_on).filter(organisation_id__in=ids)
                          .values_list("organisation_id", flat=True))
            outsiders = [p.name for p in participants if p.pk not in members]
            if outsiders:
                raise ValidationError({"participants": gettext("Not alliance members on the start date: %(names)s.")
                                                       % {"names": ", ".join(sorted(outsiders))}})


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


class MoU(Reviewable, TrackedModel):
    """A memorandum of understanding between a network organisation and an external one.

    The counterpart must be external to the consortium (``COUNTERPART_RULE``): an MoU between
    two consortium partners is not one "with an external organisation" and does not count.
    Submitted by a partner (or by a manager for a partner), approved by another manager.
    """

    COUNTERPART_RULE = _("The counterpart must be an organisation external to the LCAMP consortium: {name} is a "
                         "consortium partner, and an MoU between partners does not count as one with an external "
                         "organisation.")
    REVIEWER_RULE = _("Only a manager reviews MoUs.")

    counterpart = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="mous_as_counterpart",
                                    verbose_name=_("counterpart"),
                                    help_text=_("The external organisation the MoU is signed with (not a consortium "
                                                "partner)."))
    partner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="mous_brought",
                                             verbose_name=_("brought by"),
                                             help_text=_("The network organisation that brings the MoU."))
    title = models.CharField(_("title"), max_length=255)
    scope = models.TextField(_("scope"), help_text=_("Scope and areas of cooperation."))
    areas = models.CharField(_("areas of cooperation"), max_length=500, blank=True)
    signed_on = models.DateField(_("signed on"), validators=[validate_event_date])
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    signatories = models.TextField(_("signatories"), help_text=_("Names and roles of the people who signed, one a line."))
    document = models.FileField(upload_to=mou_document_path, storage=private_storage, max_length=255, blank=True, verbose_name=_("document"))
    document_name = models.CharField(max_length=255, blank=True, help_text=_("The file name as uploaded (shown only)."), verbose_name=_("document name"))
    idempotency_key = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text=_("The submission's one-time key (the form's token or the API's Idempotency-Key header): the same "
                  "key from the same person gives back this MoU instead of a second one."), verbose_name=_("idempotency key"))
    history = HistoricalRecords(excluded_fields=["document"])

    objects = MoUQuerySet.as_manager()

    class Meta:
        verbose_name = _("MoU")
        verbose_name_plural = _("MoUs")
        ordering = ["-submitted_at", "-id"]
        # The indicator page lists the latest records by this date: read from the index's end.
        indexes = [models.Index(fields=["signed_on", "id"], name="mou_signed_on_id"),
                   models.Index(fields=["submitted_at", "id"], name="mou_submitted_at_id"),
                   models.Index(fields=["title", "id"], name="mou_title_id")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("signed_on")),
                                   name="mou_valid_until_after_signed_on"),
            models.UniqueConstraint(fields=["submitted_by", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="mou_one_submission_per_key"),
        ]

    def __str__(self):
        return self.title

    def is_countable(self):
        return self.status == self.Status.APPROVED

    def possible_duplicates(self):
        """Other MoUs, not withdrawn, with the same counterpart and signing date: maybe the same MoU."""
        return MoU.objects.filter(counterpart_id=self.counterpart_id, signed_on=self.signed_on).exclude(
            pk=self.pk).exclude(status=self.Status.WITHDRAWN)

    def exact_duplicate(self):
        """The MoU, still submitted or approved, with the same partner, counterpart, signing date and title
        (any case): the same MoU entered twice, refused."""
        return MoU.objects.filter(
            partner_organisation_id=self.partner_organisation_id, counterpart_id=self.counterpart_id,
            signed_on=self.signed_on, title__iexact=(self.title or "").strip(),
            status__in=[self.Status.SUBMITTED, self.Status.APPROVED],
        ).exclude(pk=self.pk).order_by("pk").first()

    NOT_DUPLICATE = "not_duplicate"

    def check_approvable(self, confirmations):
        """An MoU is approved with its signed document, and a possible duplicate only once the reviewer
        confirms it is not one."""
        if not self.document:
            raise ValidationError({"document": gettext("This MoU has no signed document: it cannot be approved. Ask the "
                                               "partner to submit it again with the PDF.")})
        if self.NOT_DUPLICATE not in confirmations and self.possible_duplicates().exists():
            raise ValidationError({self.NOT_DUPLICATE: gettext("Another MoU with the same counterpart and signing date "
                                                       "exists. Check it, then confirm this one is not a duplicate "
                                                       "to approve it.")})

    @property
    def document_filename(self):
        return self.document_name or (Path(self.document.name).name if self.document else "")

    def clean(self):
        errors = {}
        if self.signed_on and self.signed_on > timezone.localdate():
            errors["signed_on"] = _("The signing date cannot be in the future.")
        if self.signed_on and self.valid_until and self.valid_until <= self.signed_on:
            errors["valid_until"] = _("Valid until must be after the signing date.")
        if self.counterpart_id and self.counterpart_id == self.partner_organisation_id:
            errors["counterpart"] = _("The counterpart must be another organisation than the one bringing the MoU.")
        elif self.counterpart_id and self.counterpart.is_consortium_partner:
            errors["counterpart"] = str(self.COUNTERPART_RULE).format(name=self.counterpart.name)
        if errors:
            raise ValidationError(errors)

