"""Writes of the training registers. Views and the API call these (keyword-only arguments).

Each ``*_save`` creates the record when it has no pk and otherwise updates it under the
optimistic lock (``registers.records.record_create_or_save``: StaleEdit when ``expected_version``
is stale). ``m2m`` values are set in the same transaction.
"""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext

from registers.models import TrackedModel
from registers.records import record_create_or_save, record_end

from .models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential

if TYPE_CHECKING:
    from accounts.models import User
    from observatories.models import SkillGap
    from organisations.models import Organisation

_Record = TypeVar("_Record", bound=TrackedModel)


@transaction.atomic
def micro_credential_save(*, instance: MicroCredential,
                          co_awarding_organisations: "Iterable[Organisation] | None" = None,
                          skill_gaps: "Iterable[SkillGap] | None" = None, user: "User | None" = None,
                          expected_version: int | None = None) -> MicroCredential:
    m2m: dict[str, Iterable[Model]] = {k: v for k, v in (("co_awarding_organisations", co_awarding_organisations),
                             ("skill_gaps", skill_gaps)) if v is not None}
    return record_create_or_save(instance=instance, user=user, expected_version=expected_version, m2m=m2m)


@transaction.atomic
def micro_credential_retire(*, micro_credential: MicroCredential, retired_on: datetime.date | None = None,
                            user: "User | None" = None, expected_version: int | None = None) -> MicroCredential:
    """Retire a micro-credential on ``retired_on`` (today by default): counted up to the day before."""
    return record_end(instance=micro_credential, on=retired_on, user=user, expected_version=expected_version)


@transaction.atomic
def learning_factory_save(*, instance: LearningFactory, user: "User | None" = None,
                          expected_version: int | None = None) -> LearningFactory:
    return record_create_or_save(instance=instance, user=user, expected_version=expected_version)


@transaction.atomic
def factory_exchange_save(*, instance: FactoryExchange, partner_organisations: "Iterable[Organisation]",
                          user: "User | None" = None, expected_version: int | None = None,
                          not_duplicate: bool = False) -> FactoryExchange:
    """An exchange of a factory's students with partner organisations (one or more).

    A new exchange with the same factory, partners, dates and students as a confirmed one is
    refused unless ``not_duplicate`` confirms it is another exchange. Adds for one factory are
    serialised by locking its row, so two identical concurrent adds cannot both pass.
    """
    partner_organisations = list(partner_organisations)
    if not partner_organisations:
        raise ValidationError({"partner_organisations": gettext("Choose at least one partner organisation.")})
    if instance.pk is None and instance.factory_id:
        list(LearningFactory.objects.select_for_update().filter(pk=instance.factory_id).values_list("pk"))
        instance.check_not_duplicate(partner_organisations, confirmed=not_duplicate)
    return record_create_or_save(instance=instance, user=user, expected_version=expected_version,
                                 m2m={"partner_organisations": partner_organisations})


@transaction.atomic
def factory_exchange_cancel(*, exchange: FactoryExchange, cancelled_on: datetime.date | None = None,
                            user: "User | None" = None, expected_version: int | None = None) -> FactoryExchange:
    """Cancel an exchange on ``cancelled_on`` (today by default): its students count up to the day before."""
    return record_end(instance=exchange, on=cancelled_on, user=user, expected_version=expected_version)


@transaction.atomic
def factory_product_save(*, instance: FactoryProduct, factories: Iterable[LearningFactory],
                         collaborating_organisations: "Iterable[Organisation]", user: "User | None" = None,
                         expected_version: int | None = None) -> FactoryProduct:
    """A product of one or more learning factories, with two or more collaborating organisations."""
    collaborating_organisations = list(collaborating_organisations)
    FactoryProduct.validate_collaborators(collaborating_organisations)
    factories = list(factories)
    if not factories:
        raise ValidationError({"factories": gettext("Choose the learning factory (or factories) that developed it.")})
    return record_create_or_save(instance=instance, user=user, expected_version=expected_version,
                                 m2m={"factories": factories, "collaborating_organisations": collaborating_organisations})


@transaction.atomic
def factory_product_retire(*, product: FactoryProduct, retired_on: datetime.date | None = None,
                           user: "User | None" = None, expected_version: int | None = None) -> FactoryProduct:
    """Retire a product on ``retired_on`` (today by default): counted up to the day before."""
    return record_end(instance=product, on=retired_on, user=user, expected_version=expected_version)


@transaction.atomic
def record_change_status(*, instance: _Record, user: "User | None" = None,
                         expected_version: int | None = None) -> _Record:

    """Save a status change made in a status form (the date of the change is on the instance)."""
    return record_create_or_save(instance=instance, user=user, expected_version=expected_version)
