"""The learning factory picker."""

from accounts import roles
from registers.pickers import Picker

from .models import LearningFactory

factories = Picker(key="factories", model=LearningFactory, search_fields=("name", "host_organisation__name"),
                   ordering=("name", "pk"), allowed=roles.may_pick_records)
