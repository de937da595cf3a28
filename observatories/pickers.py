"""The observatory picker."""

from accounts import roles
from registers.pickers import Picker

from .models import Observatory

observatories = Picker(key="observatories", model=Observatory, search_fields=("name", "region__name", "region__code"),
                       ordering=("name", "pk"), allowed=roles.can_view_registers)
