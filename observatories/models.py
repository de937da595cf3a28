"""Regional skills observatories and the critical skill gaps they identify."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registers.constraints import not_before, status_iff_date
from registers.models import Approval, TrackedModel, Validated, event_date_indexes
from registers.validators import end_of_life_errors, ends_after, validate_event_date, validate_not_in_future

esco_skill_validator = RegexValidator(
    r"^http://data\.europa\.eu/esco/skill/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    _("An ESCO skill URI looks like http://data.europa.eu/esco/skill/<uuid>, "
      "e.g. http://data.europa.eu/esco/skill/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d."),
)
isco_validator = RegexValidator(r"^\d{4}$", _("An ISCO-08 unit group is 4 digits, e.g. 7223."))
nace_validator = RegexValidator(
    r"^[A-U](\d{2}(\.\d{1,2})?)?$",
    _("A NACE Rev.2 code is a section letter, optionally with its division, group or class, e.g. C, C28, C28.4, "
      "C28.41."),
)


class ObservatoryQuerySet(models.QuerySet):
    def active_on(self, on):
        """Launched on or before ``on``, not closed on or before it, and not merely planned."""
        return self.countable().filter(launched_on__lte=on).filter(ends_after("closed_on", on))

    def countable(self):
        """Launched and not merely planned: the part of the rule that does not depend on the date."""
        return self.exclude(status=Observatory.Status.PLANNED).filter(launched_on__isnull=False,
                                                                     approval=Approval.APPROVED)


class Observatory(Validated, TrackedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")
    name = models.CharField(max_length=255, verbose_name=_("name"))
    region = models.ForeignKey("organisations.Region", on_delete=models.PROTECT, related_name="observatories", verbose_name=_("region"))
    host_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT,
                                          related_name="hosted_observatories", verbose_name=_("host organisation"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True, verbose_name=_("status"))
    launched_on = models.DateField(null=True, blank=True, validators=[validate_event_date], verbose_name=_("launched on"))
    closed_on = models.DateField(null=True, blank=True, validators=[validate_event_date, validate_not_in_future],
                                 help_text=_("The day it closed: it counts as active up to the day before."), verbose_name=_("closed on"))
    website = models.URLField(blank=True, verbose_name=_("website"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    history = HistoricalRecords()

    objects = ObservatoryQuerySet.as_manager()
    owner_path = "host_organisation_id"
    end_of_life = (Status.CLOSED, "closed_on")

    class Meta:
        verbose_name = _("observatory")
        verbose_name_plural = _("observatories")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(launched_on__isnull=False, closed_on__gte=models.F("launched_on")),
                name="observatory_closed_not_before_launched",
            ),
            models.CheckConstraint(condition=~Q(status="active") | Q(launched_on__isnull=False),
                                   name="observatory_active_has_launch_date"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.status in (self.Status.ACTIVE, self.Status.CLOSED) and not self.launched_on:
            errors["launched_on"] = _("An active or closed observatory needs its launch date.")
        if self.closed_on and self.launched_on and self.closed_on < self.launched_on:
            errors["closed_on"] = _("An observatory cannot close before it was launched.")
        if self.closed_on and not self.launched_on:
            errors["closed_on"] = _("Give the launch date before the closing date.")
        if self.status == self.Status.CLOSED and not self.closed_on:
            errors["closed_on"] = _("A closed observatory needs its closing date.")
        if errors:
            raise ValidationError(errors)


class SkillGapQuerySet(models.QuerySet):
    def counted_on(self, on):
        """Critical skill gaps identified on or before ``on``, validated, not retired on or before ``on``.

        A retired gap was validated (only a validated gap can be retired), so it counts from
        ``identified_on`` up to the day before ``retired_on``. Validating is a review act: a
        validated gap counts from the day it was identified.
        """
        return self.countable().filter(identified_on__lte=on).filter(ends_after("retired_on", on))

    def countable(self):
        """Critical and validated (or retired since): the part of the rule that does not depend on the date."""
        return self.filter(critical=True, status__in=[SkillGap.Status.VALIDATED, SkillGap.Status.RETIRED],
                           approval=Approval.APPROVED)


class SkillGap(Validated, TrackedModel):
    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        VALIDATED = "validated", _("Validated")
        RETIRED = "retired", _("Retired")
    observatory = models.ForeignKey(Observatory, on_delete=models.PROTECT, related_name="skill_gaps", verbose_name=_("observatory"))
    title = models.CharField(max_length=255, verbose_name=_("title"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    esco_skill_uri = models.CharField(_("ESCO skill URI"), max_length=120, validators=[esco_skill_validator],
                                      help_text=_("e.g. http://data.europa.eu/esco/skill/<uuid>, from the ESCO portal."))
    esco_skill_label = models.CharField(_("ESCO skill label"), max_length=255, blank=True)
    isco_code = models.CharField(_("ISCO-08 code"), max_length=4, blank=True, validators=[isco_validator],
                                 help_text=_("4-digit ISCO-08 unit group of the occupation, e.g. 7223."))
    nace_code = models.CharField(_("NACE Rev.2 code"), max_length=8, blank=True, validators=[nace_validator],
                                 help_text=_("Sector, e.g. C28 (manufacture of machinery)."))
    critical = models.BooleanField(default=True, verbose_name=_("critical"))
    evidence = models.TextField(blank=True, verbose_name=_("evidence"))
    evidence_url = models.URLField(blank=True, verbose_name=_("evidence URL"))
    identified_on = models.DateField(validators=[validate_event_date], verbose_name=_("identified on"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CANDIDATE, db_index=True, verbose_name=_("status"))
    retired_on = models.DateField(null=True, blank=True, validators=[validate_event_date, validate_not_in_future],
                                  help_text=_("The day it was retired: it counts up to the day before."), verbose_name=_("retired on"))
    history = HistoricalRecords()

    objects = SkillGapQuerySet.as_manager()
    owner_path = "observatory__host_organisation_id"
    end_of_life = (Status.RETIRED, "retired_on")

    class Meta:
        verbose_name = _("skill gap")
        verbose_name_plural = _("skill gaps")
        ordering = ["-identified_on", "id"]
        indexes = event_date_indexes("gap", "identified_on", "retired_on")
        constraints = [status_iff_date("retired", "retired_on", name="gap_retired_iff_date"),
                       not_before("retired_on", "identified_on", name="gap_retired_not_before_identified")]

    def __str__(self):
        return self.title

    def clean(self):
        errors = end_of_life_errors(self, date_field="retired_on", end_status=self.Status.RETIRED,
                                    counted_status=self.Status.VALIDATED, start_field="identified_on",
                                    started=_("identified"))
        if errors:
            raise ValidationError(errors)

    @property
    def nace_section(self):
        return self.nace_code[:1]
