"""A product's first factory follows its factories (``FactoryProduct.first_factory``)."""

from django.db.models.signals import m2m_changed, post_delete
from django.dispatch import receiver

from .models import FactoryProduct, LearningFactory, refresh_first_factories


@receiver(m2m_changed, sender=FactoryProduct.factories.through, dispatch_uid="training.first_factory.m2m")
def first_factory_follows_the_factories(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:  # a product's factories changed
        refresh_first_factories([instance.pk])
        instance.first_factory_id = FactoryProduct.objects.filter(pk=instance.pk).values_list(
            "first_factory_id", flat=True).first()
    elif action == "post_clear":  # a factory's products all removed: those it was the first of
        refresh_first_factories(FactoryProduct.objects.filter(first_factory=instance).values("pk"))
    else:  # a factory added to (or removed from) some products
        refresh_first_factories(pk_set)


@receiver(post_delete, sender=LearningFactory, dispatch_uid="training.first_factory.factory_deleted")
def first_factory_after_a_factory_is_deleted(sender, instance, **kwargs):
    # Its products' first factory was set to NULL: the next one (if any) is the first now.
    refresh_first_factories(FactoryProduct.objects.filter(first_factory__isnull=True).values("pk"))
