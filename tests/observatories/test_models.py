import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from observatories.models import Observatory
from tests.factories import ObservatoryFactory, SkillGapFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("uri", [
    "https://data.europa.eu/esco/skill/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d",
    "http://data.europa.eu/esco/occupation/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d",
    "http://data.europa.eu/esco/skill/not-a-uuid",
    "http://data.europa.eu/esco/skill/",
])
def test_malformed_esco_skill_uri_is_refused(uri):
    gap = SkillGapFactory.build(observatory=ObservatoryFactory(), esco_skill_uri=uri)
    with pytest.raises(ValidationError) as excinfo:
        gap.full_clean()
    assert "esco/skill/<uuid>" in " ".join(excinfo.value.message_dict["esco_skill_uri"])


@pytest.mark.parametrize("isco", ["722", "72231", "72a3"])
def test_malformed_isco_code_is_refused(isco):
    with pytest.raises(ValidationError) as excinfo:
        SkillGapFactory.build(observatory=ObservatoryFactory(), isco_code=isco).full_clean()
    assert "isco_code" in excinfo.value.message_dict


@pytest.mark.parametrize("nace", ["Z28", "c28", "C2", "C28.412", "28"])
def test_malformed_nace_code_is_refused(nace):
    with pytest.raises(ValidationError) as excinfo:
        SkillGapFactory.build(observatory=ObservatoryFactory(), nace_code=nace).full_clean()
    assert "nace_code" in excinfo.value.message_dict


@pytest.mark.parametrize("nace", ["C", "C28", "C28.4", "C28.41", "M71"])
def test_well_formed_nace_codes_are_accepted(nace):
    SkillGapFactory.build(observatory=ObservatoryFactory(), nace_code=nace).full_clean()


def test_active_observatory_needs_a_launch_date():
    observatory = ObservatoryFactory.build(status="active", launched_on=None)
    observatory.region.save()
    observatory.host_organisation.save()
    with pytest.raises(ValidationError) as excinfo:
        observatory.full_clean()
    assert "launched_on" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        observatory.save()


def test_observatory_cannot_close_before_launch():
    observatory = ObservatoryFactory(launched_on=datetime.date(2024, 1, 1))
    observatory.status, observatory.closed_on = "closed", datetime.date(2023, 1, 1)
    with pytest.raises(ValidationError) as excinfo:
        observatory.full_clean()
    assert "closed_on" in excinfo.value.message_dict


def test_planned_and_closed_observatories_are_not_active():
    d = datetime.date(2024, 6, 1)
    active = ObservatoryFactory(launched_on=datetime.date(2024, 1, 1))
    ObservatoryFactory(status="planned", launched_on=None)
    ObservatoryFactory(status="closed", launched_on=datetime.date(2023, 1, 1), closed_on=datetime.date(2024, 5, 1))
    ObservatoryFactory(launched_on=datetime.date(2024, 7, 1))
    assert list(Observatory.objects.active_on(d)) == [active]
