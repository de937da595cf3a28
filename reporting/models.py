"""The reporting cycle's records: the reporting periods, their narratives, and the reminders sent."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from indicators.models import Project


class ReportingPeriodQuerySet(models.QuerySet["ReportingPeriod"]):
    def closed(self) -> "ReportingPeriodQuerySet":
        return self.filter(state=ReportingPeriod.State.CLOSED)

    def not_closed(self) -> "ReportingPeriodQuerySet":
        return self.exclude(state=ReportingPeriod.State.CLOSED)


class ReportingPeriod(models.Model):
    """A period reported to the EU: open, then in review, then closed (its snapshots frozen).

    Its state is one field; its history (``history``: who, when and, for a reopening, why)
    is the record of every change of state, and what a page shows of it is read from there
    (``state_changes``, ``closed_at``, ``closed_by``).
    """

    class State(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        IN_REVIEW = "in_review", gettext_lazy("In review")
        CLOSED = "closed", gettext_lazy("Closed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reporting_periods",
                                verbose_name=gettext_lazy("project"))
    name = models.CharField(max_length=120, verbose_name=gettext_lazy("name"))
    start_on = models.DateField(verbose_name=gettext_lazy("start on"))
    end_on = models.DateField(verbose_name=gettext_lazy("end on"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN,
                             verbose_name=gettext_lazy("state"))
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("reporting period")
        verbose_name_plural = gettext_lazy("reporting periods")
        ordering = ["project", "start_on"]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__gte=models.F("start_on")), name="period_end_after_start"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reporting:period-detail", args=[self.pk])

    @property
    def is_closed(self):
        return self.state == self.State.CLOSED

    def state_changes(self):
        """Every change of the period's state, oldest first, read from its history."""
        changes, previous = [], None
        for row in self.history.select_related("history_user").order_by("history_date", "history_id"):
            if previous is not None and row.state != previous:
                changes.append(StateChange(at=row.history_date, user=row.history_user,
                                           action=CHANGE_LABELS.get((previous, row.state), row.get_state_display()),
                                           reason=row.history_change_reason or ""))
            previous = row.state
        return changes

    @cached_property
    def _closing(self):
        """The history row of the save that closed the period (None unless it is closed)."""
        if not self.is_closed:
            return None
        closing = None
        for row in self.history.select_related("history_user").order_by("-history_date", "-history_id"):
            if row.state != self.State.CLOSED:
                break
            closing = row
        return closing

    @property
    def closed_at(self):
        return self._closing.history_date if self._closing else None

    @property
    def closed_by(self):
        return self._closing.history_user if self._closing else None


@dataclass
class StateChange:
    """One change of a period's state (from its history): when, by whom, what, and why."""

    at: datetime.datetime
    user: object
    action: str
    reason: str = ""


# What a change from one state to another is called on the period's page.
CHANGE_LABELS = {
    (ReportingPeriod.State.OPEN, ReportingPeriod.State.IN_REVIEW): gettext_lazy("Put in review"),
    (ReportingPeriod.State.IN_REVIEW, ReportingPeriod.State.OPEN): gettext_lazy("Back to open"),
    (ReportingPeriod.State.IN_REVIEW, ReportingPeriod.State.CLOSED): gettext_lazy("Closed"),
    (ReportingPeriod.State.CLOSED, ReportingPeriod.State.OPEN): gettext_lazy("Reopened"),
}


class Narrative(models.Model):
    """What a manager says about one indicator in one reporting period.

    The four parts are Markdown, rendered sanitised (``reporting.narratives.render``).
    Partners and the public see a narrative only when both it and its indicator are public.
    """

    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.CASCADE, related_name="narratives", verbose_name=gettext_lazy("indicator"))
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="narratives", verbose_name=gettext_lazy("period"))
    what_happened = models.TextField(gettext_lazy("what happened"), blank=True)
    why = models.TextField(gettext_lazy("why it is ahead or behind"), blank=True)
    corrective_actions = models.TextField(gettext_lazy("corrective actions"), blank=True)
    next_steps = models.TextField(gettext_lazy("next steps"), blank=True)
    is_public = models.BooleanField(gettext_lazy("public"), default=False,
                                    help_text=gettext_lazy("Shown on the public page when the indicator is public too."))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=gettext_lazy("written by"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("updated at"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=gettext_lazy("reviewed by"))
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("reviewed at"))
    version = models.PositiveIntegerField(default=1, verbose_name=gettext_lazy("version"))
    history = HistoricalRecords()

    PARTS = ("what_happened", "why", "corrective_actions", "next_steps")

    class Meta:
        verbose_name = gettext_lazy("narrative")
        verbose_name_plural = gettext_lazy("narratives")
        ordering = ["period", "indicator"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="narrative_unique_period")]

    def __str__(self):
        return f"{self.indicator.code} · {self.period}"

    def get_absolute_url(self):
        return reverse("reporting:narrative-detail", args=[self.period_id, self.indicator.code])

    def clean(self):
        if not any((getattr(self, part) or "").strip() for part in self.PARTS):
            raise ValidationError(_("Write at least one part of the narrative."))

    @property
    def is_empty(self):
        return not any((getattr(self, part) or "").strip() for part in self.PARTS)

    def visible_to_public(self) -> bool:
        return self.is_public and self.indicator.is_public

    def is_written_by(self, user) -> bool:
        """Whether ``user`` wrote the narrative's latest version (and so may not mark it reviewed)."""
        return self.written_by_id is not None and self.written_by_id == getattr(user, "pk", None)


class NarrativeComment(models.Model):
    """A staff member's or manager's comment on a narrative."""

    narrative = models.ForeignKey(Narrative, on_delete=models.CASCADE, related_name="comments", verbose_name=gettext_lazy("narrative"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=gettext_lazy("author"))
    body = models.TextField(max_length=4000, verbose_name=gettext_lazy("body"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("created at"))

    class Meta:
        verbose_name = gettext_lazy("narrative comment")
        verbose_name_plural = gettext_lazy("narrative comments")
        ordering = ["narrative", "created_at", "id"]

    def __str__(self):
        return _("Comment by %(author)s on %(narrative)s") % {"author": self.author, "narrative": self.narrative}


class SentReminder(models.Model):
    """A reminder e-mail sent to a person: each (kind, key, person) is sent once."""

    kind = models.CharField(max_length=30, verbose_name=gettext_lazy("kind"))
    key = models.CharField(max_length=120, help_text=gettext_lazy("What the reminder is about, e.g. period:3:30 or mou:12."), verbose_name=gettext_lazy("key"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=gettext_lazy("user"))
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("sent at"))

    class Meta:
        verbose_name = gettext_lazy("sent reminder")
        verbose_name_plural = gettext_lazy("sent reminders")
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "key", "user"], name="reminder_sent_once")]

    def __str__(self):
        return f"{self.kind} {self.key} to {self.user}"


class PartnerNarrative(models.Model):
    """A partner organisation's note on its contribution to one indicator in one reporting period.

    Written by the organisation's partner editors while the period is open
    (``reporting.partner_narratives``); the coordinator reads it next to the indicator's
    narrative and may quote it there; the period's report lists them by organisation.
    Plain Markdown, rendered sanitised like a narrative.
    """

    MAX_LENGTH = 4000

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="partner_narratives",
                               verbose_name=gettext_lazy("period"))
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.CASCADE, related_name="partner_narratives",
                                  verbose_name=gettext_lazy("indicator"))
    organisation = models.ForeignKey(settings.ORGANISATION_MODEL, on_delete=models.CASCADE,
                                     related_name="partner_narratives", verbose_name=gettext_lazy("organisation"))
    text = models.TextField(gettext_lazy("contribution note"), max_length=MAX_LENGTH)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=gettext_lazy("author"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("updated at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = gettext_lazy("partner narrative")
        verbose_name_plural = gettext_lazy("partner narratives")
        ordering = ["period", "indicator", "organisation"]
        constraints = [models.UniqueConstraint(fields=["period", "indicator", "organisation"],
                                               name="partner_narrative_unique")]

    def __str__(self):
        return f"{self.indicator.code} · {self.organisation} · {self.period}"
