"""Indicators, their targets and the stored time series the dashboard reads.

This app imports no domain app: domain apps register their measures with
``indicators.registry``.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts import roles
from registers import l10n
from registers.models import Reviewable, TrackedModel
from registers.storage import private_storage

ZERO = Decimal("0")
# A date and a number in the language a message is read in (a form's error, shown after the check).


class Project(models.Model):
    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=255, verbose_name=_("name"))
    start_on = models.DateField(verbose_name=_("start on"))
    end_on = models.DateField(verbose_name=_("end on"))
    lead_organisation = models.ForeignKey(
        settings.ORGANISATION_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("Alliance lead"),
        help_text=_("The organisation responsible for the Alliance's membership register."))
    # What the funder's report carries on its cover (blank until the coordinator enters them).
    grant_agreement_number = models.CharField(
        _("grant agreement number"), max_length=60, blank=True,
        help_text=_("The number of the grant agreement with the European Union, as on the agreement."))
    project_reference = models.CharField(
        _("project reference"), max_length=120, blank=True,
        help_text=_("The project's reference or acronym as the funder knows it (for example its call and action)."))
    partners_see_dashboard = models.BooleanField(
        _("partners see the dashboard"), default=False,
        help_text=_("Partner editors and viewers may read the progress dashboard (read-only)."))

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__gt=models.F("start_on")), name="project_ends_after_start"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start_on and self.end_on and self.end_on <= self.start_on:
            raise ValidationError({"end_on": gettext("The project must end after it starts.")})

    def elapsed_share(self, on=None):
        """Share of the project's time elapsed on ``on`` (0 to 1)."""
        on = on or timezone.localdate()
        total = (self.end_on - self.start_on).days
        done = min(max((on - self.start_on).days, 0), total)
        return Decimal(done) / Decimal(total) if total else Decimal(1)


class Pillar(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="pillars", verbose_name=_("project"))
    code = models.SlugField(max_length=40, verbose_name=_("code"))
    name = models.CharField(max_length=255, verbose_name=_("name"))
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ["project", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="pillar_unique_code")]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    class Source(models.TextChoices):
        MEASURE = "measure", _("Counted from a register")
        REPORTED = "reported", _("Reported values")
    class TimeRule(models.TextChoices):
        LATEST = "latest", _("Latest value")
        CUMULATIVE = "cumulative", _("Cumulative sum")
        MAXIMUM = "maximum", _("Maximum")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("project"))
    code = models.SlugField(max_length=60, verbose_name=_("code"))
    title = models.CharField(max_length=255, verbose_name=_("title"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    pillar = models.ForeignKey(Pillar, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators", verbose_name=_("pillar"))
    unit = models.CharField(max_length=60, default="count", verbose_name=_("unit"))
    baseline = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO, verbose_name=_("baseline"))
    target = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("target"))
    target_date = models.DateField(verbose_name=_("target date"))
    is_public = models.BooleanField(default=False, verbose_name=_("is public"))
    is_cumulative = models.BooleanField(default=True, help_text=_("The value only grows: milestones never decrease."), verbose_name=_("is cumulative"))
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MEASURE, verbose_name=_("source"))
    measure_key = models.CharField(max_length=60, blank=True, help_text=_("The registered measure that counts it."), verbose_name=_("measure key"))
    # Rules of a reported indicator. Across organisations: the sum of each
    # organisation's value; over time, each organisation's value on a date is
    # its latest approved value, the cumulative sum of its values, or their maximum.
    time_rule = models.CharField(max_length=12, choices=TimeRule.choices, default=TimeRule.LATEST, verbose_name=_("time rule"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["project", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="indicator_unique_code"),
            models.CheckConstraint(condition=Q(target__gte=0), name="indicator_target_not_negative"),
            models.CheckConstraint(condition=~Q(source="measure") | ~Q(measure_key=""),
                                   name="indicator_measure_has_key"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.source == self.Source.MEASURE:
            from .registry import registry

            if not self.measure_key:
                errors["measure_key"] = _("An indicator counted from a register needs its measure.")
            elif self.measure_key not in registry:
                errors["measure_key"] = ValidationError(_("No measure is registered as “%(key)s”."),
                                                        params={"key": self.measure_key})
        if self.baseline is not None and self.target is not None and self.is_cumulative and self.baseline > self.target:
            errors["baseline"] = _("The baseline of a growing indicator cannot exceed its target.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_reported(self):
        return self.source == self.Source.REPORTED

    @property
    def latest_snapshot(self):
        """The newest snapshot, or None; from the ``latest_snapshots`` prefetch when the queryset made it."""
        latest = getattr(self, "latest_snapshots", None)
        if latest is None:
            latest = list(self.snapshots.current()[:1])
        return latest[0] if latest else None

    def trajectory(self):
        """The points of the expected trajectory: (date, value), from the project start to the target date."""
        points = [(self.project.start_on, self.baseline)]
        for milestone in self.milestones.all():
            if self.project.start_on < milestone.date < self.target_date:
                points.append((milestone.date, milestone.value))
        points.append((self.target_date, self.target))
        return points

    def expected_value(self, on, trajectory=None):
        """Piecewise linear from the baseline at the project start through the milestones to the target."""
        points = trajectory or self.trajectory()
        if on <= points[0][0]:
            return points[0][1]
        for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
            if on <= d1:
                span = (d1 - d0).days
                if span <= 0:
                    return v1
                return (v0 + (v1 - v0) * Decimal((on - d0).days) / Decimal(span)).quantize(Decimal("0.01"))
        return points[-1][1]

    def status_for(self, value, expected):
        """achieved / on track / at risk / behind, from actual against expected."""
        thresholds = settings.INDICATOR_STATUS_THRESHOLDS
        if value >= self.target:
            return Snapshot.Status.ACHIEVED
        if expected <= 0 or value >= expected:
            return Snapshot.Status.ON_TRACK
        ratio = value / expected
        if ratio >= Decimal(str(thresholds["on_track"])):
            return Snapshot.Status.ON_TRACK
        if ratio >= Decimal(str(thresholds["at_risk"])):
            return Snapshot.Status.AT_RISK
        return Snapshot.Status.BEHIND


class Milestone(models.Model):
    """An interim target on a date."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("indicator"))
    date = models.DateField(verbose_name=_("date"))
    value = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("value"))
    label = models.CharField(max_length=120, blank=True, verbose_name=_("label"))
    is_assumed = models.BooleanField(
        default=False, verbose_name=_("assumed"),
        help_text=_("An interim target the project assumed (no source states it), to measure progress against."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["indicator", "date"]
        constraints = [models.UniqueConstraint(fields=["indicator", "date"], name="milestone_unique_date")]

    def __str__(self):
        return f"{self.indicator.code} {l10n.short_date(self.date)}: {l10n.decimal(self.value)}"

    def clean(self):
        if not (self.indicator_id and self.date and self.value is not None):
            return
        indicator = self.indicator
        errors = {}
        if not (indicator.project.start_on < self.date < indicator.target_date):
            errors["date"] = ValidationError(
                _("A milestone lies between the project start (%(start)s) and the target date (%(end)s)."),
                params={"start": l10n.short_date_lazy(indicator.project.start_on),
                        "end": l10n.short_date_lazy(indicator.target_date)})
        if indicator.is_cumulative:
            if self.value > indicator.target:
                errors["value"] = ValidationError(_("A milestone cannot exceed the final target (%(target)s)."),
                                                  params={"target": l10n.decimal_lazy(indicator.target)})
            others = indicator.milestones.exclude(pk=self.pk)
            earlier = others.filter(date__lt=self.date, value__gt=self.value).order_by("-date").first()
            later = others.filter(date__gt=self.date, value__lt=self.value).order_by("date").first()
            if earlier:
                errors["value"] = ValidationError(
                    _("A milestone cannot fall below an earlier one (%(value)s on %(date)s)."),
                    params={"value": l10n.decimal_lazy(earlier.value), "date": l10n.short_date_lazy(earlier.date)})
            elif later:
                errors["value"] = ValidationError(
                    _("A milestone cannot exceed a later one (%(value)s on %(date)s)."),
                    params={"value": l10n.decimal_lazy(later.value), "date": l10n.short_date_lazy(later.date)})
        if errors:
            raise ValidationError(errors)


def report_evidence_path(instance, filename):
    import uuid

    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in (".pdf", ".xlsx", ".csv", ".png", ".jpg", ".jpeg", ".docx"):
        suffix = ""
    return f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ReportQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Report.Status.APPROVED)


class Report(Reviewable, TrackedModel):
    """A dated value of a reported indicator, for one organisation, with its evidence.

    Reviewed like every ``Reviewable`` (``registers.reviews.review``): by a manager of another
    organisation than the one reported for, never by the person who reported it.
    """

    REVIEWER_RULE = _("A report is reviewed by a manager of another organisation.")

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="reports", verbose_name=_("indicator"))
    # A plain reference to organisations.Organisation: the model is looked up by name so
    # this app imports no domain app.
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="reports", verbose_name=_("organisation"))
    as_of = models.DateField(verbose_name=_("as of"))
    value = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("value"))
    evidence_file = models.FileField(upload_to=report_evidence_path, storage=private_storage, blank=True,
                                     max_length=255, verbose_name=_("evidence file"))
    evidence_url = models.URLField(blank=True, verbose_name=_("evidence URL"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    history = HistoricalRecords(excluded_fields=["evidence_file"])

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-as_of", "-id"]
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="report_value_not_negative")]

    def __str__(self):
        return f"{self.indicator.code} {self.organisation} {l10n.short_date(self.as_of)}: {l10n.decimal(self.value)}"

    def may_be_reviewed_by(self, user):
        """Managers review reports of organisations other than their own; admins review any."""
        if roles.is_admin(user):
            return True
        return super().may_be_reviewed_by(user) and user.organisation_id != self.organisation_id

    def clean(self):
        errors = {}
        if self.as_of and self.as_of > timezone.localdate():
            errors["as_of"] = _("A report cannot be dated in the future.")
        if self.indicator_id and self.indicator.source != Indicator.Source.REPORTED:
            errors["indicator"] = _("This indicator is counted from its register; it takes no reported values.")
        if errors:
            raise ValidationError(errors)


class SnapshotQuerySet(models.QuerySet):
    def current(self, on=None):
        """The snapshots that may be shown as current on ``on`` (today): never one dated after it.

        Newest first, so ``.first()`` is the latest snapshot.
        """
        return self.filter(date__lte=on or timezone.localdate()).order_by("-date")


class Snapshot(models.Model):
    """An indicator's computed state on a date. Written by the roll-up only."""

    class Status(models.TextChoices):
        ACHIEVED = "achieved", _("Achieved")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        BEHIND = "behind", _("Behind")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("indicator"))
    date = models.DateField(verbose_name=_("date"))
    value = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("value"))
    target = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("target"))
    expected = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("expected"))
    progress = models.DecimalField(max_digits=7, decimal_places=4, help_text=_("value / target, as a fraction."), verbose_name=_("progress"))
    status = models.CharField(max_length=10, choices=Status.choices, verbose_name=_("status"))
    forecast = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("forecast"))
    computed_at = models.DateTimeField(default=timezone.now, verbose_name=_("computed at"))
    is_frozen = models.BooleanField(default=False, help_text=_("Part of a closed reporting period: never rewritten."), verbose_name=_("is frozen"))
    # A digest of the breakdown rows stored with it (``rollup.store``): a roll-up that computes the same rows
    # keeps them without reading them back. Empty: not known (the rows are then rewritten once).
    breakdown_digest = models.CharField(max_length=64, blank=True, default="", editable=False,
                                        verbose_name=_("breakdown digest"))

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["indicator", "date"]
        get_latest_by = "date"
        constraints = [models.UniqueConstraint(fields=["indicator", "date"], name="snapshot_unique_date")]
        indexes = [models.Index(fields=["indicator", "-date"], name="snapshot_latest")]

    def __str__(self):
        return f"{self.indicator.code} {l10n.short_date(self.date)}: {l10n.decimal(self.value)}"

    @property
    def progress_percent(self):
        return (self.progress * 100).quantize(Decimal("0.1"))


class Breakdown(models.Model):
    """One part of a snapshot's value along a dimension (country, region, ...).

    Unless ``overlapping`` is set the parts of a dimension sum to the snapshot's value.
    """

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="breakdowns", verbose_name=_("snapshot"))
    dimension = models.CharField(max_length=40, verbose_name=_("dimension"))
    key = models.CharField(max_length=120, verbose_name=_("key"))
    label = models.CharField(max_length=255, verbose_name=_("label"))
    value = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("value"))
    overlapping = models.BooleanField(default=False, verbose_name=_("overlapping"))

    class Meta:
        verbose_name = _("breakdown")
        verbose_name_plural = _("breakdowns")
        ordering = ["snapshot", "dimension", "-value", "key"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "dimension", "key"], name="breakdown_unique_part"),
        ]

    def __str__(self):
        return f"{self.dimension}={self.key}: {self.value}"


class OutboxEntry(models.Model):
    """"Indicator X changed from date D": written in the transaction of the change, deleted by the drain."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="outbox_entries", verbose_name=_("indicator"))
    changed_from = models.DateField(verbose_name=_("changed from"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("outbox entry")
        verbose_name_plural = _("outbox entries")
        ordering = ["pk"]
        indexes = [models.Index(fields=["indicator", "changed_from"], name="outbox_indicator_date")]

    def __str__(self):
        return gettext("%(indicator)s changed from %(date)s") % {"indicator": self.indicator_id,
                                                                 "date": l10n.short_date(self.changed_from)}


def is_month_end(day):
    return (day + datetime.timedelta(days=1)).day == 1


def month_ends(start, end):
    """The last day of each month from ``start``'s month to ``end`` (``end`` itself if mid-month)."""
    points = []
    year, month = start.year, start.month
    while True:
        first_next = datetime.date(year + (month == 12), month % 12 + 1, 1)
        last = first_next - datetime.timedelta(days=1)
        if last >= end:
            points.append(end)
            return points
        points.append(last)
        year, month = first_next.year, first_next.month



class LateFactQuerySet(models.QuerySet):
    def pending(self) -> "LateFactQuerySet":
        """Those not yet absorbed by a reopening of their period."""
        return self.filter(absorbed_at=None)

    def absorb(self, period_id: int) -> int:
        """A reopened period will be reported again with these records: they are no longer late."""
        return self.filter(period_id=period_id, absorbed_at=None).update(absorbed_at=timezone.now())


class LateFact(models.Model):
    """A change recorded after its reporting period was closed, confirmed by a coordinator with a reason.

    The closed period's snapshots stay as reported (frozen); today's value and the open
    period's snapshots include the change. One row per indicator and closed period the
    change would have altered. The period is copied (the engine keeps no period, see
    ``indicators.period_source``). ``values`` holds what the registers gave, after the
    change, on the period's snapshot dates ({ISO date: value}): a later change that moves
    none of them alters nothing more and is not refused.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="late_facts",
                                  verbose_name=_("indicator"))
    period_id = models.PositiveIntegerField(db_index=True, verbose_name=_("reporting period"))
    period_name = models.CharField(max_length=200, verbose_name=_("period name"))
    period_start = models.DateField(verbose_name=_("period start"))
    period_end = models.DateField(verbose_name=_("period end"))
    record_model = models.CharField(max_length=100, blank=True, verbose_name=_("record type"))
    record_id = models.CharField(max_length=64, blank=True, verbose_name=_("record id"))
    title = models.CharField(max_length=300, blank=True, verbose_name=_("record"))
    event_date = models.DateField(null=True, blank=True, verbose_name=_("date"))
    reason = models.TextField(verbose_name=_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("recorded at"))
    values = models.JSONField(default=dict, blank=True, verbose_name=_("values after the change"))
    # Set when an administrator reopened the period: closing it again reports the record.
    absorbed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("absorbed at"))

    objects = LateFactQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("fact recorded after closing")
        verbose_name_plural = _("facts recorded after closing")

    def __str__(self) -> str:
        return f"{self.title} ({self.period_name})"
