"""The roll-up service: reported indicators, frozen periods, query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import AllianceMember, CooperationProject, MoU
from indicators.models import Breakdown, Indicator, Report, Snapshot
from indicators.rollup import backfill, reported_value, rollup_all
from observatories.models import Observatory, SkillGap
from organisations.models import Organisation, Region
from reporting.models import ReportingPeriod
from reporting.periods import period_close
from tests.factories import (
    AllianceMemberFactory,
    IndicatorFactory,
    OrganisationFactory,
    ReportFactory,
)
from training.models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential

pytestmark = pytest.mark.django_db
ON = datetime.date(2024, 12, 31)


# --- Reported indicators ---------------------------------------------------------

@pytest.fixture
def reported(project):
    return IndicatorFactory(project=project, code="trainers-trained", title="Trainers trained",
                            source=Indicator.Source.REPORTED, target=Decimal(500))


def report(indicator, organisation, as_of, value, status=Report.Status.APPROVED):
    return ReportFactory(indicator=indicator, organisation=organisation, as_of=as_of, value=Decimal(value),
                         status=status)


@pytest.fixture
def two_organisations(db):
    return OrganisationFactory(country="ES"), OrganisationFactory(country="IT")


def test_reported_latest_sums_each_organisations_latest_approved_value(reported, two_organisations):
    a, b = two_organisations
    report(reported, a, datetime.date(2024, 3, 31), 10)
    report(reported, a, datetime.date(2024, 6, 30), 14)
    report(reported, a, datetime.date(2024, 9, 30), 99, status=Report.Status.SUBMITTED)
    report(reported, a, datetime.date(2024, 10, 31), 98, status=Report.Status.REJECTED)
    report(reported, b, datetime.date(2024, 5, 31), 7)
    assert reported_value(reported, ON) == 21
    assert reported_value(reported, datetime.date(2024, 4, 30)) == 10


def test_reported_latest_ignores_values_dated_after_the_date(reported, two_organisations):
    a, _ = two_organisations
    report(reported, a, datetime.date(2024, 3, 31), 10)
    report(reported, a, datetime.date(2025, 3, 31), 40)
    assert reported_value(reported, ON) == 10


def test_reported_cumulative_sums_every_approved_value(reported, two_organisations):
    a, b = two_organisations
    reported.time_rule = Indicator.TimeRule.CUMULATIVE
    reported.save()
    report(reported, a, datetime.date(2024, 3, 31), 10)
    report(reported, a, datetime.date(2024, 6, 30), 14)
    report(reported, b, datetime.date(2024, 5, 31), 7)
    report(reported, b, datetime.date(2024, 8, 31), 70, status=Report.Status.SUBMITTED)
    assert reported_value(reported, ON) == 31


def test_reported_maximum_sums_each_organisations_maximum(reported, two_organisations):
    a, b = two_organisations
    reported.time_rule = Indicator.TimeRule.MAXIMUM
    reported.save()
    report(reported, a, datetime.date(2024, 3, 31), 20)
    report(reported, a, datetime.date(2024, 6, 30), 14)
    report(reported, b, datetime.date(2024, 5, 31), 7)
    assert reported_value(reported, ON) == 27


def test_reported_snapshot_breaks_down_by_organisation_and_country(reported, two_organisations):
    a, b = two_organisations
    report(reported, a, datetime.date(2024, 3, 31), 10)
    report(reported, b, datetime.date(2024, 5, 31), 7)
    rollup_all(ON)
    snapshot = Snapshot.objects.get(indicator=reported, date=ON)
    assert snapshot.value == 17
    countries = dict(snapshot.breakdowns.filter(dimension="country").values_list("key", "value"))
    assert countries == {"ES": 10, "IT": 7}
    assert sum(snapshot.breakdowns.filter(dimension="organisation").values_list("value", flat=True)) == 17


# --- Snapshots -----------------------------------------------------------------

def test_snapshot_carries_target_expected_progress_status_and_forecast(lcamp_indicators):
    for _ in range(3):
        AllianceMemberFactory(joined_on=datetime.date(2024, 12, 1))
    rollup_all(ON)
    snapshot = Snapshot.objects.get(indicator__code="alliance-members", date=ON)
    indicator = lcamp_indicators["alliance-members"]
    assert snapshot.value == 3
    assert snapshot.target == 200
    assert snapshot.expected == indicator.expected_value(ON)
    assert snapshot.progress == Decimal("0.015")
    assert snapshot.status == Snapshot.Status.BEHIND
    # 3 joined in the last 90 days: 3 / 90 a day until the target date.
    days_left = (indicator.target_date - ON).days
    assert snapshot.forecast == (Decimal(3) + Decimal(3) / 90 * days_left).quantize(Decimal("0.01"))


def test_backfill_writes_month_end_snapshots_from_the_project_start(lcamp_indicators, project):
    AllianceMemberFactory(joined_on=datetime.date(2023, 1, 15))
    backfill(end=datetime.date(2023, 2, 10))
    dates = sorted(set(Snapshot.objects.values_list("date", flat=True)))
    assert dates == [datetime.date(2022, 9, 30), datetime.date(2022, 10, 31), datetime.date(2022, 11, 30),
                     datetime.date(2022, 12, 31), datetime.date(2023, 1, 31), datetime.date(2023, 2, 10)]
    values = dict(Snapshot.objects.filter(indicator__code="alliance-members").values_list("date", "value"))
    assert values[datetime.date(2022, 12, 31)] == 0
    assert values[datetime.date(2023, 1, 31)] == 1


@pytest.fixture
def closed_period(project):
    return ReportingPeriod.objects.create(project=project, name="First period", start_on=datetime.date(2022, 9, 1),
                                          end_on=ON, state=ReportingPeriod.State.CLOSED)


def test_a_closed_period_freezes_its_snapshots(lcamp_indicators, project, admin_user):
    AllianceMemberFactory()
    rollup_all(ON)
    period = ReportingPeriod.objects.create(project=project, name="First period",
                                            start_on=datetime.date(2022, 9, 1), end_on=ON,
                                            state=ReportingPeriod.State.IN_REVIEW)
    period_close(period=period, user=admin_user)
    # Through the app the change is refused; written around it (no signal), it is not counted.
    with pytest.raises(ValidationError, match="closed reporting period 'First period"):
        AllianceMemberFactory()
    AllianceMember.objects.bulk_create([AllianceMemberFactory.build(organisation=OrganisationFactory())])

    rollup_all(ON)
    backfill(end=ON)

    snapshot = Snapshot.objects.get(indicator__code="alliance-members", date=ON)
    assert snapshot.value == 1
    assert snapshot.is_frozen
    assert sum(snapshot.breakdowns.filter(dimension="country").values_list("value", flat=True)) == 1


def test_a_missing_snapshot_of_a_closed_period_is_never_written(lcamp_indicators, closed_period):
    # Closing a period writes its snapshots; one missing afterwards (a period closed
    # around the service) is never written from today's registers.
    AllianceMemberFactory(joined_on=datetime.date(2025, 1, 5))
    assert rollup_all(ON) == []
    assert backfill(end=datetime.date(2025, 2, 10)) == 2 * 8  # 31 Jan and 10 Feb 2025, eight indicators
    assert not Snapshot.objects.filter(indicator__code="alliance-members", date__lte=ON).exists()


def test_dates_after_a_closed_period_are_rolled_up(lcamp_indicators, closed_period):
    AllianceMemberFactory()
    rollup_all(ON + datetime.timedelta(days=1))
    AllianceMemberFactory()
    rollup_all(ON + datetime.timedelta(days=1))
    snapshot = Snapshot.objects.get(indicator__code="alliance-members", date=ON + datetime.timedelta(days=1))
    assert not snapshot.is_frozen and snapshot.value == 2


def test_a_breakdown_part_that_disappears_is_removed(lcamp_indicators):
    member = AllianceMemberFactory(organisation=OrganisationFactory(country="IT"))
    rollup_all(ON)
    member.organisation.country = "FR"
    member.organisation.save()
    rollup_all(ON)
    snapshot = Snapshot.objects.get(indicator__code="alliance-members", date=ON)
    assert list(snapshot.breakdowns.filter(dimension="country").values_list("key", flat=True)) == ["FR"]


# --- Query count ---------------------------------------------------------------

def bulk_registers(n, tag):
    """About ``n`` records over every register, in bulk, with a bounded set of breakdown keys."""
    regions = [Region.objects.get_or_create(code=code, nuts_version="2021",
                                            defaults={"name": code, "country": code[:2]})[0]
               for code in ("ES21", "ITC4")]
    k = max(1, n // 8)
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Org {tag} {i}", country=["ES", "IT", "FR"][i % 3], kind=Organisation.Kind.values[i % 4],
                     region=regions[0] if i % 3 == 0 else None) for i in range(k + 2))
    AllianceMember.objects.bulk_create(
        AllianceMember(organisation=o, category=AllianceMember.Category.values[i % 5], joined_on=ON - datetime.timedelta(days=40 + i % 400))
        for i, o in enumerate(orgs))
    MoU.objects.bulk_create(MoU(counterpart=orgs[i % len(orgs)], partner_organisation=orgs[0], title="m", scope="s",
                                signed_on=datetime.date(2024, 1, 1), signatories="x", status="approved")
                            for i in range(k))
    observatories = Observatory.objects.bulk_create(
        Observatory(name=f"Obs {tag} {i}", region=regions[i], host_organisation=orgs[0], status="active",
                    launched_on=datetime.date(2023, 1, 1)) for i in range(2))
    SkillGap.objects.bulk_create(SkillGap(observatory=observatories[i % 2], title="g", identified_on=datetime.date(2024, 1, 1),
                                          esco_skill_uri="x", nace_code=["C28", "J62", ""][i % 3], status="validated")
                                 for i in range(k))
    MicroCredential.objects.bulk_create(
        MicroCredential(title="c", awarding_body=orgs[i % len(orgs)], learning_outcomes="o", ects=1, eqf_level=3 + i % 4,
                        assessment_type="a", participation_form="online", quality_assurance="q", status="published",
                        published_on=datetime.date(2024, 1, 1)) for i in range(k))
    factories = LearningFactory.objects.bulk_create(LearningFactory(name=f"F {tag} {i}", host_organisation=orgs[i])
                                                    for i in range(2))
    exchanges = FactoryExchange.objects.bulk_create(
        FactoryExchange(factory=factories[i % 2], title="e", started_on=datetime.date(2024, 1, 1), students=3)
        for i in range(k))
    FactoryExchange.partner_organisations.through.objects.bulk_create(
        FactoryExchange.partner_organisations.through(factoryexchange_id=e.pk, organisation_id=orgs[1 + i % 2].pk)
        for i, e in enumerate(exchanges))
    projects = CooperationProject.objects.bulk_create(
        CooperationProject(title="p", lead_organisation=orgs[i % len(orgs)], started_on=datetime.date(2024, 1, 1))
        for i in range(k))
    CooperationProject.participants.through.objects.bulk_create(
        CooperationProject.participants.through(cooperationproject_id=p.pk, organisation_id=o.pk)
        for p in projects for o in orgs[:2])
    products = FactoryProduct.objects.bulk_create(
        FactoryProduct(title="p", status="developed", developed_on=datetime.date(2024, 1, 1)) for _ in range(k))
    FactoryProduct.factories.through.objects.bulk_create(
        FactoryProduct.factories.through(factoryproduct_id=p.pk, learningfactory_id=f.pk)
        for p in products for f in factories)
    FactoryProduct.collaborating_organisations.through.objects.bulk_create(
        FactoryProduct.collaborating_organisations.through(factoryproduct_id=p.pk, organisation_id=o.pk)
        for p in products for o in orgs[:2])


def queries_of_rollup(on):
    """The queries of a roll-up, but the breakdown rows' INSERTs: SQLite takes them in batches of its
    parameter limit, so their number follows the number of parts (organisations), not the records."""
    with CaptureQueriesContext(connection) as captured:
        rollup_all(on)
    return len([q for q in captured.captured_queries if 'INSERT INTO "indicators_breakdown"' not in q["sql"]])


def test_rollup_query_count_does_not_grow_with_the_records(lcamp_indicators, reported):
    bulk_registers(10, "a")
    few = queries_of_rollup(datetime.date(2024, 11, 30))
    bulk_registers(1000, "b")
    many = queries_of_rollup(ON)

    assert few == many, (few, many)
    # Per register indicator: its value, one query per breakdown, its value 90
    # days earlier (8 + 17 + 8); the reported one: 2; then reading the indicators,
    # milestones, periods and existing snapshots, and writing.
    assert many <= 60
    members = Snapshot.objects.get(indicator__code="alliance-members", date=ON)
    assert members.value == AllianceMember.objects.active_on(ON).values("organisation").distinct().count()
    assert Breakdown.objects.filter(snapshot__date=ON).count() > 30
