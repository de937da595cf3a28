"""Property: a measure's series over many dates (one query built from its interval rule, in the ORM)
gives exactly what computing each date on its own from ``records(on)`` gives, for random registers,
records ended on random dates, every measure and every dimension; and the roll-up's series Results
equal the per-date Results.
"""

import datetime

import pytest
from django.utils import timezone
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from indicators import rollup
from indicators.models import Indicator
from indicators.registry import Measure, registry
from indicators.rollup import compute, compute_series
from tests.factories import (
    AllianceMemberFactory,
    LearningFactoryFactory,
    ObservatoryFactory,
    OrganisationFactory,
)
from tests.indicators.test_effective_dates_properties import make
from tests.indicators.test_measures_properties import (
    BASE,
    PROPERTY_SETTINGS,
    build,
    day,
    in_rolled_back_transaction,
    registers,
)

pytestmark = pytest.mark.django_db

offsets = st.lists(st.integers(-30, 1300), min_size=1, max_size=8)


def ended_world():
    members = [OrganisationFactory(), OrganisationFactory()]
    for organisation in members:
        AllianceMemberFactory(organisation=organisation, joined_on=BASE - datetime.timedelta(days=30))
    return {"members": members, "observatory": ObservatoryFactory(launched_on=BASE),
            "factory": LearningFactoryFactory(host_organisation=OrganisationFactory(country="ES")),
            "abroad": OrganisationFactory(country="FR")}


def add_ended(records, world=None, base=BASE, cap=None):
    world = world or ended_world()
    cap = cap or datetime.date.today()
    for kind, start, length in records:
        _key, record, end_field, end_status = make(kind, day(start, base), world)
        if length is not None:
            end = min(day(start + length, base), cap) if length >= 0 else day(start + length, base)
            type(record).objects.filter(pk=record.pk).update(status=end_status, **{end_field: end})


# Exchanges and projects may be cancelled before they started (they then never count).
ended_or_cancelled_early = st.lists(st.one_of(
    st.tuples(st.sampled_from(["credential", "product", "gap", "exchange", "observatory", "project"]),
              st.integers(0, 900), st.none() | st.integers(0, 500)),
    st.tuples(st.sampled_from(["exchange", "project"]), st.integers(0, 900), st.integers(-60, 0))), max_size=6)


@settings(PROPERTY_SETTINGS, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(spec=registers, records=ended_or_cancelled_early, checks=offsets)
def test_a_measures_series_in_one_pass_equals_its_total_and_parts_on_each_date(spec, records, checks):
    """``Measure.series`` (one query with an interval rule: each record added at its start and taken back at
    its end, summed per date) gives exactly ``total`` and ``parts`` on every date, for every dimension:
    records ended, retired, cancelled (even before they started), distinct organisations counted once."""
    def check():
        build(spec, BASE)
        add_ended(records)
        dates = sorted({day(offset, BASE) for offset in checks})
        for measure in registry:
            series = measure.series(dates)
            assert sorted(series) == dates
            for on in dates:
                assert series[on].total == measure.total(on), (measure.key, on)
                for dimension in measure.dimensions:
                    assert series[on].parts[dimension.name] == measure.parts(on, dimension), (
                        measure.key, dimension.name, on)

    in_rolled_back_transaction(check)


def test_every_measure_is_an_interval_rule_computed_in_one_query(django_assert_max_num_queries):
    build({"members": [(0, "vet", 10, None)], "projects": [], "mous": [], "observatories": [], "gaps": [],
           "credentials": [], "exchanges": [], "products": [({0, 1}, {0, 1}, True, 20)]}, BASE)
    dates = [datetime.date(2024, month, 28) for month in range(1, 13)]
    for measure in registry:
        assert measure.interval is not None, measure.key
        # A dimension whose labels are read by key (a product's first factory): at most two queries for all of
        # them and every date (the keys' names, then the other records sharing those names, told apart), none
        # when no part has a key (no Alliance lead is set here: every membership's organisation is "not given").
        labels = sum(1 for dimension in measure.dimensions if dimension.labels is not None)
        with django_assert_max_num_queries(1 + 2 * labels):
            measure.series(dates)


def test_a_measure_declares_its_interval():
    with pytest.raises(TypeError, match="interval"):
        Measure(key="no-interval", label="No interval", records=lambda on: None)  # type: ignore[call-arg]


@settings(PROPERTY_SETTINGS, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(spec=registers, checks=offsets)
def test_the_rollup_series_equals_compute_on_each_date(lcamp_indicators, spec, checks):
    def check():
        build(spec, BASE)
        dates = sorted({day(offset, BASE) for offset in checks})
        for indicator in Indicator.objects.exclude(measure_key=""):
            if indicator.measure_key not in registry:
                continue
            assert compute_series(indicator, dates) == [compute(indicator, on) for on in dates], indicator.code

    in_rolled_back_transaction(check)


@settings(PROPERTY_SETTINGS, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(spec=registers, since=st.integers(100, 1500), records=ended_or_cancelled_early)
def test_a_series_built_on_a_stored_month_end_equals_one_from_scratch(lcamp_indicators, spec, since, records):
    """What a drain does: the registers unchanged before ``since`` (the outbox's date), today and the
    month-ends since are computed from the latest month-end snapshot before them, reading only the
    records that started or ended after it; that equals computing them from scratch."""
    def check():
        build(spec, BASE)
        world = ended_world()
        rollup.backfill()
        unchanged_before = day(since, BASE)
        # Records that start (or end) from ``since`` on, some only after today.
        add_ended([(kind, start % 400, length) for kind, start, length in records], world,
                  base=unchanged_before, cap=datetime.date.max)
        today = timezone.localdate()
        for indicator in lcamp_indicators.values():
            dates = rollup.dates_to_recompute(indicator, unchanged_before, today, rollup.ClosedPeriods())
            assert rollup.compute_series(indicator, dates, unchanged_before=unchanged_before) == (
                rollup.compute_series(indicator, dates)), indicator.code

    in_rolled_back_transaction(check)
