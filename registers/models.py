import secrets
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles

from . import constraints
from .storage import private_storage
from .validators import end_of_life_errors


def generate_webhook_secret():
    return secrets.token_urlsafe(32)


class CheckedModel(models.Model):
    """A model whose check constraints are validated in Python where they are simple enough
    (``registers.constraints``), instead of by a query and a savepoint each."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        constraints.validate_constraints(self, exclude)


class TrackedModel(CheckedModel):
    """Common columns of the register records.

    ``version`` grows by one on every save through a service; a form carries the
    version it was read at, so that a stale edit is refused instead of silently
    overwriting somebody else's change. ``is_demo`` marks records made by
    ``demo_data``.
    """

    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("version"))
    is_demo = models.BooleanField(default=False, editable=False, db_index=True, verbose_name=_("is demo"))

    # The status change that ends a record's life and the field with its date, e.g. ``(Status.RETIRED,
    # "retired_on")``: its register, status form and API serializer read it here. None: it has none.
    end_of_life = None

    class Meta:
        abstract = True


def event_date_indexes(prefix, start_field, end_field):
    """The indexes of a register counted between two dates: the indicator page lists the latest records by
    ``start_field`` (read from the index's end); a drain reads the records that started or ended since a
    month-end (an index range on each date, the end's where it is set). Named ``<prefix>_<field>``."""
    return [models.Index(fields=[start_field, "id"], name=f"{prefix}_{start_field}_id"),
            models.Index(fields=[end_field], condition=Q(**{f"{end_field}__isnull": False}),
                         name=f"{prefix}_{end_field}")]


class CancellablePeriod(TrackedModel):
    """A record that runs from ``started_on`` to an optional ``ended_on`` and may be cancelled (its
    ``Status.CANCELLED`` with ``cancelled_on``): a cooperation project, a factory exchange. It counts from
    its start up to the day before it is cancelled, and may be cancelled before it starts (never counted).

    The model declares those four fields (each with its own help text, in its own column order) and
    ``ended_before_start``, its message; the rules are here: ``clean`` and ``period_constraints``.
    """

    ended_before_start = _("A record cannot end before it starts.")

    class Meta:
        abstract = True

    @staticmethod
    def period_constraints(prefix):
        """The database's copy of the rules, named ``<prefix>_…``."""
        return [constraints.not_before("ended_on", "started_on", name=f"{prefix}_ended_not_before_started"),
                constraints.status_iff_date("cancelled", "cancelled_on", name=f"{prefix}_cancelled_iff_date")]

    def clean(self):
        errors = end_of_life_errors(self, date_field="cancelled_on", end_status=self.Status.CANCELLED,
                                    start_field="started_on", started=_("started"), may_precede_start=True)
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = self.ended_before_start
        if errors:
            raise ValidationError(errors)


class Approval(models.TextChoices):
    """Whether a register's record counts: a partner editor's new record waits for a coordinator."""

    APPROVED = "approved", _("Approved")
    SUBMITTED = "submitted", _("Submitted, waiting for validation")
    REJECTED = "rejected", _("Rejected, back with the partner")


class Validated(models.Model):
    """A counted record with a responsible organisation, counted once a coordinator approves it.

    ``owner_path`` is the ORM path from the record to the organisation responsible for it (the
    awarding body of a credential, the host of a factory's exchange…); a model whose owner is not
    a field of its own (an alliance membership is the Alliance lead's) overrides
    ``owner_expression`` and ``owner_of``. ``approval`` is ``approved`` for what a coordinator
    enters and for every record from before partners kept their own; a partner editor's new record
    is ``submitted`` until a coordinator approves it (``registers.submissions``). The measures count
    approved records only.
    """

    approval = models.CharField(_("validation"), max_length=10, choices=Approval.choices,
                                default=Approval.APPROVED, editable=False)

    owner_path = ""

    class Meta:
        abstract = True

    @property
    def is_approved(self):
        return self.approval == Approval.APPROVED

    @classmethod
    def owner_expression(cls):
        """The responsible organisation's id, as an expression of a query of this model."""
        return models.F(cls.owner_path)

    @classmethod
    def owned_by(cls, queryset, organisation_id):
        """The records of ``queryset`` that ``organisation_id`` is responsible for."""
        if organisation_id is None:
            return queryset.none()
        return queryset.alias(_owner=cls.owner_expression()).filter(_owner=organisation_id)

    def owner_of(self, m2m=None):
        """The id of the organisation responsible for this record (None while it has none); ``m2m``: the
        many-to-many values a form is about to set, for an owner read from them."""
        value = self
        *path, last = self.owner_path.split("__")
        for part in path:
            value = getattr(value, part, None)
            if value is None:
                return None
        return getattr(value, last if last.endswith("_id") else f"{last}_id", None)


class Reviewable(models.Model):
    """A record somebody submits and a manager approves or rejects (MoUs, reported values).

    The workflow is ``registers.reviews.review``, the same for every reviewable. A model
    says who may review it (``may_be_reviewed_by``) and what must hold before it is
    approved (``check_approvable``); nobody reviews what they submitted themselves.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="%(class)ss_submitted", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(default=timezone.now, verbose_name=_("submitted at"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="%(class)ss_reviewed", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    review_note = models.TextField(_("reviewer's note"), blank=True)

    class Meta:
        abstract = True

    def may_be_reviewed_by(self, user):
        """Whether ``user``'s role lets them review this record (self-review is refused apart)."""
        return roles.can_review(user)

    def is_own_submission(self, user):
        return self.submitted_by_id is not None and self.submitted_by_id == user.pk

    def check_approvable(self, confirmations):
        """Raise ValidationError (field messages) if this record may not be approved yet."""


PROGRESS_SECONDS = 24 * 60 * 60  # a job's published counts outlive any task (time limits end them sooner)


class Job(models.Model):
    """A long import or export, run by a Celery worker, that its user follows on a page.

    The worker publishes the counts as it goes (``record_progress``, throttled by
    ``registers.jobs.Progress``), so the page shows a progress bar that survives a reload;
    the outcome (a message, the rows' errors, or the exported file) stays here until
    ``registers.jobs.jobs_clean`` deletes the job after JOBS_KEEP_DAYS. Only the user who
    started a job sees it. The id is a random UUID: a job's address tells nothing of others.

    ``file`` is in private storage: the exported file, or for an import the rows waiting
    to be imported (deleted once imported).
    """

    class Kind(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    FINISHED = (Status.DONE, Status.FAILED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # What is imported or exported: an import kind ("members") or a register ("alliance:member").
    subject = models.CharField(max_length=100)
    title = models.CharField(_("title"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    params = models.JSONField(default=dict, blank=True)  # an export's query string; the list to go back to
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    checked = models.PositiveIntegerField(default=0)  # rows checked (imports)
    done = models.PositiveIntegerField(default=0)  # rows imported, or written to the file
    message = models.TextField(blank=True)
    row_errors = models.JSONField(default=list, blank=True)  # [{"line", "name", "errors"}] of a refused import
    file = models.FileField(storage=private_storage, upload_to="jobs/", max_length=200, blank=True)
    filename = models.CharField(max_length=200, blank=True)  # the name the download is offered under
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import or export job")
        verbose_name_plural = _("import and export jobs")
        indexes = [models.Index(fields=["created_at"], name="registers_job_created_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.title} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in self.FINISHED

    # The counts of a running job live in the cache, not in its row: an import writes its rows
    # in one transaction (all or nothing), and an UPDATE of the job row made inside it would
    # stay invisible to the page until the commit, so the bar would jump from 0 to 100. The
    # row gets the counts when the job ends.
    def _progress_key(self):
        return f"registers:job:{self.pk}:progress"

    def mark_running(self):
        """The worker took the job (an UPDATE of its row, before any transaction of the work)."""
        self.status = self.Status.RUNNING
        Job.objects.filter(pk=self.pk).update(status=self.Status.RUNNING)

    def record_progress(self, *, total=None, checked=None, done=None):
        """Publish the counts for the job's page (throttled by ``registers.jobs.Progress``)."""
        for name, value in (("total", total), ("checked", checked), ("done", done)):
            if value is not None:
                setattr(self, name, value)
        cache.set(self._progress_key(), {"total": self.total, "checked": self.checked, "done": self.done},
                  PROGRESS_SECONDS)

    def forget_progress(self):
        cache.delete(self._progress_key())

    def counts(self):
        """``{"total", "checked", "done"}``: the last published counts while it runs, the row's after."""
        counts = {"total": self.total, "checked": self.checked, "done": self.done}
        if not self.is_finished:
            counts.update(cache.get(self._progress_key()) or {})
        return counts


class Submission(Reviewable, TrackedModel):
    """A partner editor's new record or proposed change to one, waiting for a coordinator.

    A new record (``kind`` new) is in its register already, ``approval`` submitted, and counts
    once this is approved. A change to an approved record (``kind`` change) is kept here, not in
    the record: ``payload`` holds the proposed values as the form posted them and ``changes`` the
    fields' old and new values as the reviewer reads them; the approved version keeps counting until
    a coordinator approves the change, which then applies it (``registers.submissions``).
    """

    class Kind(models.TextChoices):
        NEW = "new", _("New record")
        CHANGE = "change", _("Proposed change")

    REVIEWER_RULE = _("Only a coordinator validates the partners' submissions.")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    register = models.CharField(_("register"), max_length=100)  # "training:micro-credential"
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    organisation = models.ForeignKey(settings.ORGANISATION_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="submissions", verbose_name=_("responsible organisation"))
    title = models.CharField(_("record"), max_length=300)
    payload = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True)  # [{"field", "label", "old", "new"}]
    base_version = models.PositiveIntegerField(default=1)  # the record's version the change was made on

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["submitted_at", "id"]
        indexes = [
            models.Index(fields=["status", "submitted_at", "id"], name="submission_waiting"),
            models.Index(fields=["content_type", "object_id"], name="submission_record"),
            models.Index(fields=["organisation", "status"], name="submission_organisation"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def may_be_reviewed_by(self, user):
        return roles.is_coordinator(user)

    @property
    def record(self):
        model = self.content_type.model_class()
        return model._default_manager.filter(pk=self.object_id).first() if model else None


class WebhookEndpoint(models.Model):
    """A URL of another system told of events (``registers.webhooks``), registered by an administrator.

    Each delivery is signed with the endpoint's secret (HMAC-SHA256 of the timestamp and the body),
    so the receiver can check that it comes from here and was not replayed later.
    """

    class Event(models.TextChoices):
        INDICATOR_VALUE_CHANGED = "indicator.value_changed", _("An indicator's value changed")
        SUBMISSION_DECIDED = "submission.decided", _("A submission was approved or rejected")
        PERIOD_CLOSED = "period.closed", _("A reporting period was closed")

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500, help_text=_(
        "Where the events are posted. Never a loopback or private address (unless the server allows it)."))
    secret = models.CharField(_("secret"), max_length=128, default=generate_webhook_secret, help_text=_(
        "Shared with the receiver, which checks the X-LCAMP-Signature header with it. At least 32 characters."))
    events = models.JSONField(_("events"), default=list, help_text=_("The events sent to this URL."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if not isinstance(self.events, list) or not self.events or any(
                event not in self.Event.values for event in self.events):
            errors["events"] = _("Choose at least one event among: %(events)s.") % {
                "events": ", ".join(self.Event.values)}
        if len(self.secret or "") < 32:
            errors["secret"] = _("A secret has at least 32 characters.")
        if errors:
            raise ValidationError(errors)


class WebhookDelivery(models.Model):
    """One event sent to one endpoint: its body, and how its attempts went (``WebhookAttempt``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RETRYING = "retrying", _("Failed, will try again")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed, gave up")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries",
                                 verbose_name=_("endpoint"))
    event = models.CharField(_("event"), max_length=40, choices=WebhookEndpoint.Event.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="webhook_delivery_created_idx")]

    def __str__(self):
        return f"{self.event} → {self.endpoint} ({self.get_status_display()})"


class WebhookAttempt(models.Model):
    """One try of a delivery: the response's status (or why there was none) and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log",
                                 verbose_name=_("delivery"))
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    retry_in_seconds = models.PositiveIntegerField(_("next try in (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"#{self.number} {self.response_status or self.error}"
