"""Property tests of the eight measures on generated registers.

Each example builds registers inside a transaction that is rolled back, then checks
the measures against a plain-Python reading of the rules in the issue (the oracle),
that every breakdown adds up to its total, that later-dated records leave a past
value alone, and that a second roll-up changes nothing.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance.models import AllianceMember, CooperationProject, MoU
from indicators.models import Breakdown, Snapshot
from indicators.registry import registry
from indicators.rollup import rollup_all
from observatories.models import Observatory, SkillGap
from organisations.models import Organisation
from tests.factories import (
    AllianceMemberFactory,
    CooperationProjectFactory,
    FactoryExchangeFactory,
    FactoryProductFactory,
    LearningFactoryFactory,
    MicroCredentialFactory,
    MoUFactory,
    ObservatoryFactory,
    OrganisationFactory,
    RegionFactory,
    SkillGapFactory,
)
from tests.hypothesis_profiles import examples
from training.models import FactoryExchange, FactoryProduct, MicroCredential

pytestmark = pytest.mark.django_db

BASE = datetime.date(2022, 9, 1)
SPAN = 900  # days
CHECK_DATES = [datetime.date(2023, 3, 31), datetime.date(2023, 12, 31), datetime.date(2025, 2, 28)]
COUNTRIES = ["ES", "IT", "FR"]
N_ORGS = 6


class Rollback(Exception):
    pass


def day(offset, base):
    return base + datetime.timedelta(days=offset)


offsets = st.integers(0, SPAN)
org = st.integers(0, N_ORGS - 1)
orgs = st.sets(org, max_size=4)

registers = st.fixed_dictionaries({
    "members": st.lists(st.tuples(org, st.sampled_from(AllianceMember.Category.values), offsets,
                                  st.none() | st.integers(0, 400)), max_size=8),
    "projects": st.lists(st.tuples(org, orgs, offsets, st.sampled_from(CooperationProject.Status.values)),
                         max_size=4),
    "mous": st.lists(st.tuples(org, offsets, st.sampled_from(MoU.Status.values)), max_size=5),
    "observatories": st.lists(st.tuples(st.integers(0, 1), st.sampled_from(Observatory.Status.values),
                                        st.none() | offsets, st.none() | st.integers(0, 400)), max_size=4),
    "gaps": st.lists(st.tuples(st.booleans(), st.sampled_from(SkillGap.Status.values), offsets,
                               st.sampled_from(["", "C28", "C25.1", "J62"])), max_size=5),
    "credentials": st.lists(st.tuples(org, st.integers(1, 8), st.booleans(), offsets), max_size=5),
    "exchanges": st.lists(st.tuples(st.integers(0, 1), orgs, offsets, st.integers(1, 20), st.booleans()),
                          max_size=4),
    "products": st.lists(st.tuples(st.sets(st.integers(0, 1), max_size=2), orgs, st.booleans(), offsets),
                         max_size=4),
})


def build(spec, base, world=None):
    """Create the records of ``spec`` (dates from ``base``); returns the shared organisations etc."""
    if world is None:
        regions = [RegionFactory(code="ES21", name="País Vasco", country="ES"),
                   RegionFactory(code="ITC4", name="Lombardia", country="IT")]
        organisations = [OrganisationFactory(country=COUNTRIES[i % 3], kind=Organisation.Kind.values[i % 4],
                                             region=regions[0] if i % 3 == 0 else None) for i in range(N_ORGS)]
        factories = [LearningFactoryFactory(host_organisation=organisations[0]),
                     LearningFactoryFactory(host_organisation=organisations[1])]
        host = ObservatoryFactory(region=regions[0], host_organisation=organisations[0], launched_on=BASE)
        world = {"regions": regions, "orgs": organisations, "factories": factories, "observatory": host}
    o = world["orgs"]
    # An organisation's memberships never overlap (PostgreSQL enforces it): each
    # starts after the previous one ended; none after an open one.
    ends = world.setdefault("membership_ends", {})
    for i, category, joined, length in spec["members"]:
        joined_on = day(joined, base)
        if i in ends:
            if ends[i] is None:
                continue
            joined_on = max(joined_on, ends[i])
        left_on = None if length is None else joined_on + datetime.timedelta(days=length)
        ends[i] = left_on
        AllianceMemberFactory(organisation=o[i], category=category, joined_on=joined_on, left_on=left_on)
    for lead, participants, started, status in spec["projects"]:
        CooperationProjectFactory(lead_organisation=o[lead], participants=[o[p] for p in participants],
                                  started_on=day(started, base), status=status)
    for i, signed, status in spec["mous"]:
        MoUFactory(counterpart=o[i], partner_organisation=o[(i + 1) % N_ORGS], signed_on=day(signed, base),
                   status=status)
    for region, status, launched, length in spec["observatories"]:
        if status != Observatory.Status.PLANNED and launched is None:
            launched = 0
        closed = None
        if launched is not None and (length is not None or status == Observatory.Status.CLOSED):
            closed = day(launched + (length or 0), base)
        ObservatoryFactory(region=world["regions"][region], host_organisation=o[0], status=status,
                           launched_on=None if launched is None else day(launched, base), closed_on=closed)
    for critical, status, identified, nace in spec["gaps"]:
        SkillGapFactory(observatory=world["observatory"], critical=critical, status=status,
                        identified_on=day(identified, base), nace_code=nace)
    for i, level, published, on in spec["credentials"]:
        MicroCredentialFactory(awarding_body=o[i], eqf_level=level,
                               status=MicroCredential.Status.PUBLISHED if published else MicroCredential.Status.DRAFT,
                               published_on=day(on, base) if published else None)
    for factory, partners, started, students, cancelled in spec["exchanges"]:
        FactoryExchangeFactory(factory=world["factories"][factory], partner_organisations=[o[p] for p in partners],
                               started_on=day(started, base), students=students,
                               status=FactoryExchange.Status.CANCELLED if cancelled
                               else FactoryExchange.Status.CONFIRMED)
    for factories, collaborators, developed, on in spec["products"]:
        FactoryProductFactory(factories=[world["factories"][f] for f in factories],
                              collaborating_organisations=[o[c] for c in collaborators],
                              status=FactoryProduct.Status.DEVELOPED if developed else FactoryProduct.Status.PROTOTYPE,
                              developed_on=day(on, base) if developed else None)
    return world


def oracle(code, on):
    """The issue's rules, read one record at a time in Python."""
    if code == "alliance-members":
        return len({m.organisation_id for m in AllianceMember.objects.all() if m.is_active_on(on)})
    if code == "cooperation-projects":
        def members_at_start(project):
            return sum(1 for o in project.participants.all()
                       if any(m.is_active_on(project.started_on) for m in o.memberships.all()))
        return sum(1 for p in CooperationProject.objects.all()
                   if p.started_on <= on and p.status != "planned" and (p.cancelled_on is None or p.cancelled_on > on)
                   and members_at_start(p) >= 2)
    if code == "mous":
        return sum(1 for m in MoU.objects.all() if m.status == "approved" and m.signed_on <= on)
    if code == "observatories":
        return sum(1 for b in Observatory.objects.all() if b.status != "planned" and b.launched_on
                   and b.launched_on <= on and (b.closed_on is None or b.closed_on > on))
    if code == "skill-gaps":
        return sum(1 for g in SkillGap.objects.all() if g.critical and g.status == "validated"
                   and g.identified_on <= on)
    if code == "micro-credentials":
        return sum(1 for c in MicroCredential.objects.all() if c.status == "published" and c.published_on <= on
                   and 3 <= c.eqf_level <= 6)
    if code == "students-international":
        return sum(e.students for e in FactoryExchange.objects.all()
                   if e.status != "cancelled" and e.started_on <= on and e.is_international())
    if code == "collaborative-products":
        return sum(1 for p in FactoryProduct.objects.all() if p.status == "developed" and p.developed_on <= on
                   and p.collaborating_organisations.count() >= 2)
    raise KeyError(code)


def values_on(on):
    return {measure.key: measure.total(on) for measure in registry}


def in_rolled_back_transaction(check):
    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


PROPERTY_SETTINGS = settings(max_examples=examples(20), deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(spec=registers)
def test_every_measure_follows_its_rule_and_every_breakdown_sums_to_its_total(spec):
    def check():
        build(spec, BASE)
        for on in CHECK_DATES:
            for measure in registry:
                total = measure.total(on)
                assert total == oracle(measure.key, on), (measure.key, on)
                for dimension in measure.dimensions:
                    parts = measure.parts(on, dimension)
                    assert not dimension.overlapping
                    assert sum((p.value for p in parts), Decimal(0)) == total, (measure.key, dimension.name, on)
                    assert len({p.key for p in parts}) == len(parts)

    in_rolled_back_transaction(check)


@PROPERTY_SETTINGS
@given(spec=registers, later=registers, cut=st.sampled_from(CHECK_DATES))
def test_a_past_value_is_unchanged_by_records_dated_later(spec, later, cut):
    def check():
        world = build(spec, BASE)
        before = values_on(cut)
        build(later, cut + datetime.timedelta(days=1), world)
        assert values_on(cut) == before

    in_rolled_back_transaction(check)


@PROPERTY_SETTINGS
@given(spec=registers)
def test_rolling_up_twice_gives_identical_snapshots(lcamp_indicators, spec):
    def rows():
        snapshots = list(Snapshot.objects.order_by("pk").values_list(
            "pk", "indicator_id", "date", "value", "target", "expected", "progress", "status", "forecast",
            "is_frozen"))
        parts = list(Breakdown.objects.order_by("pk").values_list(
            "pk", "snapshot_id", "dimension", "key", "label", "value", "overlapping"))
        return snapshots, parts

    def check():
        build(spec, BASE)
        rollup_all(CHECK_DATES[1])
        first = rows()
        rollup_all(CHECK_DATES[1])
        assert rows() == first
        for snapshot in Snapshot.objects.all():
            assert snapshot.value == oracle(snapshot.indicator.code, CHECK_DATES[1])

    in_rolled_back_transaction(check)


EXCLUDED = {
    "alliance-members": lambda o: AllianceMemberFactory(organisation=o, joined_on=datetime.date(2023, 1, 1),
                                                        left_on=datetime.date(2023, 6, 1)),
    "mous": lambda o: [MoUFactory(counterpart=o, status=s) for s in ("submitted", "rejected", "withdrawn")],
    "micro-credentials": lambda o: [MicroCredentialFactory(awarding_body=o, eqf_level=level) for level in (1, 2, 7, 8)]
    + [MicroCredentialFactory(awarding_body=o, status="draft", published_on=None)],
    "observatories": lambda o: [ObservatoryFactory(status="planned", launched_on=None),
                                ObservatoryFactory(status="planned", launched_on=datetime.date(2023, 1, 1)),
                                ObservatoryFactory(status="closed", launched_on=datetime.date(2023, 1, 1),
                                                   closed_on=datetime.date(2023, 6, 1))],
    "skill-gaps": lambda o: [SkillGapFactory(critical=False), SkillGapFactory(status="candidate"),
                             SkillGapFactory(status="retired"),
                             SkillGapFactory(identified_on=datetime.date(2025, 1, 1))],
    "cooperation-projects": lambda o: [CooperationProjectFactory(status="cancelled"),
                                       CooperationProjectFactory(status="planned"),
                                       CooperationProjectFactory(participants=[o])],
    "students-international": lambda o: [
        FactoryExchangeFactory(status="cancelled"),
        FactoryExchangeFactory(partner_organisations=[OrganisationFactory(country="ES")],
                               factory=LearningFactoryFactory(host_organisation=OrganisationFactory(country="ES"))),
        FactoryExchangeFactory(started_on=datetime.date(2025, 1, 1))],
    "collaborative-products": lambda o: [FactoryProductFactory(status="prototype", developed_on=None),
                                         FactoryProductFactory(collaborating_organisations=[o]),
                                         FactoryProductFactory(developed_on=datetime.date(2025, 1, 1))],
}


@pytest.mark.parametrize("code", sorted(EXCLUDED))
def test_withdrawn_rejected_draft_planned_and_out_of_range_records_never_count(code):
    EXCLUDED[code](OrganisationFactory())
    assert registry.get(code).total(datetime.date(2024, 12, 31)) == 0
