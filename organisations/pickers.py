"""The organisation picker: every choice of an organisation (counterparts, hosts, leads, list filters)."""

from accounts import roles
from registers.pickers import Picker

from .models import Organisation


def _may_pick(user):
    # Partners pick the counterpart of the MoUs they submit; names of organisations are not private.
    return roles.can_view_registers(user) or roles.is_partner(user)


class OrganisationPicker(Picker):
    def queryset_for(self, user):
        return Organisation.visible_to(super().queryset_for(user), user)


organisations = OrganisationPicker(key="organisations", model=Organisation,
                       search_fields=("name", "acronym", "city", "erasmus_oid", "pic"),
                       ordering=("name", "pk"), allowed=_may_pick)
