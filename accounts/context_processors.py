from django.utils.translation import pgettext_lazy

import accounts.roles

# The role as the page header shows it, in the reader's language.
ROLE_DISPLAY = {
    "admin": pgettext_lazy("role", "administrator"),
    accounts.roles.COORDINATOR: pgettext_lazy("role", "coordinator"),
    accounts.roles.STAFF: pgettext_lazy("role", "EARLALL staff"),
    accounts.roles.PARTNER_EDITOR: pgettext_lazy("role", "partner editor"),
    accounts.roles.PARTNER_VIEWER: pgettext_lazy("role", "partner viewer"),
}


def roles(request):
    user = getattr(request, "user", None)
    label = accounts.roles.role_label(user)
    return {
        "can_edit_registers": accounts.roles.can_edit_registers(user),
        "can_view_dashboard": accounts.roles.can_view_dashboard(user),
        "is_partner_user": accounts.roles.is_partner(user),
        "is_coordinator": accounts.roles.is_coordinator(user),
        "is_partner_editor": accounts.roles.is_partner_editor(user),
        "role_label": ROLE_DISPLAY.get(label, label),
    }
