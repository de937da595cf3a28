"""Measures of the training registers, registered with the indicator engine."""

from django.utils.translation import gettext_lazy as _

from indicators.registry import Dimension, Interval, Measure, registry
from organisations.labels import (
    MAX_ORGANISATION_PARTS,
    RESPONSIBLE_ORGANISATION,
    country_name,
    organisation_names,
)

from .models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential


def micro_credentials_on(on):
    """Published on or before ``on``, not retired on or before it, EQF level 3 to 6; drafts and levels 1, 2, 7, 8
    never count."""
    return MicroCredential.objects.counted_on(on)


def international_exchanges_on(on):
    """International factory exchanges (a partner abroad) started on or before ``on``, not cancelled on or before
    it."""
    return FactoryExchange.objects.counted_on(on)


def collaborative_products_on(on):
    """Developed products with two or more collaborating organisations, developed on or before ``on`` and not
    retired on or before it."""
    return FactoryProduct.objects.counted_on(on)


def factory_names(ids):
    """The names of the learning factories of ``ids``: one query for every part."""
    return dict(LearningFactory.objects.filter(pk__in=ids).values_list("pk", "name"))


registry.register(Measure(
    key="micro-credentials",
    label=_("Micro-credentials (EQF 3 to 6)"),
    description="Micro-credentials published on or before the date and not retired on or before it, at EQF level "
                "3 to 6.",
    records=micro_credentials_on,
    models=("training.MicroCredential", "organisations.Organisation"),
    date_field="published_on",
    event_dates={"training.MicroCredential": ("published_on", "retired_on")},
    interval=Interval(MicroCredential.objects.countable, "published_on", "retired_on"),
    dimensions=(
        Dimension("eqf_level", _("EQF level"), "eqf_level", display=lambda level: f"EQF {level}"),
        # Co-awarded credentials are attributed once, to the awarding body's country.
        Dimension("country", _("Country of the awarding body (each credential once)"), "awarding_body__country",
                  display=country_name),
        Dimension(RESPONSIBLE_ORGANISATION, _("Responsible organisation (the awarding body)"), "awarding_body_id",
                  labels=organisation_names, max_parts=MAX_ORGANISATION_PARTS),
    ),
    add_url_name="training:micro-credential-create",
    detail_url_name="training:micro-credential-detail",
))

registry.register(Measure(
    key="students-international",
    label=_("Learning-factory students in international cooperation"),
    description="Students of international factory exchanges (at least one partner organisation in another "
                "country than the factory's host) started on or before the date, not cancelled on or before it.",
    records=international_exchanges_on,
    aggregate="sum",
    field="students",
    models=("training.FactoryExchange", "training.LearningFactory", "organisations.Organisation"),
    date_field="started_on",
    event_dates={"training.FactoryExchange": ("started_on", "cancelled_on")},
    interval=Interval(FactoryExchange.objects.international, "started_on", "cancelled_on"),
    dimensions=(
        Dimension("factory", _("Learning factory"), "factory_id", labels=factory_names),
        # An exchange has partners in several countries: its students are counted
        # once, in the country of the factory they learn at.
        Dimension("country", _("Country of the learning factory's host (each exchange once)"),
                  "factory__host_organisation__country", display=country_name),
        Dimension(RESPONSIBLE_ORGANISATION, _("Responsible organisation (the factory's host)"),
                  "factory__host_organisation_id", labels=organisation_names, max_parts=MAX_ORGANISATION_PARTS),
    ),
    add_url_name="training:exchange-create",
    detail_url_name="training:exchange-detail",
))

registry.register(Measure(
    key="collaborative-products",
    label=_("Collaborative learning-factory products"),
    description="Developed products with at least two collaborating organisations, developed on or before the "
                "date and not retired on or before it.",
    records=collaborative_products_on,
    models=("training.FactoryProduct", "training.LearningFactory"),
    date_field="developed_on",
    event_dates={"training.FactoryProduct": ("developed_on", "retired_on")},
    interval=Interval(FactoryProduct.objects.countable, "developed_on", "retired_on"),
    dimensions=(
        # A product made in several factories is attributed once, to its first factory (lowest id).
        Dimension("factory", _("Learning factory (each product once, by its first factory)"),
                  "first_factory_id", labels=factory_names),
        Dimension(RESPONSIBLE_ORGANISATION, _("Responsible organisation (the host of its first factory)"),
                  "first_factory__host_organisation_id", labels=organisation_names, max_parts=MAX_ORGANISATION_PARTS),
    ),
    add_url_name="training:product-create",
    detail_url_name="training:product-detail",
))
