"""Writes of the observatory registers. Views and the API call these (keyword-only arguments)."""

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from registers.records import record_create_or_save, record_end

from .models import Observatory, SkillGap

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def observatory_save(*, instance: Observatory, user: "User | None" = None,
                     expected_version: int | None = None) -> Observatory:
    """Create (no pk) or update an observatory; an update is refused with StaleEdit when stale."""
    return record_create_or_save(instance=instance, user=user, expected_version=expected_version)


@transaction.atomic
def observatory_close(*, observatory: Observatory, closed_on: datetime.date | None, user: "User | None" = None,
                      expected_version: int | None = None) -> Observatory:
    """Close an observatory on ``closed_on``: it counts as active up to the day before; never deleted."""
    if not closed_on:
        raise ValidationError({"closed_on": gettext("Give the day the observatory closed.")})
    return record_end(instance=observatory, on=closed_on, user=user, expected_version=expected_version)


@transaction.atomic
def skill_gap_save(*, instance: SkillGap, user: "User | None" = None,
                   expected_version: int | None = None) -> SkillGap:
    """Create (no pk) or update a skill gap; an update is refused with StaleEdit when stale."""
    return record_create_or_save(instance=instance, user=user, expected_version=expected_version)


@transaction.atomic
def skill_gap_retire(*, skill_gap: SkillGap, retired_on: datetime.date | None = None, user: "User | None" = None,
                     expected_version: int | None = None) -> SkillGap:

    """Retire a skill gap on ``retired_on`` (today by default): counted up to the day before, kept with its
    history."""
    return record_end(instance=skill_gap, on=retired_on, user=user, expected_version=expected_version)
