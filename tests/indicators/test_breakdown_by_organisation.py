"""Every measure breaks its value down by responsible organisation, and the parts add up.

Issue 21: each partner's share of an indicator is read from the stored breakdown of dimension
"organisation" (keys: organisation ids), so that breakdown must be exact on every stored snapshot.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from alliance.models import MoU
from indicators.models import Breakdown, Indicator, Snapshot
from indicators.rollup import backfill, rollup_all
from organisations.labels import RESPONSIBLE_ORGANISATION
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
    SkillGapFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def records_of_several_organisations(lcamp_indicators, project):
    """Records of three organisations in every register an LCAMP indicator counts."""
    lead, second, third = (OrganisationFactory(name=name) for name in ("Lead", "Second", "Third"))
    project.lead_organisation = lead
    project.save(update_fields=["lead_organisation"])
    for organisation, count in ((lead, 1), (second, 2), (third, 3)):
        for _ in range(count):
            MicroCredentialFactory(awarding_body=organisation)
            observatory = ObservatoryFactory(host_organisation=organisation)
            SkillGapFactory(observatory=observatory)
            AllianceMemberFactory(organisation=OrganisationFactory())
            CooperationProjectFactory(lead_organisation=organisation, participants__members=True)
            MoUFactory(partner_organisation=organisation, status=MoU.Status.APPROVED)
            factory = LearningFactoryFactory(host_organisation=organisation)
            FactoryExchangeFactory(factory=factory, students=4)
            FactoryProductFactory(factories=[factory])
    backfill(start=datetime.date(2023, 10, 1), end=datetime.date(2024, 6, 30))
    rollup_all()
    return lead, second, third


def test_organisation_parts_sum_to_the_value_of_every_stored_snapshot(records_of_several_organisations):
    measured = Indicator.objects.filter(source=Indicator.Source.MEASURE)
    snapshots = list(Snapshot.objects.filter(indicator__in=measured).select_related("indicator"))
    assert len({s.indicator_id for s in snapshots}) == measured.count() == 8
    sums: dict[int, Decimal] = {}
    for snapshot_id, value in Breakdown.objects.filter(snapshot__in=snapshots, dimension=RESPONSIBLE_ORGANISATION,
                                                       overlapping=False).values_list("snapshot_id", "value"):
        sums[snapshot_id] = sums.get(snapshot_id, Decimal(0)) + value
    for snapshot in snapshots:
        assert sums.get(snapshot.pk, Decimal(0)) == snapshot.value, (snapshot.indicator.code, snapshot.date)
    # Not vacuous: the latest snapshot of each indicator has a positive value split among organisations.
    today = {s.indicator.code: s for s in snapshots if s.date == max(x.date for x in snapshots)}
    for code, snapshot in today.items():
        assert snapshot.value > 0, code
        keys = set(snapshot.breakdowns.filter(dimension=RESPONSIBLE_ORGANISATION).values_list("key", flat=True))
        assert keys, code


def test_each_organisation_gets_its_own_records(records_of_several_organisations, lcamp_indicators):
    lead, second, third = records_of_several_organisations
    snapshot = lcamp_indicators["micro-credentials"].snapshots.current().first()
    parts = dict(snapshot.breakdowns.filter(dimension=RESPONSIBLE_ORGANISATION).values_list("key", "value"))
    assert parts[str(lead.pk)] == 1 and parts[str(second.pk)] == 2 and parts[str(third.pk)] == 3
    members = lcamp_indicators["alliance-members"].snapshots.current().first()
    # The alliance's members are the lead organisation's register.
    assert dict(members.breakdowns.filter(dimension=RESPONSIBLE_ORGANISATION).values_list("key", "value")) == {
        str(lead.pk): members.value}


def test_the_indicator_page_shows_the_breakdown_by_responsible_organisation(records_of_several_organisations,
                                                                             manager_client):
    response = manager_client.get(reverse("indicators:indicator-detail", args=["micro-credentials"]),
                                  {"dimension": RESPONSIBLE_ORGANISATION})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Responsible organisation" in content
    assert f'data-dimension="{RESPONSIBLE_ORGANISATION}"' in content
    for name in ("Lead", "Second", "Third"):
        assert name in content
