"""The organisation picker: every choice of an organisation (counterparts, hosts, leads, list filters)."""

from accounts import roles
from registers.pickers import Picker

from .models import Organisation


def _may_pick(user):
    # Partners pick the counterpart of the MoUs they submit; names of organisations are not private.
    return roles.can_view_registers(user) or roles.is_partner(user)


organisations = Picker(key="organisations", model=Organisation,
                       search_fields=("name", "acronym", "city", "erasmus_oid", "pic"),
                       ordering=("name", "pk"), allowed=_may_pick)
