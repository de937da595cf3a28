import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import (
    FactoryExchangeFactory,
    LearningFactoryFactory,
    MicroCredentialFactory,
    OrganisationFactory,
)
from training.models import FactoryExchange, FactoryProduct, MicroCredential

pytestmark = pytest.mark.django_db


def build_credential(**kwargs):
    return MicroCredentialFactory.build(awarding_body=OrganisationFactory(), **kwargs)


@pytest.mark.parametrize("level", [0, 9])
def test_eqf_level_outside_1_to_8_is_refused(level):
    credential = build_credential(eqf_level=level)
    with pytest.raises(ValidationError) as excinfo:
        credential.full_clean()
    assert "eqf_level" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        credential.save()


@pytest.mark.parametrize("ects", [Decimal("0"), Decimal("-1"), Decimal("60.5")])
def test_ects_outside_0_to_60_is_refused(ects):
    credential = build_credential(ects=ects)
    with pytest.raises(ValidationError) as excinfo:
        credential.full_clean()
    assert "ects" in excinfo.value.message_dict


def test_published_micro_credential_needs_its_date():
    with pytest.raises(ValidationError) as excinfo:
        build_credential(status="published", published_on=None).full_clean()
    assert "published_on" in excinfo.value.message_dict


def test_malformed_esco_skill_in_the_list_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        build_credential(esco_skills=["http://example.org/skill"]).full_clean()
    assert "esco_skills" in excinfo.value.message_dict


def test_counted_micro_credentials_are_published_eqf_3_to_6():
    d = datetime.date(2024, 6, 1)
    counted = [MicroCredentialFactory(eqf_level=level) for level in (3, 4, 5, 6)]
    for level in (1, 2, 7, 8):
        MicroCredentialFactory(eqf_level=level)
    MicroCredentialFactory(status="draft", published_on=None)
    MicroCredentialFactory(published_on=datetime.date(2024, 7, 1))
    assert set(MicroCredential.objects.counted_on(d)) == set(counted)


def test_exchange_needs_at_least_one_student():
    exchange = FactoryExchange(factory=LearningFactoryFactory(), title="x", started_on=datetime.date(2024, 1, 1),
                               students=0)
    with pytest.raises(ValidationError) as excinfo:
        exchange.full_clean()
    assert "students" in excinfo.value.message_dict


def test_exchange_is_international_when_a_partner_is_abroad():
    factory = LearningFactoryFactory(host_organisation=OrganisationFactory(country="ES"))
    abroad = FactoryExchangeFactory(factory=factory, partner_organisations=[OrganisationFactory(country="SE")])
    home = FactoryExchangeFactory(factory=factory, partner_organisations=[OrganisationFactory(country="ES")])
    assert abroad.is_international() and not home.is_international()
    assert list(FactoryExchange.objects.international()) == [abroad]


def test_product_with_one_collaborator_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        FactoryProduct.validate_collaborators([OrganisationFactory()])
    assert "at least two" in " ".join(excinfo.value.message_dict["collaborating_organisations"])


def test_developed_product_needs_its_date():
    with pytest.raises(ValidationError) as excinfo:
        FactoryProduct(title="x", status="developed").full_clean()
    assert "developed_on" in excinfo.value.message_dict
