"""The reporting cycle's records: a period's state changes, narratives, and the reminders sent.

Imported at the end of ``indicators.models`` so that Django finds the models; kept in
their own module so the engine's models stay as they are.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords


class PeriodEvent(models.Model):
    """One change of a reporting period's state: the period's history (who, when, why)."""

    class Action(models.TextChoices):
        REVIEW = "review", gettext_lazy("Put in review")
        BACK_TO_OPEN = "open", gettext_lazy("Back to open")
        CLOSE = "close", gettext_lazy("Closed")
        REOPEN = "reopen", gettext_lazy("Reopened")

    period = models.ForeignKey("indicators.ReportingPeriod", on_delete=models.CASCADE, related_name="events", verbose_name=gettext_lazy("period"))
    action = models.CharField(max_length=10, choices=Action.choices, verbose_name=gettext_lazy("action"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=gettext_lazy("user"))
    at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("at"))
    reason = models.TextField(blank=True, verbose_name=gettext_lazy("reason"))

    class Meta:
        verbose_name = gettext_lazy("period event")
        verbose_name_plural = gettext_lazy("period events")
        ordering = ["period", "at", "id"]

    def __str__(self):
        return f"{self.period}: {self.get_action_display()} {self.at:%Y-%m-%d}"


class Narrative(models.Model):
    """What a manager says about one indicator in one reporting period.

    The four parts are Markdown, rendered sanitised (``indicators.narratives.render``).
    Partners and the public see a narrative only when both it and its indicator are public.
    """

    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.CASCADE, related_name="narratives", verbose_name=gettext_lazy("indicator"))
    period = models.ForeignKey("indicators.ReportingPeriod", on_delete=models.CASCADE, related_name="narratives", verbose_name=gettext_lazy("period"))
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

    def clean(self):
        if not any((getattr(self, part) or "").strip() for part in self.PARTS):
            raise ValidationError(_("Write at least one part of the narrative."))

    @property
    def is_empty(self):
        return not any((getattr(self, part) or "").strip() for part in self.PARTS)

    def visible_to_public(self):
        return self.is_public and self.indicator.is_public


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
        return f"Comment by {self.author} on {self.narrative}"


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
