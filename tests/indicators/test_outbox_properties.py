"""Property tests of the outbox and the drain.

For random registers and random histories of changes (added, re-dated, withdrawn,
deleted members; MoUs submitted, approved, re-dated), the snapshots stored after
draining equal a from-scratch recomputation on every date; the snapshots of a
closed period never change whatever is saved, backfilled or drained, and a change
that would alter them is refused.
"""

import contextlib
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from alliance.models import AllianceMember, MoU
from indicators import rollup
from indicators.models import OutboxEntry, Snapshot, month_ends
from reporting.models import ReportingPeriod
from reporting.periods import period_close
from tests.factories import IndicatorFactory, OrganisationFactory, ProjectFactory, UserFactory
from tests.hypothesis_profiles import examples

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = (TODAY.replace(day=1) - datetime.timedelta(days=300)).replace(day=1)
SPAN = (TODAY - START).days + 40  # a few dates after today, which count nowhere yet
CLOSED_END = month_ends(START, TODAY)[3]
N_ORGS = 5


class Rollback(Exception):
    pass


def day(offset):
    return START + datetime.timedelta(days=offset)


offsets = st.integers(0, SPAN)
member = st.tuples(st.integers(0, N_ORGS - 1), offsets, st.one_of(st.none(), offsets))
change = st.one_of(
    st.tuples(st.just("add"), member),
    st.tuples(st.just("join"), st.integers(0, 20), offsets),
    st.tuples(st.just("leave"), st.integers(0, 20), st.one_of(st.none(), offsets)),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("mou"), st.integers(0, N_ORGS - 1), offsets, st.booleans()),
    st.tuples(st.just("approve"), st.integers(0, 20)),
    st.tuples(st.just("drain"),),
)


def add_member(organisations, spec):
    index, joined, left = spec
    joined, left = day(joined), (None if left is None else day(left))
    if left is not None and left <= joined:
        left = None
    AllianceMember.objects.create(organisation=organisations[index], category="vet", joined_on=joined, left_on=left)


def pick(queryset, index):
    rows = list(queryset.order_by("pk"))
    return rows[index % len(rows)] if rows else None


def apply(step, organisations):
    kind = step[0]
    if kind == "add":
        add_member(organisations, step[1])
    elif kind == "join":
        record = pick(AllianceMember.objects.all(), step[1])
        if record is not None and (record.left_on is None or day(step[2]) < record.left_on):
            record.joined_on = day(step[2])
            record.save()
    elif kind == "leave":
        record = pick(AllianceMember.objects.all(), step[1])
        if record is not None and (step[2] is None or day(step[2]) > record.joined_on):
            record.left_on = None if step[2] is None else day(step[2])
            record.save()
    elif kind == "delete":
        record = pick(AllianceMember.objects.all(), step[1])
        if record is not None:
            record.delete()
    elif kind == "mou":
        MoU.objects.create(counterpart=organisations[step[1]], partner_organisation=organisations[0], title="MoU",
                           signed_on=day(step[2]),
                           status=MoU.Status.APPROVED if step[3] else MoU.Status.SUBMITTED)
    elif kind == "approve":
        record = pick(MoU.objects.all(), step[1])
        if record is not None:
            record.status = MoU.Status.APPROVED
            record.save()
    else:
        rollup.drain()


def stored(indicators):
    return {(s.indicator_id, s.date): (s.value, sorted(s.breakdowns.values_list("dimension", "key", "value")))
            for s in Snapshot.objects.filter(indicator__in=indicators).prefetch_related("breakdowns")}


def computed(indicator, on):
    result = rollup.compute(indicator, on)
    return result.value, sorted((name, key, value) for name, key, _label, value, _o in result.breakdown_rows())


def run(initial, changes, close):
    project = ProjectFactory(code="property", start_on=START, end_on=TODAY + datetime.timedelta(days=400))
    indicators = [IndicatorFactory(project=project, code=key, measure_key=key, target=100,
                                   target_date=project.end_on) for key in ("alliance-members", "mous")]
    organisations = [OrganisationFactory() for _ in range(N_ORGS)]
    for spec in initial:
        # On PostgreSQL an exclusion constraint refuses overlapping memberships of one
        # organisation; SQLite stores them and the measure counts the organisation once.
        with contextlib.suppress(IntegrityError), transaction.atomic():
            add_member(organisations, spec)
    rollup.backfill()
    OutboxEntry.objects.all().delete()
    frozen = {}
    if close:
        period = ReportingPeriod.objects.create(project=project, name="First", start_on=START, end_on=CLOSED_END,
                                                state=ReportingPeriod.State.IN_REVIEW)
        period_close(period=period, user=UserFactory(username="admin", is_superuser=True))
        frozen = {key: value for key, value in stored(indicators).items() if key[1] <= CLOSED_END}
    refused = 0
    for step in changes:
        try:
            with transaction.atomic():
                apply(step, organisations)
        except ValidationError as error:
            assert "closed reporting period 'First" in str(error)
            refused += 1
        except IntegrityError:
            pass  # an overlapping membership, refused by PostgreSQL's exclusion constraint
    rollup.drain()
    drained = stored(indicators)
    # A backfill (from scratch) after the drain (which reads only what started or ended after a
    # month-end it trusts) changes nothing, and never touches the closed period.
    rollup.backfill()
    assert not OutboxEntry.objects.exists()
    after = stored(indicators)
    assert after == drained
    for (indicator_id, on), state in after.items():
        if close and on <= CLOSED_END:
            assert state == frozen[(indicator_id, on)], (on, "a closed snapshot moved")
        else:
            indicator = next(i for i in indicators if i.pk == indicator_id)
            assert state == computed(indicator, on), (indicator.code, on)
    for indicator in indicators:
        dates = {on for (pk, on) in after if pk == indicator.pk}
        assert set(month_ends(START, TODAY)) <= dates
    if close:
        assert {key for key in after if key[1] <= CLOSED_END} == set(frozen)


@settings(max_examples=examples(8), deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(initial=st.lists(member, max_size=6), changes=st.lists(change, max_size=10), close=st.booleans())
def test_drained_snapshots_equal_a_recomputation_and_closed_periods_never_move(initial, changes, close):
    try:
        with transaction.atomic():
            run(initial, changes, close)
            raise Rollback
    except Rollback:
        pass
