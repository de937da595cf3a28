"""The alliance member picker."""

from accounts import roles
from registers.pickers import Picker

from .models import AllianceMember

members = Picker(key="members", model=AllianceMember, search_fields=("organisation__name", "organisation__acronym"),
                 ordering=("organisation__name", "pk"), select_related=("organisation",),
                 allowed=roles.may_pick_records)
