"""The check constraints validated in Python say what the database says, for every check constraint of
every register and any values (NULLs included); what only the database can tell is still asked of it."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registers import constraints
from registers.models import CheckedModel
from tests.factories import MicroCredentialFactory, OrganisationFactory
from tests.hypothesis_profiles import examples

pytestmark = pytest.mark.django_db


def _checked_constraints():
    found = []
    for model in apps.get_models():
        if issubclass(model, CheckedModel):
            found += [(model, c) for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
    return found


CHECKS = _checked_constraints()


def _names(condition):
    for child in condition.children:
        if isinstance(child, Q):
            yield from _names(child)
        else:
            lookup, value = child
            yield lookup.split("__")[0]
            if isinstance(value, F):
                yield value.name


def _values(field):
    """Values of a field's kind around the constraints' bounds, and NULL."""
    if isinstance(field, models.DateField):
        kind = st.dates(min_value=datetime.date(2019, 12, 25), max_value=datetime.date(2020, 1, 5))
    elif isinstance(field, models.DecimalField):
        kind = st.decimals(min_value=-2, max_value=70, places=1)
    elif isinstance(field, models.FloatField):
        kind = st.sampled_from([-181.0, -180.0, -90.5, -90.0, 0.0, 45.5, 90.0, 90.5, 180.0, 181.0])
    elif isinstance(field, models.IntegerField):
        kind = st.integers(min_value=-1, max_value=70)
    elif isinstance(field, models.BooleanField):
        kind = st.booleans()
    elif field.choices:
        kind = st.sampled_from([value for value, _ in field.flatchoices] + [""])
    else:
        kind = st.sampled_from(["", "measure", "x"])
    return st.none() | kind


def test_every_check_constraint_of_the_registers_is_evaluated_in_python():
    assert len(CHECKS) >= 20
    for model, constraint in CHECKS:
        assert constraints.check(constraint, model, model()) is not constraints.UNSUPPORTED, constraint.name


@pytest.mark.parametrize(("model", "constraint"), CHECKS, ids=[c.name for _, c in CHECKS])
@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_python_says_what_the_database_says(model, constraint, data):
    instance = model()
    for name in set(_names(constraint.condition)):
        field = model._meta.get_field(name)
        setattr(instance, field.attname, data.draw(_values(field), label=name))
    in_python = constraints.check(constraint, model, instance)
    try:
        constraint.validate(model, instance)  # Django's: a query to the database
        in_database = True
    except ValidationError:
        in_database = False
    assert in_python == in_database


def test_an_excluded_field_skips_the_constraint_as_django_does():
    credential = MicroCredentialFactory.build(eqf_level=12)
    model = type(credential)
    eqf = next(c for c in model._meta.constraints if c.name == "microcredential_eqf_1_8")
    assert constraints.check(eqf, model, credential) is False
    assert constraints.check(eqf, model, credential, exclude={"eqf_level"}) is True


def test_what_only_the_database_can_tell_is_asked_of_it():
    organisation = OrganisationFactory.build(name="Tknika")
    model = type(organisation)
    across = models.CheckConstraint(condition=Q(region__level__lte=3), name="across")
    function = models.CheckConstraint(condition=Q(Lower("name")), name="function")
    text_order = models.CheckConstraint(condition=Q(name__gt="M"), name="text_order")
    for constraint in (across, function, text_order):
        assert constraints.check(constraint, model, organisation) is constraints.UNSUPPORTED


def test_an_invalid_record_gets_the_constraints_message_without_a_query():
    credential = MicroCredentialFactory.build(eqf_level=9, ects=Decimal("61"))
    with CaptureQueriesContext(connection) as captured:
        with pytest.raises(ValidationError) as raised:
            credential.validate_constraints()
    assert captured.captured_queries == []
    messages = " ".join(raised.value.messages)
    assert "microcredential_eqf_1_8" in messages or "EQF" in messages
    assert len(raised.value.messages) == 2


def test_a_valid_record_is_validated_without_a_check_query():
    credential = MicroCredentialFactory()
    with CaptureQueriesContext(connection) as captured:
        credential.full_clean()
    assert not [q for q in captured.captured_queries if '"_check"' in q["sql"] or "_check" in q["sql"]]
