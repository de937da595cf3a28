"""Check constraints validated in Python, the way the database would, without asking it.

Django validates each ``CheckConstraint`` of a model by sending its condition to the
database (a query inside a savepoint: three round trips), and a record is validated twice
on its way in (the form, then the service's ``full_clean``): a micro-credential costs
some thirty round trips before it is written. The conditions the registers use are
simple (a field compared with a constant or another field, ``isnull``, and/or/not),
so they are evaluated here with SQL's three-valued logic: a comparison with NULL is
unknown, and an unknown condition passes, as ``CHECK`` (and Django's own validation)
lets it. Anything else (a lookup across a relation, a function, an expression held by a
field) answers ``UNSUPPORTED`` and is asked of the database as before.

The conditions the registers share (a status that goes with its date, a date not before
another) are built here, each in one place; a model names them with its own prefix.
"""

import datetime
import decimal
import numbers

from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import CheckConstraint, F, Model, Q

UNSUPPORTED = object()
_COMPARISONS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


class _Unsupported(Exception):
    pass


def status_has_date(status, date_field, *, name):
    """A record in ``status`` has ``date_field`` (a published credential has ``published_on``)."""
    return CheckConstraint(condition=~Q(status=status) | Q(**{f"{date_field}__isnull": False}), name=name)


def status_iff_date(status, date_field, *, name):
    """A record is in ``status`` exactly when it has ``date_field`` (a retired one has ``retired_on``, no
    other has)."""
    return CheckConstraint(condition=Q(**{"status": status, f"{date_field}__isnull": False})
                           | (~Q(status=status) & Q(**{f"{date_field}__isnull": True})), name=name)


def not_before(field, start_field, *, name, start_may_be_empty=False):
    """``field`` (an end: left, ended, retired) is empty or not before ``start_field``; with
    ``start_may_be_empty``, an empty start passes too (a draft not yet published)."""
    condition = Q(**{f"{field}__isnull": True})
    if start_may_be_empty:
        condition |= Q(**{f"{start_field}__isnull": True})
    return CheckConstraint(condition=condition | Q(**{f"{field}__gte": F(start_field)}), name=name)


def _kind(value):
    """What a value compares with: the same kind only (a text is never compared with a number)."""
    if isinstance(value, bool):
        return bool
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        return decimal.Decimal  # int, float and Decimal compare with each other
    if isinstance(value, datetime.datetime):
        return datetime.datetime
    if isinstance(value, datetime.date):
        return datetime.date
    if isinstance(value, str):
        return str
    raise _Unsupported


def _operand(value, values):
    if isinstance(value, F):
        if value.name not in values:
            raise KeyError(value.name)
        return values[value.name]
    if isinstance(value, Model):
        return value.pk
    if hasattr(value, "resolve_expression"):
        raise _Unsupported
    return value


def _lookup(lookup, rhs, values):
    name, _, operator = lookup.partition("__")
    operator = operator or "exact"
    if "__" in operator:
        raise _Unsupported  # a lookup across a relation or a transform
    if name not in values:
        raise KeyError(name)
    lhs = values[name]
    if hasattr(lhs, "resolve_expression"):
        raise _Unsupported
    rhs = _operand(rhs, values)
    if operator == "isnull":
        if not isinstance(rhs, bool):
            raise _Unsupported
        return (lhs is None) == rhs
    if operator == "exact" and rhs is None:
        return lhs is None  # Django writes field=None as IS NULL
    if operator != "exact" and operator not in _COMPARISONS:
        raise _Unsupported
    if lhs is None or rhs is None:
        return None  # SQL: a comparison with NULL is unknown
    if _kind(lhs) is not _kind(rhs):
        raise _Unsupported
    if operator == "exact":
        return lhs == rhs
    if _kind(lhs) is str:
        raise _Unsupported  # text order is the database's collation
    return _COMPARISONS[operator](lhs, rhs)


def evaluate(condition, values):
    """True, False or None (unknown) of the ``Q`` ``condition`` over ``values`` ({field name: value});
    raises ``KeyError`` for a field not in ``values`` and ``_Unsupported`` for what only SQL can say."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(evaluate(child, values))
        elif isinstance(child, tuple) and len(child) == 2:
            results.append(_lookup(*child, values))
        else:
            raise _Unsupported
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise _Unsupported
    if condition.negated and result is not None:
        result = not result
    return result


def check(constraint, model, instance, exclude=None):
    """True when ``instance`` satisfies the ``CheckConstraint`` (or names a field left out by
    ``exclude``, as Django skips it), False when it breaks it, UNSUPPORTED when only the
    database can tell."""
    exclude = exclude or set()
    values = {field.name: getattr(instance, field.attname) for field in model._meta.local_concrete_fields
              if field.name not in exclude and not field.generated}
    if "pk" not in exclude:
        values["pk"] = instance.pk
    condition = constraint.condition
    if not isinstance(condition, Q):
        return UNSUPPORTED
    try:
        return evaluate(condition, values) is not False
    except KeyError:
        return True  # Django: a FieldError (an excluded field) skips the constraint
    except (_Unsupported, TypeError):
        return UNSUPPORTED


def validate_constraints(instance, exclude=None):
    """``Model.validate_constraints`` with the check constraints evaluated in Python where they can be."""
    using = router.db_for_write(type(instance), instance=instance)
    errors = {}
    for model_class, model_constraints in instance.get_constraints():
        for constraint in model_constraints:
            try:
                verdict = check(constraint, model_class, instance, exclude) \
                    if isinstance(constraint, CheckConstraint) else UNSUPPORTED
                if verdict is UNSUPPORTED:
                    constraint.validate(model_class, instance, exclude=exclude, using=using)
                elif not verdict:
                    raise ValidationError(constraint.get_violation_error_message(),
                                          code=constraint.violation_error_code)
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
