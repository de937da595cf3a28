import factory
import pytest

from tests import factories

FACTORIES = sorted(
    name for name, obj in vars(factories).items()
    if isinstance(obj, type) and issubclass(obj, factory.django.DjangoModelFactory)
    and obj is not factory.django.DjangoModelFactory
)


@pytest.mark.django_db
@pytest.mark.parametrize("name", FACTORIES)
def test_every_factory_builds_a_record_that_passes_validation(name):
    record = getattr(factories, name)()
    record.full_clean()
