from . import roles as role_rules


def roles(request):
    user = getattr(request, "user", None)
    return {
        "can_edit_registers": role_rules.can_edit_registers(user),
        "can_view_dashboard": role_rules.can_view_dashboard(user),
        "is_partner_user": role_rules.is_partner(user),
        "role_label": role_rules.role_label(user),
    }
