"""The partners' submissions as a source of the review inbox (``review_queues.inbox``).

A new record shows its key facts and its evidence URL, a proposed change each field's old and
new value; both link to the record's page, and a rejected one to its edit page, where its
partner fixes it and submits it again. Coordinators decide through ``submissions.decide``.
"""

from collections import defaultdict

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import submissions
from .models import Submission
from .registry import REGISTER_PAGES
from .review_queues import InboxItem, InboxSource, WaitingItem, inbox, line, review_queues

FACTS = 5  # the first few plain fields of a new record's page


def _register_choices() -> list[tuple[str, str]]:
    return [(key, register.plural) for key, register in REGISTER_PAGES.items()
            if submissions.is_validated(register.model)]


def _fact_names(register) -> list[str]:
    """The register page's first plain facts: no list, no long text (they stay on the record's page)."""
    names = []
    for name in register.detail_fields:
        model_field = register.model._meta.get_field(name)
        if model_field.many_to_many or isinstance(model_field, models.TextField):
            continue
        names.append(name)
    return names[:FACTS]


def _records(page: list[Submission]) -> dict[tuple[int, int], models.Model]:
    """The records of the page's new submissions, one query per register on the page."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for submission in page:
        if submission.kind == Submission.Kind.NEW and submission.register in REGISTER_PAGES:
            wanted[submission.register].add(submission.object_id)
    found = {}
    for key, ids in wanted.items():
        register = REGISTER_PAGES[key]
        related = [n for n in _fact_names(register) if register.model._meta.get_field(n).many_to_one]
        for record in register.model._default_manager.select_related(*related).filter(pk__in=ids):
            found[(submission_type(register.model), record.pk)] = record
    return found


def submission_type(model) -> str:
    return model._meta.label_lower


def _url(register, action: str, pk: int) -> str:
    try:
        return register.url(action, pk)
    except Exception:  # noqa: BLE001 - a register without that page
        return ""


def items(page: list[Submission]) -> list[InboxItem]:
    records = _records(page)
    found = []
    for submission in page:
        register = REGISTER_PAGES.get(submission.register)
        facts, evidence = [], []
        url = fix_url = ""
        if register is not None:
            url = _url(register, "detail", submission.object_id)
            if submission.status == Submission.Status.REJECTED:
                fix_url = _url(register, "edit", submission.object_id)
            record = records.get((submission_type(register.model), submission.object_id))
            if record is not None:
                facts = [(str(register.model._meta.get_field(name).verbose_name).capitalize(),
                          str(register.display_field(record, name))) for name in _fact_names(register)]
                if getattr(record, "evidence_url", ""):
                    evidence.append((gettext("Evidence"), record.evidence_url))
        if url:
            evidence.append((gettext("Record's page"), url))
        user = submission.submitted_by
        found.append(InboxItem(
            key=f"submission:{submission.pk}", source="submission", register=submission.register,
            register_label=register.plural if register else submission.register,
            organisation_id=submission.organisation_id,
            organisation_name=submission.organisation.name if submission.organisation else "",
            title=submission.title, url=url, status=submission.status,
            status_label=submission.get_status_display(), submitted_at=submission.submitted_at,
            submitted_by_id=submission.submitted_by_id,
            submitted_by=(user.get_full_name() or user.get_username()) if user else "",
            kind_label=submission.get_kind_display(), changes=list(submission.changes or []), facts=facts,
            evidence=evidence, review_note=submission.review_note, fix_url=fix_url, obj=submission))
    return found


def decide(obj: Submission, reviewer, decision: str, note: str) -> Submission:
    return submissions.decide(submission=obj, reviewer=reviewer, decision=decision, note=note)


def _submission_line(submission: Submission) -> str:
    """"New record: <title>" in the active language (the recipient's)."""
    return f"{submission.get_kind_display()}: {submission.title}"


def waiting(older_than) -> list[WaitingItem]:
    """The partners' submissions waiting since before ``older_than``, for the reminder e-mails."""
    found = []
    for submission in Submission.objects.filter(status=Submission.Status.SUBMITTED,
                                                submitted_at__lt=older_than).order_by("submitted_at", "pk"):
        register = REGISTER_PAGES.get(submission.register)
        url = _url(register, "detail", submission.object_id) if register else ""
        found.append(WaitingItem(f"submission:{submission.pk}", line(_submission_line, submission), url,
                                 submission.submitted_at))
    return found


def register() -> None:
    """Called once by the app's ``ready``: the inbox's source and the reminders' queue."""
    review_queues.register("submissions", waiting)
    inbox.register(InboxSource(
        name="submission", label=_("Partners' records"), queryset=lambda: Submission.objects.all(),
        items=items, decide=decide, organisation_field="organisation", register_field="register",
        registers=_register_choices, select_related=("organisation", "submitted_by", "content_type")))
