"""The write path of every register: create, save under an optimistic lock, and the history.

The domain apps' services (and the API, the register pages and the imports) write through
``record_create`` and ``record_save`` (either: ``record_create_or_save``), so the rules are the
same whatever the door: ``full_clean`` first, the history's user, a unique clash lost to a
concurrent save told as a ``ValidationError``, and no edit overwriting one saved since the editor
read the record (``StaleEdit``, listing what changed since).
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypedDict, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy

from . import display

if TYPE_CHECKING:
    from accounts.models import User

_Record = TypeVar("_Record", bound=models.Model)
# A many-to-many field's name and the objects to set.
M2MValues = Mapping[str, Iterable[models.Model]]


class Change(TypedDict):
    """One field's change in a history entry, its values as a person reads them."""

    field: str
    label: str
    old: str
    new: str


# What happened to a record, as its history says it (the entry's ``kind_label``).
HISTORY_KINDS = {
    "created": pgettext_lazy("a record's history", "created"),
    "changed": pgettext_lazy("a record's history", "changed"),
    "corrected": pgettext_lazy("a record's history", "corrected"),
    "deleted": pgettext_lazy("a record's history", "deleted"),
}


class HistoryEntry(TypedDict):
    history_id: int
    when: datetime.datetime
    who: "User | None"
    kind: str  # "created", "changed", "corrected" or "deleted"
    kind_label: str  # the kind in the reader's language
    version: int | None
    changes: list[Change]
    reason: str


class StaleEdit(ValidationError):
    """The record changed since the form was read. ``changes`` lists what changed since."""

    def __init__(self, instance: models.Model, changes: list[Change], current_version: int) -> None:
        self.changes = changes
        self.current_version = current_version
        names = ", ".join(sorted({str(c.get("label") or c["field"]) for c in changes})) or gettext("the record")
        parts = {"kind": instance._meta.verbose_name, "fields": names}
        # What happened, for any client (the API says it as is); the form adds what to do on its page.
        self.summary = gettext("Somebody else saved this %(kind)s since you read it (changed: %(fields)s).") % parts
        super().__init__(
            gettext("Somebody else saved this %(kind)s while you were editing it (changed: %(fields)s). Your "
                    "input is kept below: check the changes, then save again to apply yours.") % parts
        )


def _save_or_refuse_clash(instance: models.Model) -> None:
    """Save; a unique constraint that a concurrent save won meanwhile becomes a ValidationError.

    ``full_clean`` checked the constraints a moment before, but two requests can pass
    that check together; the database then refuses the second insert, and the user gets
    the same clear message instead of an error page.
    """
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        instance.full_clean()  # names the field when the clash is now visible
        raise ValidationError(
            gettext("This %(kind)s clashes with one saved at the same moment; check the existing records and "
                    "try again.") % {"kind": instance._meta.verbose_name}) from error


@transaction.atomic
def record_create(*, instance: _Record, user: "User | None" = None, m2m: M2MValues | None = None) -> _Record:
    """Validate with ``full_clean`` and save a new record (version 1) with its many-to-many values.

    ``m2m`` maps a many-to-many field name to the objects to set.
    """
    instance.full_clean()
    instance._history_user = user  # type: ignore[attr-defined]  # simple_history reads it: the change's author
    _save_or_refuse_clash(instance)
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    return instance


def current_version(instance: models.Model) -> int:
    """The version a form carries: ``version`` of a TrackedModel, else the id of the latest history row."""
    if hasattr(instance, "version"):
        version: int = instance.version
        return version
    history = instance.history  # type: ignore[attr-defined]  # simple_history's manager
    latest: int | None = history.order_by("-history_id").values_list("history_id", flat=True).first()
    return latest or 0


@transaction.atomic
def record_save(*, instance: _Record, expected_version: int | None = None, user: "User | None" = None,
                m2m: M2MValues | None = None, validate: bool = True) -> _Record:
    """Save an edited record unless somebody saved it after ``expected_version`` was read (by default
    the version ``instance`` carries: the one it was read at, ``current_version``).

    For a TrackedModel the check and the version bump are one
    ``UPDATE ... WHERE pk = %s AND version = %s``: PostgreSQL locks the row, so of two
    concurrent saves of the same version exactly one updates a row and the other finds
    none and is refused with ``StaleEdit`` (listing what changed since); nothing is
    overwritten silently. A model without ``version`` (Region) is locked with
    SELECT ... FOR UPDATE and compared on its latest history row. ``instance`` carries
    the new values.
    """
    model = type(instance)
    if expected_version is None:
        expected_version = current_version(instance)
    if validate:
        instance.full_clean()
    if hasattr(instance, "version"):
        updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
            version=expected_version + 1)
        current = None
        if not updated:
            current = model._default_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
    else:
        locked = model._default_manager.select_for_update().filter(pk=instance.pk).exists()
        current = current_version(instance) if locked else None
        updated = locked and current == expected_version
    if not updated:
        if current is None:
            raise ValidationError(gettext("This %(kind)s no longer exists.") % {"kind": model._meta.verbose_name})
        raise StaleEdit(instance, changes_since(instance, expected_version), current)
    if hasattr(instance, "version"):
        instance.version = expected_version + 1
    instance._history_user = user  # type: ignore[attr-defined]
    _save_or_refuse_clash(instance)
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    return instance


def record_create_or_save(*, instance: _Record, user: "User | None" = None, m2m: M2MValues | None = None,
                          expected_version: int | None = None) -> _Record:
    """Create ``instance`` when it has no pk (``record_create``), else save it under the lock
    (``record_save``, against ``expected_version`` or the version it carries): a service's ``*_save``."""
    if instance.pk is None:
        return record_create(instance=instance, user=user, m2m=m2m)
    return record_save(instance=instance, user=user, m2m=m2m, expected_version=expected_version)


def record_end(*, instance: _Record, on: datetime.date | None = None, user: "User | None" = None,
               expected_version: int | None = None) -> _Record:
    """End ``instance``'s life (its model's ``end_of_life``: retire, cancel, close) on ``on``, today by
    default: it counts up to the day before."""
    status, date_field = instance.end_of_life  # type: ignore[attr-defined]  # a TrackedModel
    instance.status = status  # type: ignore[attr-defined]
    setattr(instance, date_field, on or timezone.localdate())
    return record_create_or_save(instance=instance, user=user, expected_version=expected_version)


def changes_since(instance: models.Model, version: int) -> list[Change]:
    """What changed in ``instance`` after ``version``: a list of history changes (see ``history_entries``)."""
    entries = history_entries(instance)
    if not hasattr(instance, "version"):
        return [c for e in entries if e["history_id"] > version for c in e["changes"]]
    read_at = [e for e in entries if e["version"] is not None and e["version"] <= version]
    if not read_at:
        return [c for e in entries for c in e["changes"]]
    cutoff = read_at[0]["history_id"]
    return [c for e in entries if e["history_id"] > cutoff for c in e["changes"]]


def field_label(model: type[models.Model], name: str) -> str:
    """The verbose name of ``model``'s field ``name`` (the name itself for a field removed since)."""
    try:
        # A reverse relation has no verbose name: its name.
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except Exception:  # noqa: BLE001 - a field removed since
        return name


def history_entries(instance: models.Model, limit: int | None = None) -> list[HistoryEntry]:
    """The change history of ``instance``, newest first.

    Each entry: ``{"history_id", "when", "who", "kind" ("created"/"changed"/"corrected"/"deleted"), "kind_label",
    "version", "changes": [{"field", "label", "old", "new"}], "reason"}`` (the reason of a correction).
    """
    model = type(instance)
    history = instance.history  # type: ignore[attr-defined]  # simple_history's manager
    records = list(history.select_related("history_user").order_by("history_id"))
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        changes: list[Change] = []
        if previous is not None:
            delta = record.diff_against(previous, foreign_keys_are_objs=True)
            for change in delta.changes:
                # Only what a reader sees change: not a list reordered, a text saved again the same.
                old = display.value_text(model, change.field, change.old)
                new = display.value_text(model, change.field, change.new)
                if display.same_value(change.old, change.new) or old == new:
                    continue
                changes.append({"field": change.field, "label": field_label(model, change.field),
                                "old": old, "new": new})
        kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
        reason = getattr(record, "history_change_reason", None) or ""
        if reason and kind == "changed":
            kind = "corrected"
        if kind in ("created", "deleted", "corrected") or changes:
            entries.append({
                "history_id": record.history_id,
                "when": record.history_date,
                "who": record.history_user,
                "kind": kind,
                "kind_label": str(HISTORY_KINDS[kind]),
                "version": getattr(record, "version", None),
                "changes": changes,
                "reason": reason,
            })
        previous = record
    entries.reverse()
    return entries[:limit] if limit else entries
