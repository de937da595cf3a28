"""A stored value as a person reads it, on a record's page, in its history and in a proposed change.

One function for the three (``value_text``): choices by their label, records by their name, countries
by their name, dates and numbers in the reader's language (``15 January 2023``, ECTS ``3`` not
``3.0``), lists joined, an empty value as a dash. A model names what only it knows (an ESCO skill's
preferred label, a language's name, an ISCED-F field) with a classmethod
``value_labels(name, values) -> {value: label} | None``: the labels of the codes a field holds (a list
or one code), or None for a field it leaves to the rules here.

``same_value`` says whether two stored values read the same, so that a history lists real changes
only: a list in another order, a text with other line endings, 3.0 and 3.00.
"""

import datetime
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext
from django_countries.fields import CountryField

from . import l10n

EMPTY = "—"


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a field removed since, or a form's own field
        return None


def number_text(value: Decimal | float | int) -> str:
    """A number as people write it, in the reader's language: 3, 2.5, 1,200 (no trailing zeros)."""
    if isinstance(value, Decimal):
        value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value, use_l10n=True, force_grouping=abs(value) >= 10_000)


def _labels(model: type[models.Model], name: str, values: list[Any]) -> dict[Any, str]:
    hook = getattr(model, "value_labels", None)
    labels = hook(name, values) if hook is not None else None
    return {key: str(label) for key, label in (labels or {}).items()}


def _related_names(model_field: Any, value: Any) -> list[str]:
    """The names of the records of a many-to-many value: objects, ids, or history rows ({field: id})."""
    related = model_field.related_model
    if isinstance(value, models.QuerySet) or (value and all(isinstance(v, models.Model) for v in value)):
        return [str(o) for o in value]
    key = model_field.m2m_reverse_field_name()
    ids = [getattr(row.get(key), "pk", row.get(key)) if isinstance(row, dict) else getattr(row, "pk", row)
           for row in value]
    return [str(o) for o in related._default_manager.filter(pk__in=ids)]


def value_text(model: type[models.Model], name: str, value: Any) -> str:
    """``value`` of ``model``'s field ``name`` as a person reads it (see the module's docstring)."""
    if value is None or value == "" or (isinstance(value, (list, tuple, set)) and not value):
        return EMPTY
    model_field = _field(model, name)
    if model_field is not None and model_field.many_to_many:
        return ", ".join(sorted(_related_names(model_field, value))) or EMPTY
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        labels = _labels(model, name, list(value))
        return ", ".join(labels.get(v, _scalar(model_field, v)) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        labels = _labels(model, name, [value])
        if value in labels:
            return labels[value]
    return _scalar(model_field, value)


def _scalar(model_field: Any, value: Any) -> str:
    if isinstance(model_field, CountryField) or type(value).__name__ == "Country":
        return l10n.country_name(getattr(value, "code", value)) or str(value)
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        return l10n.long_datetime(value)
    if isinstance(value, datetime.date):
        return l10n.long_date(value)
    if isinstance(value, (Decimal, float, int)):
        return number_text(value)
    return str(value)


def _comparable(value: Any) -> Any:
    """``value`` with what a person does not see as a change taken out."""
    if isinstance(value, (list, tuple, set)):
        items = [_comparable(v) for v in value]
        return sorted(items, key=repr)
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(value, (Decimal, float)) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    return value


def same_value(old: Any, new: Any) -> bool:
    """Whether ``old`` and ``new`` read the same: a list in another order (languages, skills, records),
    a text differing in line endings or surrounding blanks, a number with other trailing zeros;
    "" and None (both shown empty)."""
    if old in (None, "", []) and new in (None, "", []):
        return True
    return bool(_comparable(old) == _comparable(new))


def distinct_labels(candidates: Mapping[Any, Sequence[str]]) -> dict[Any, str]:
    """``{key: label}``, no two keys sharing a label: each key's first name, and where two keys share it,
    its next names in parentheses, one more at a time (a name already in the first is skipped), then its key.

    ``{1: ["Skills observatory", "País Vasco", "Tknika"], 2: ["Skills observatory", "País Vasco", "Ikaslan"]}``
    gives ``Skills observatory (País Vasco, Tknika)`` and ``Skills observatory (País Vasco, Ikaslan)``:
    a breakdown never shows two parts under one label.
    """
    chosen = {key: [str(names[0]) if names else str(key)] for key, names in candidates.items()}
    spare = {key: [str(n) for n in names[1:] if n and str(n) not in chosen[key][0]]
             for key, names in candidates.items()}

    def text(key: Any) -> str:
        first, *more = chosen[key]
        return f"{first} ({', '.join(more)})" if more else first

    while True:
        by_label: dict[str, list[Any]] = {}
        for key in chosen:
            by_label.setdefault(text(key), []).append(key)
        clashes = [keys for keys in by_label.values() if len(keys) > 1]
        if not clashes:
            return {key: text(key) for key in chosen}
        qualified = False
        for keys in clashes:
            for key in keys:
                if spare[key]:
                    chosen[key].append(spare[key].pop(0))
                    qualified = True
        if not qualified:  # the names run out: the key, unique, ends every clash
            for keys in clashes:
                for key in keys:
                    chosen[key].append(f"#{key}")


def in_sentence(text: str) -> str:
    """``text`` to follow a word in a sentence ("by …"): its first letter lowered unless its first word is
    an acronym or a name in capitals ("Country" -> "country", "EQF level" and "NACE section" unchanged)."""
    text = str(text)
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1].isupper():
        return text
    return text[:1].lower() + text[1:]
