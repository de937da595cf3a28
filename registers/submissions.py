"""A partner editor's records: submitted, validated by a coordinator, then counted.

A partner editor keeps the records its own organisation is responsible for
(``Validated.owner_of``). What it creates is saved in the register with ``approval``
submitted and a ``Submission`` (kind new) waits for a coordinator; it counts once approved,
from its own event dates. What it changes in an approved record is not saved in the record:
a ``Submission`` (kind change) keeps the form's input and the fields' old and new values, and
the approved version keeps counting until a coordinator approves the change, which then goes
through the register's own save hook. A rejected record goes back to the partner with the
reason; its next save submits it again.

Coordinators decide through ``decide``, which wraps the one review workflow
(``reviews.review``: nobody reviews their own submission, a rejection needs its reason).
"""

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext

from accounts import roles

from . import display, reviews
from .after_closing import recorded_after_closing
from .models import Approval, Submission, Validated
from .records import Change, field_label, record_save

if TYPE_CHECKING:
    from accounts.models import User


def is_validated(model: type[models.Model]) -> bool:
    """Whether ``model``'s records have a responsible organisation and wait for validation."""
    return isinstance(model, type) and issubclass(model, Validated)


def submits(user: "User") -> bool:
    """Whether what ``user`` writes is submitted for validation (a partner editor's) instead of applied."""
    return roles.is_partner_editor(user)


def owner_error(instance: Validated, user: "User", m2m: dict | None = None) -> str | None:
    """The message when ``user`` (a partner) may not write ``instance`` as it would be saved: another
    organisation is responsible for it. None when it may."""
    if not roles.is_partner(user):
        return None
    owner = instance.owner_of(m2m)
    if owner is not None and owner == user.organisation_id:
        return None
    from django.apps import apps
    from django.conf import settings

    organisation_model = apps.get_model(settings.ORGANISATION_MODEL)
    names = dict(organisation_model._default_manager.filter(pk__in=[i for i in (owner, user.organisation_id) if i])
                 .values_list("pk", "name"))
    if user.organisation_id is None:
        return gettext("Your account belongs to no organisation, so you can keep no records; ask a coordinator.")
    if owner is None:
        return gettext("Name the organisation responsible for this %(kind)s: yours, %(own)s.") % {
            "kind": instance._meta.verbose_name, "own": names.get(user.organisation_id, "")}
    return gettext("%(owner)s is responsible for this %(kind)s, not your organisation (%(own)s): you keep only "
                   "your own organisation's records.") % {
        "owner": names.get(owner, owner), "kind": instance._meta.verbose_name,
        "own": names.get(user.organisation_id, "")}


def check_owner(instance: Validated, user: "User", m2m: dict | None = None) -> None:
    message = owner_error(instance, user, m2m)
    if message:
        raise ValidationError(message)


def _waiting(record: models.Model) -> "models.QuerySet[Submission]":
    return Submission.objects.filter(content_type=ContentType.objects.get_for_model(type(record)),
                                     object_id=record.pk, status=Submission.Status.SUBMITTED)


def waiting_for(record: models.Model) -> list[Submission]:
    """The submissions of ``record`` waiting for a coordinator, oldest first."""
    return list(_waiting(record).select_related("submitted_by"))


def latest_for(record: models.Model) -> Submission | None:
    return (Submission.objects.filter(content_type=ContentType.objects.get_for_model(type(record)),
                                      object_id=record.pk).select_related("submitted_by", "reviewed_by")
            .order_by("-submitted_at", "-pk").first())


def _submission(record: Validated, register_key: str, user: "User", kind: str, **fields: Any) -> Submission:
    fields.setdefault("base_version", getattr(record, "version", 1))
    return Submission.objects.create(
        kind=kind, register=register_key, content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk, organisation_id=record.owner_of(), title=str(record)[:300], submitted_by=user,
        submitted_at=timezone.now(), **fields)


@transaction.atomic
def submit_new(record: Validated, register_key: str, user: "User") -> Submission:
    """``record`` (saved with ``approval`` submitted) waits for a coordinator; an earlier submission of it
    still waiting is replaced (the reviewer sees the latest)."""
    _waiting(record).filter(kind=Submission.Kind.NEW).update(status=Submission.Status.WITHDRAWN)
    return _submission(record, register_key, user, Submission.Kind.NEW)


def form_payload(form) -> dict[str, list[str]]:
    """The form's input as posted (field names only), to rebuild the form when the change is approved."""
    data = form.data
    names = set(form.fields) | {f"{name}_0" for name in form.fields} | {f"{name}_1" for name in form.fields}
    return {key: data.getlist(key) if hasattr(data, "getlist") else [data[key]] for key in data if key in names}


def payload_data(payload: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in payload.items():
        data.setlist(key, list(values))
    return data


def display_value(model: type[models.Model], name: str, value: Any) -> str:
    """A field's value as a person reads it (``registers.display``: one rule for every page)."""
    return display.value_text(model, name, value)


def form_changes(form, saved: models.Model) -> list[Change]:
    """What ``form`` (bound, valid, on ``saved``'s record) changes, old and new as a person reads them."""
    model = type(saved)
    changes: list[Change] = []
    for name in form.changed_data:
        if name in ("version", "reason") or name not in form.cleaned_data:
            continue
        model_field = next((f for f in model._meta.get_fields() if f.name == name), None)
        if model_field is None:  # a form-only field
            continue
        if model_field.many_to_many:
            old: Any = list(getattr(saved, name).all()) if saved.pk else []
            new: Any = list(form.cleaned_data[name])
            if {o.pk for o in old} == {o.pk for o in new}:
                continue
        else:
            old = getattr(saved, name)
            new = form.cleaned_data[name]
            if old == new or display.same_value(old, new):
                continue
        changes.append({"field": name, "label": field_label(model, name),
                        "old": display_value(model, name, old), "new": display_value(model, name, new)})
    return changes


@transaction.atomic
def propose_change(record: Validated, register_key: str, form, user: "User", form_kind: str = "form") -> Submission:
    """A partner editor's change to the approved ``record``: kept for a coordinator, not applied.

    ``form`` is the bound, valid edit (or status) form; the record itself is not saved, so its
    approved version keeps counting. A change of the same record waiting already is replaced.
    Raises ValidationError when the form changes nothing.
    """
    saved = type(record)._default_manager.get(pk=record.pk)
    changes = form_changes(form, saved)
    if not changes:
        raise ValidationError(gettext("This changes nothing: the record already has these values."))
    _waiting(saved).filter(kind=Submission.Kind.CHANGE).update(status=Submission.Status.WITHDRAWN)
    return _submission(saved, register_key, user, Submission.Kind.CHANGE,
                       payload={"form": form_kind, "data": form_payload(form)}, changes=changes,
                       base_version=form.expected_version())


# --- A change sent as values (the API) -------------------------------------------------------------


def _form_text(value: Any) -> str:
    """One value as a page would post it: a record by its id, a date ISO, a boolean true/false."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _form_values(form_field: forms.Field, value: Any) -> list[str]:
    """The posted values of ``form_field`` holding ``value`` (a list as one line a value for a text field)."""
    if isinstance(form_field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
        items = value if isinstance(value, (list, tuple, set, models.QuerySet)) else [] if value is None else [value]
        return [_form_text(item) for item in items]
    if value is None:
        return [""]
    if isinstance(form_field, forms.JSONField):
        import json

        return [json.dumps(value)]
    if isinstance(value, (list, tuple)):
        return ["\n".join(_form_text(item) for item in value)]
    return [_form_text(value)]


def form_data(form_class: type, record: models.Model, values: dict[str, Any], user: "User") -> QueryDict:
    """The data ``form_class`` would be posted with to change ``record`` into ``values`` (field name to
    Python value, e.g. an API body), the record's own values elsewhere: a change sent to the API is then
    checked, kept and applied (``_apply_change``) exactly as one made on the page."""
    form = form_class(instance=record, user=user)
    data = QueryDict(mutable=True)
    for name, form_field in form.fields.items():
        if name == "version":
            continue
        value = values[name] if name in values else form.get_initial_for_field(form_field, name)
        data.setlist(name, _form_values(form_field, value))
    return data


def _differs(record: models.Model, name: str, value: Any) -> bool:
    try:
        model_field = type(record)._meta.get_field(name)
    except FieldDoesNotExist:
        return False  # not the record's (a write-only option of the request)
    if model_field.many_to_many:
        current = {o.pk for o in getattr(record, name).all()} if record.pk else set()
        return current != {getattr(item, "pk", item) for item in value or []}
    return getattr(record, name) != value


def _change_form_class(register, record: models.Model, changed: set[str]) -> tuple[type, str]:
    """``(form class, form kind)`` a change of the fields ``changed`` goes through, as on the pages: a
    status change (retire, cancel, withdraw: the status form's fields only, ending the record or
    touching what the edit form leaves out) through the status form, anything else the edit form."""
    edit_class = register.edit_form_class or register.form_class
    status_class = register.status_form_class
    if status_class and changed and changed <= set(status_class.base_fields):
        end_status = register.end_status
        ends = bool(end_status) and "status" in changed and getattr(record, "status", None) != end_status
        if ends or changed - set(edit_class.base_fields):
            return status_class, "status"
    return edit_class, "form"


@transaction.atomic
def propose_values(record: Validated, register_key: str, values: dict[str, Any], user: "User",
                   expected_version: int | None = None) -> Submission:
    """A partner editor's change to the approved ``record`` sent as values (the API): checked by the
    register's edit (or status) form, as the page posts it, and kept as ``propose_change`` keeps it.

    Raises ValidationError (field messages) when the form refuses it, it names another organisation
    responsible, it changes a field neither form edits, or it changes nothing.
    """
    from .forms import limit_status_choices

    register = _register(register_key)
    changed = {name for name, value in values.items() if name != "version" and _differs(record, name, value)}
    form_class, kind = _change_form_class(register, record, changed)
    outside = sorted(changed - set(form_class.base_fields))
    if outside:
        raise ValidationError({name: gettext("A partner's change cannot set this field here.") for name in outside})
    data = form_data(form_class, record, values, user)
    data["version"] = str(expected_version or record.version)
    # The form writes the input on its instance: a copy, so that ``record`` stays as saved.
    form = form_class(data, instance=type(record)._default_manager.get(pk=record.pk), user=user)
    if kind == "form":
        limit_status_choices(form, register.end_status)
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    check_owner(form.instance, user, form.m2m_values())
    return propose_change(record, register_key, form, user, form_kind=kind)


def _register(key: str):
    from .registry import EXPORTS, REGISTER_PAGES

    register = REGISTER_PAGES.get(key) or EXPORTS.get(key)
    if register is None:
        raise ValidationError(gettext("The register of this submission no longer exists."))
    return register


def _apply_change(submission: Submission, record: Validated, reviewer: "User") -> None:
    """Apply the approved change through the register's form and save hook, as its author wrote it."""
    register = _register(submission.register)
    if getattr(record, "version", None) != submission.base_version:
        raise ValidationError(gettext(
            "The record changed since this change was proposed, so it may no longer be what its author meant: "
            "reject it and ask for it again on the current record."))
    form_kind = submission.payload.get("form", "form")
    author = submission.submitted_by
    if form_kind == "status":
        form_class = register.status_form_class
        save = register.status_update
    else:
        form_class = register.edit_form_class or register.form_class
        save = register.update
    data = payload_data(submission.payload.get("data", {}))
    data["version"] = str(record.version)
    form = form_class(data, instance=record, user=author)
    if not form.is_valid():
        errors = "; ".join(f"{field_label(type(record), name) if name != '__all__' else ''} {' '.join(errs)}".strip()
                           for name, errs in form.errors.items())
        raise ValidationError(gettext("The change no longer fits the record: %(errors)s") % {"errors": errors})
    if save is None:
        record_save(instance=form.instance, expected_version=record.version, user=author, m2m=form.m2m_values())
    else:
        save(form, author, record.version)


@transaction.atomic
def decide(*, submission: Submission, reviewer: "User", decision: reviews.Decision | str, note: str = "") -> Submission:
    """Approve or reject ``submission`` (``reviews.review``: its checks, then the record's change).

    Approving a new record makes it count from its own event dates; approving a change applies it.
    Rejecting a new record returns it to the partner (``approval`` rejected) with the reason; a
    rejected change leaves the record as it was. A record dated inside a closed reporting period
    counts once approved with a note: the approval is then *recorded after closing* with the note
    as its reason (the period's reported figures stay, a late fact lists it); without a note it
    is refused, and nothing is decided. Raises ReviewRefused or ValidationError.
    """
    try:
        with transaction.atomic():
            return _decide(submission, reviewer, decision, note)
    except ValidationError as error:
        if not _closed_period_refusal(error):
            raise
        if not note.strip():
            raise ValidationError(gettext(
                "%(refusal)s To count it from today and keep the period's reported figures, approve it with a "
                "note saying why it is recorded after closing.") % {"refusal": " ".join(error.messages)},
                code="closed_period") from error
    submission.refresh_from_db()  # as it was before the refused attempt
    with transaction.atomic(), recorded_after_closing(note, reviewer):
        return _decide(submission, reviewer, decision, note)


def _closed_period_refusal(error: ValidationError) -> bool:
    return any(getattr(item, "code", None) == "closed_period" for item in error.error_list) if hasattr(
        error, "error_list") else False


def _decide(submission: Submission, reviewer: "User", decision: reviews.Decision | str, note: str) -> Submission:
    decided = reviews.review(obj=submission, reviewer=reviewer, decision=decision, note=note)
    record = decided.record
    if record is None:
        raise ValidationError(gettext("The record of this submission no longer exists."))
    record = type(record)._default_manager.select_for_update().get(pk=record.pk)
    approved = decided.status == Submission.Status.APPROVED
    if decided.kind == Submission.Kind.NEW:
        record.approval = Approval.APPROVED if approved else Approval.REJECTED
        record_save(instance=record, user=reviewer)
    elif approved:
        _apply_change(decided, record, reviewer)
    return decided


def prepare_write(instance: Validated, user: "User", m2m: dict | None = None) -> None:
    """Before a partner editor's record is saved: its organisation must be responsible for it, and it
    waits for validation. Raises ValidationError naming the responsible organisation otherwise."""
    check_owner(instance, user, m2m)
    instance.approval = Approval.SUBMITTED


def may_write(user: "User") -> bool:
    """Whether ``user`` may write at all: a partner editor only with an organisation (it keeps its own)."""
    if not submits(user):
        return True
    return user.organisation_id is not None
