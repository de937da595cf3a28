from django.utils.translation import pgettext_lazy

from . import roles as role_rules

# The role as the page header shows it, in the reader's language.
ROLE_DISPLAY = {
    "admin": pgettext_lazy("role", "administrator"),
    role_rules.MANAGER: pgettext_lazy("role", "project manager"),
    role_rules.STAFF: pgettext_lazy("role", "EARLALL staff"),
    role_rules.PARTNER: pgettext_lazy("role", "partner"),
}


def roles(request):
    user = getattr(request, "user", None)
    label = role_rules.role_label(user)
    return {
        "can_edit_registers": role_rules.can_edit_registers(user),
        "can_view_dashboard": role_rules.can_view_dashboard(user),
        "is_partner_user": role_rules.is_partner(user),
        "role_label": ROLE_DISPLAY.get(label, label),
    }
