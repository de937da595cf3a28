"""A product's first factory (the lowest factory id) is a column kept whenever its factories change, from
either side of the relation, and when a factory is deleted: the breakdown by factory and the product's
responsible organisation read it."""

import pytest

from tests.factories import FactoryProductFactory, LearningFactoryFactory
from training.models import FactoryProduct, refresh_first_factories

pytestmark = pytest.mark.django_db


def first_of(product):
    return FactoryProduct.objects.get(pk=product.pk).first_factory_id


def test_the_first_factory_follows_every_change_of_the_factories():
    low, high = LearningFactoryFactory(), LearningFactoryFactory()
    product = FactoryProductFactory(factories=[high])
    assert first_of(product) == high.pk
    product.factories.add(low)
    assert first_of(product) == low.pk
    product.factories.remove(low)
    assert first_of(product) == high.pk
    product.factories.clear()
    assert first_of(product) is None
    product.factories.set([high, low])
    assert first_of(product) == low.pk


def test_from_the_factorys_side_too():
    low, high = LearningFactoryFactory(), LearningFactoryFactory()
    first, second = FactoryProductFactory(factories=[high]), FactoryProductFactory(factories=[high])
    low.products.add(first, second)
    assert first_of(first) == first_of(second) == low.pk
    low.products.remove(first)
    assert (first_of(first), first_of(second)) == (high.pk, low.pk)
    low.products.clear()
    assert first_of(second) == high.pk


def test_a_deleted_factory_hands_its_products_to_the_next():
    low, high = LearningFactoryFactory(), LearningFactoryFactory()
    product = FactoryProductFactory(factories=[low, high])
    only = FactoryProductFactory(factories=[low])
    low.delete()
    assert first_of(product) == high.pk
    assert first_of(only) is None


def test_the_owner_is_the_first_factorys_host():
    low, high = LearningFactoryFactory(), LearningFactoryFactory()
    product = FactoryProductFactory(factories=[high, low])
    assert list(FactoryProduct.owned_by(FactoryProduct.objects.all(), low.host_organisation_id)) == [product]
    assert not FactoryProduct.owned_by(FactoryProduct.objects.all(), high.host_organisation_id).exists()
    # Rows written around the relation's signals (a bulk load) are set right by a refresh.
    FactoryProduct.objects.update(first_factory=None)
    assert refresh_first_factories() == 1 and first_of(product) == low.pk


def test_a_product_read_before_its_factories_changed_keeps_the_right_first_factory():
    low, high = LearningFactoryFactory(), LearningFactoryFactory()
    product = FactoryProductFactory(factories=[high])
    stale = FactoryProduct.objects.get(pk=product.pk)
    product.factories.add(low)
    stale.title = "Renamed"
    stale.save()  # its in-memory first factory is the old one
    assert first_of(product) == low.pk
    assert product.first_factory_id == low.pk  # the instance whose factories changed knows it too
