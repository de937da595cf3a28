"""Property: a record that ends (retired, cancelled, closed) counts on the dates before its end date and
not from it, and recording the end later never moves a value on a date before it.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.registry import registry
from tests.factories import (
    AllianceMemberFactory,
    CooperationProjectFactory,
    FactoryExchangeFactory,
    FactoryProductFactory,
    LearningFactoryFactory,
    MicroCredentialFactory,
    ObservatoryFactory,
    OrganisationFactory,
    SkillGapFactory,
)
from tests.hypothesis_profiles import examples

pytestmark = pytest.mark.django_db

BASE = datetime.date(2022, 9, 1)
SPAN = 1000
LAST = BASE + datetime.timedelta(days=SPAN + 200)


class Rollback(Exception):
    pass


def day(offset):
    return BASE + datetime.timedelta(days=offset)


def make(kind, start, world):
    """A counted record of ``kind`` starting on ``start``; returns (measure key, record, end field, end status)."""
    if kind == "credential":
        return "micro-credentials", MicroCredentialFactory(published_on=start), "retired_on", "retired"
    if kind == "product":
        return "collaborative-products", FactoryProductFactory(developed_on=start), "retired_on", "retired"
    if kind == "gap":
        return "skill-gaps", SkillGapFactory(identified_on=start, observatory=world["observatory"]), \
            "retired_on", "retired"
    if kind == "exchange":
        return "students-international", FactoryExchangeFactory(
            started_on=start, students=1, factory=world["factory"],
            partner_organisations=[world["abroad"]]), "cancelled_on", "cancelled"
    if kind == "observatory":
        return "observatories", ObservatoryFactory(launched_on=start), "closed_on", "closed"
    if kind == "project":
        return "cooperation-projects", CooperationProjectFactory(
            started_on=start, lead_organisation=world["members"][0], participants=world["members"]), \
            "cancelled_on", "cancelled"
    raise KeyError(kind)


records = st.lists(st.tuples(st.sampled_from(["credential", "product", "gap", "exchange", "observatory", "project"]),
                             st.integers(0, SPAN), st.none() | st.integers(0, 600)), min_size=1, max_size=8)
dates = st.lists(st.integers(0, SPAN + 200), min_size=1, max_size=6)


@settings(max_examples=examples(25), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(records=records, checks=dates)
def test_an_ended_record_counts_before_its_end_date_and_not_after(records, checks):
    def check():
        members = [OrganisationFactory(), OrganisationFactory()]
        for organisation in members:
            AllianceMemberFactory(organisation=organisation, joined_on=BASE - datetime.timedelta(days=30))
        world = {"members": members, "observatory": ObservatoryFactory(launched_on=BASE),
                 "factory": LearningFactoryFactory(host_organisation=OrganisationFactory(country="ES")),
                 "abroad": OrganisationFactory(country="FR")}
        # What the world itself counts from BASE on (its observatory, its two members).
        baseline = {key: registry.get(key).total(day(0)) for key in registry.keys()}
        made = []
        for kind, start, length in records:
            key, record, end_field, end_status = make(kind, day(start), world)
            made.append((key, record, end_field, end_status, length))
        on_dates = sorted({day(offset) for offset in checks})
        before = {(key, on): registry.get(key).total(on) for key in registry.keys() for on in on_dates}
        # Record the ends now, dated in the past: each counts up to the day before its end.
        for key, record, end_field, end_status, length in made:
            if length is None:
                continue
            start = record_start(record)
            end = min(start + datetime.timedelta(days=length), datetime.date.today())
            type(record).objects.filter(pk=record.pk).update(status=end_status, **{end_field: end})
            record.end = end
        for on in on_dates:
            for key in registry.keys():
                expected = baseline[key] + sum(
                    1 for k, record, *_ in made if k == key and record_start(record) <= on
                    and (getattr(record, "end", None) is None or record.end > on))
                assert registry.get(key).total(on) == expected, (key, on)
                ends = [r.end for k, r, *_ in made if k == key and getattr(r, "end", None)]
                if all(end > on for end in ends):
                    assert registry.get(key).total(on) == before[(key, on)], (key, on)
        raise Rollback

    try:
        with transaction.atomic():
            check()
    except Rollback:
        pass


def record_start(record):
    return next(getattr(record, f) for f in ("published_on", "developed_on", "identified_on", "started_on",
                                             "launched_on") if hasattr(record, f))
