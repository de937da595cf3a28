"""The reporting cycle's records: a period's state changes, narratives, and the reminders sent.

Imported at the end of ``indicators.models`` so that Django finds the models; kept in
their own module so the engine's models stay as they are.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords


class PeriodEvent(models.Model):
    """One change of a reporting period's state: the period's history (who, when, why)."""

    class Action(models.TextChoices):
        REVIEW = "review", "Put in review"
        BACK_TO_OPEN = "open", "Back to open"
        CLOSE = "close", "Closed"
        REOPEN = "reopen", "Reopened"

    period = models.ForeignKey("indicators.ReportingPeriod", on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["period", "at", "id"]

    def __str__(self):
        return f"{self.period}: {self.get_action_display()} {self.at:%Y-%m-%d}"


class Narrative(models.Model):
    """What a manager says about one indicator in one reporting period.

    The four parts are Markdown, rendered sanitised (``indicators.narratives.render``).
    Partners and the public see a narrative only when both it and its indicator are public.
    """

    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.CASCADE, related_name="narratives")
    period = models.ForeignKey("indicators.ReportingPeriod", on_delete=models.CASCADE, related_name="narratives")
    what_happened = models.TextField("what happened", blank=True)
    why = models.TextField("why it is ahead or behind", blank=True)
    corrective_actions = models.TextField("corrective actions", blank=True)
    next_steps = models.TextField("next steps", blank=True)
    is_public = models.BooleanField("public", default=False,
                                    help_text="Shown on the public page when the indicator is public too.")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    PARTS = ("what_happened", "why", "corrective_actions", "next_steps")

    class Meta:
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

    narrative = models.ForeignKey(Narrative, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["narrative", "created_at", "id"]

    def __str__(self):
        return f"Comment by {self.author} on {self.narrative}"


class SentReminder(models.Model):
    """A reminder e-mail sent to a person: each (kind, key, person) is sent once."""

    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=120, help_text="What the reminder is about, e.g. period:3:30 or mou:12.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "key", "user"], name="reminder_sent_once")]

    def __str__(self):
        return f"{self.kind} {self.key} to {self.user}"
